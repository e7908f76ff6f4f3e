// Chunk stream demuxer: hand-built chunk streams for every header form, each also fed one
// byte at a time and split at every byte boundary, and every error code.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "rtmp_chunk_demuxer.h"

using namespace tsrs;
using Bytes = std::vector<uint8_t>;

namespace {

// Builds wire bytes field by field.
struct Wire {
  Bytes v;
  Wire& u8(uint32_t x) { v.push_back(uint8_t(x)); return *this; }
  Wire& u24(uint32_t x) { return u8(x >> 16).u8(x >> 8).u8(x); }
  Wire& u32be(uint32_t x) { return u8(x >> 24).u24(x); }
  Wire& u32le(uint32_t x) { return u8(x).u8(x >> 8).u8(x >> 16).u8(x >> 24); }
  Wire& bytes(const Bytes& b) { v.insert(v.end(), b.begin(), b.end()); return *this; }
  Wire& bytes(const Bytes& b, size_t from, size_t n) {
    v.insert(v.end(), b.begin() + from, b.begin() + from + n);
    return *this;
  }
  // A fmt0 header with a 1-byte basic header.
  Wire& fmt0(uint32_t csid, uint32_t ts, uint32_t len, uint8_t type, uint32_t sid) {
    u8(csid).u24(ts >= 0xFFFFFF ? 0xFFFFFF : ts).u24(len).u8(type).u32le(sid);
    if (ts >= 0xFFFFFF) u32be(ts);
    return *this;
  }
};

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; i++) b[i] = uint8_t(seed + i * 7);
  return b;
}

struct Result {
  std::vector<ChunkMessage> msgs;
  const char* error = nullptr;
  uint32_t chunk_size = 0;
  uint64_t bytes = 0;
};

// Feeds `in` cut at the given offsets (ascending); stops at the first error.
Result demux_cuts(const Bytes& in, const std::vector<size_t>& cuts, ChunkDemuxerOptions options = {}) {
  Result r;
  ChunkDemuxer d(options);
  auto sink = [&](ChunkMessage&& m) { r.msgs.push_back(std::move(m)); };
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(in.size());
  for (size_t end : ends) {
    if (!r.error) r.error = d.feed(in.data() + from, end - from, sink);
    from = end;
  }
  r.chunk_size = d.in_chunk_size();
  r.bytes = d.bytes_received();
  return r;
}

Result demux(const Bytes& in, ChunkDemuxerOptions options = {}) { return demux_cuts(in, {}, options); }

bool same_messages(const Result& a, const Result& b) {
  if (a.msgs.size() != b.msgs.size()) return false;
  if ((a.error == nullptr) != (b.error == nullptr)) return false;
  if (a.error && std::strcmp(a.error, b.error) != 0) return false;
  for (size_t i = 0; i < a.msgs.size(); i++) {
    const ChunkMessage& x = a.msgs[i];
    const ChunkMessage& y = b.msgs[i];
    if (x.csid != y.csid || x.type_id != y.type_id || x.timestamp != y.timestamp || x.stream_id != y.stream_id ||
        x.payload != y.payload)
      return false;
  }
  return true;
}

// The result of feeding `in` whole, after checking that one byte at a time and every
// two-piece split give exactly the same messages and error.
Result demux_every_split(const Bytes& in, ChunkDemuxerOptions options = {}) {
  Result whole = demux(in, options);
  std::vector<size_t> each;
  for (size_t i = 1; i < in.size(); i++) each.push_back(i);
  CHECK(same_messages(whole, demux_cuts(in, each, options)));
  for (size_t k = 1; k < in.size(); k++) {
    if (!same_messages(whole, demux_cuts(in, {k}, options))) {
      std::printf("  split at %zu differs\n", k);
      CHECK(false);
      break;
    }
  }
  return whole;
}

bool error_is(const Result& r, const char* code) { return r.error && std::strcmp(r.error, code) == 0; }

void check_message(const ChunkMessage& m, uint32_t csid, uint8_t type, uint32_t ts, uint32_t sid, const Bytes& payload) {
  CHECK_EQ(m.csid, csid);
  CHECK_EQ(m.type_id, type);
  CHECK_EQ(m.timestamp, ts);
  CHECK_EQ(m.stream_id, sid);
  CHECK(m.payload == payload);
}

Wire set_chunk_size(uint32_t size) {
  Wire w;
  w.fmt0(2, 0, 4, kRtmpSetChunkSize, 0).u32be(size);
  return w;
}

}  // namespace

TEST_CASE("fmt0 carries the whole header; stream id is little-endian") {
  Bytes p = pattern(5, 1);
  Wire w;
  w.u8(0x03).u24(1000).u24(5).u8(20).u32le(0x01020304).bytes(p);
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.msgs.size(), 1u);
  if (r.msgs.size() == 1) check_message(r.msgs[0], 3, 20, 1000, 0x01020304, p);
  CHECK_EQ(r.bytes, w.v.size());
}

TEST_CASE("fmt1, fmt2 and fmt3 add deltas to the previous timestamp") {
  Bytes a = pattern(2, 1), b = pattern(3, 2), c = pattern(3, 3), d = pattern(3, 4);
  Wire w;
  w.fmt0(4, 100, 2, kRtmpAudio, 1).bytes(a);
  w.u8(0x40 | 4).u24(20).u24(3).u8(kRtmpAudio).bytes(b);  // fmt1: delta 20, new length
  w.u8(0x80 | 4).u24(10).bytes(c);                        // fmt2: delta 10
  w.u8(0xC0 | 4).bytes(d);                                // fmt3: delta 10 again
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.msgs.size(), 4u);
  if (r.msgs.size() != 4) return;
  check_message(r.msgs[0], 4, kRtmpAudio, 100, 1, a);
  check_message(r.msgs[1], 4, kRtmpAudio, 120, 1, b);
  check_message(r.msgs[2], 4, kRtmpAudio, 130, 1, c);
  check_message(r.msgs[3], 4, kRtmpAudio, 140, 1, d);
}

TEST_CASE("fmt3 starting a message right after fmt0 adds the fmt0 timestamp, as FFmpeg and SRS do") {
  Bytes a = pattern(4, 1);
  Wire w;
  w.fmt0(5, 40, 4, kRtmpVideo, 1).bytes(a).u8(0xC0 | 5).bytes(a);
  Result r = demux_every_split(w.v);
  CHECK_EQ(r.msgs.size(), 2u);
  if (r.msgs.size() == 2) {
    CHECK_EQ(r.msgs[0].timestamp, 40u);
    CHECK_EQ(r.msgs[1].timestamp, 80u);
  }
}

TEST_CASE("fmt3 continuation chunks carry the rest of a message past the chunk size") {
  Bytes p = pattern(300, 9);
  Wire w;
  w.fmt0(6, 7, 300, kRtmpVideo, 1).bytes(p, 0, 128).u8(0xC6).bytes(p, 128, 128).u8(0xC6).bytes(p, 256, 44);
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.msgs.size(), 1u);
  if (r.msgs.size() == 1) check_message(r.msgs[0], 6, kRtmpVideo, 7, 1, p);
}

TEST_CASE("basic header forms: 1, 2 and 3 bytes, csid 63/64/319/320/65599") {
  struct Form {
    Bytes basic;
    uint32_t csid;
  };
  const Form forms[] = {
      {{0x3F}, 63},           {{0x00, 0x00}, 64},     {{0x00, 0xFF}, 319}, {{0x01, 0x00, 0x01}, 320},
      {{0x01, 0xFF, 0xFF}, 65599}, {{0x01, 0x00, 0x00}, 64},  // 3-byte form of a small csid is legal too
  };
  for (const Form& f : forms) {
    Bytes p = pattern(130, uint8_t(f.csid));
    Wire w;
    // fmt0 first chunk, then a fmt3 continuation with the same basic header form.
    w.bytes(f.basic).u24(55).u24(130).u8(kRtmpVideo).u32le(1).bytes(p, 0, 128);
    Bytes cont = f.basic;
    cont[0] |= 0xC0;
    w.bytes(cont).bytes(p, 128, 2);
    Result r = demux_every_split(w.v);
    CHECK(r.error == nullptr);
    CHECK_EQ(r.msgs.size(), 1u);
    if (r.msgs.size() == 1) check_message(r.msgs[0], f.csid, kRtmpVideo, 55, 1, p);
  }
}

TEST_CASE("extended timestamp repeated in fmt3 continuation chunks is consumed") {
  const uint32_t ts = 0x01000000;
  Bytes p = pattern(200, 3);
  Wire w;
  w.fmt0(7, ts, 200, kRtmpVideo, 1).bytes(p, 0, 128).u8(0xC7).u32be(ts).bytes(p, 128, 72);
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.msgs.size(), 1u);
  if (r.msgs.size() == 1) check_message(r.msgs[0], 7, kRtmpVideo, ts, 1, p);
}

TEST_CASE("extended timestamp not repeated: the 4 bytes stay payload") {
  const uint32_t ts = 0xFFFFFF;  // the marker value itself needs the extended field
  Bytes p = pattern(200, 3);
  Wire w;
  w.fmt0(7, ts, 200, kRtmpVideo, 1).bytes(p, 0, 128).u8(0xC7).bytes(p, 128, 72);
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.msgs.size(), 1u);
  if (r.msgs.size() == 1) check_message(r.msgs[0], 7, kRtmpVideo, ts, 1, p);
}

TEST_CASE("extended timestamp not repeated with fewer than 4 payload bytes left, then another message") {
  const uint32_t ts = 0x12345678;
  Bytes p = pattern(130, 3), q = pattern(3, 50);
  Wire w;
  // Last chunk holds only 2 bytes; the peeked 4 bytes run into the next chunk's header.
  w.fmt0(7, ts, 130, kRtmpVideo, 1).bytes(p, 0, 128).u8(0xC7).bytes(p, 128, 2);
  w.fmt0(8, 5, 3, kRtmpAudio, 1).bytes(q);
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.msgs.size(), 2u);
  if (r.msgs.size() != 2) return;
  check_message(r.msgs[0], 7, kRtmpVideo, ts, 1, p);
  check_message(r.msgs[1], 8, kRtmpAudio, 5, 1, q);
}

TEST_CASE("extended delta in fmt1, then fmt3 starting a message repeats the extended delta") {
  Bytes a = pattern(2, 1);
  Wire w;
  w.fmt0(4, 1000, 2, kRtmpAudio, 1).bytes(a);
  w.u8(0x40 | 4).u24(0xFFFFFF).u24(2).u8(kRtmpAudio).u32be(0x01000000).bytes(a);
  w.u8(0xC0 | 4).u32be(0x01000000).bytes(a);
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.msgs.size(), 3u);
  if (r.msgs.size() != 3) return;
  CHECK_EQ(r.msgs[1].timestamp, 1000u + 0x01000000u);
  CHECK_EQ(r.msgs[2].timestamp, 1000u + 0x02000000u);
}

TEST_CASE("zero-length messages are delivered") {
  Wire w;
  w.fmt0(3, 9, 0, 20, 0).u8(0xC3);
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.msgs.size(), 2u);
  if (r.msgs.size() == 2) CHECK_EQ(r.msgs[1].timestamp, 18u);
}

TEST_CASE("fmt1 may start a fresh chunk stream (librtmp pings), with stream id 0") {
  Bytes p = pattern(6, 1);
  Wire w;
  w.u8(0x40 | 2).u24(33).u24(6).u8(kRtmpUserControl).bytes(p);
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.msgs.size(), 1u);
  if (r.msgs.size() == 1) check_message(r.msgs[0], 2, kRtmpUserControl, 33, 0, p);
}

TEST_CASE("a fmt1/fmt2 chunk mid-message with the same length just continues it") {
  Bytes p = pattern(200, 4);
  Wire w;
  w.fmt0(6, 10, 200, kRtmpVideo, 1).bytes(p, 0, 128).u8(0x40 | 6).u24(0).u24(200).u8(kRtmpVideo).bytes(p, 128, 72);
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.msgs.size(), 1u);
  if (r.msgs.size() == 1) check_message(r.msgs[0], 6, kRtmpVideo, 10, 1, p);
}

TEST_CASE("set chunk size 1 applies to the next chunk and is delivered") {
  Bytes p = pattern(3, 1);
  Wire w = set_chunk_size(1);
  w.fmt0(3, 0, 3, 20, 0).bytes(p, 0, 1).u8(0xC3).bytes(p, 1, 1).u8(0xC3).bytes(p, 2, 1);
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.chunk_size, 1u);
  CHECK_EQ(r.msgs.size(), 2u);
  if (r.msgs.size() != 2) return;
  CHECK_EQ(r.msgs[0].type_id, kRtmpSetChunkSize);
  check_message(r.msgs[1], 3, 20, 0, 0, p);
}

TEST_CASE("set chunk size 65536 carries a 70000-byte message in two chunks") {
  Bytes p = pattern(70000, 5);
  Wire w = set_chunk_size(65536);
  w.fmt0(6, 0, 70000, kRtmpVideo, 1).bytes(p, 0, 65536).u8(0xC6).bytes(p, 65536, 70000 - 65536);
  // Every split of 70k bytes would take minutes; one byte at a time and a few cuts suffice.
  std::vector<size_t> each;
  for (size_t i = 1; i < w.v.size(); i++) each.push_back(i);
  Result whole = demux(w.v);
  CHECK(same_messages(whole, demux_cuts(w.v, each)));
  CHECK(same_messages(whole, demux_cuts(w.v, {17, 16 + 12 + 65536, 16 + 12 + 65536 + 1})));
  CHECK(whole.error == nullptr);
  CHECK_EQ(whole.chunk_size, 65536u);
  CHECK_EQ(whole.msgs.size(), 2u);
  if (whole.msgs.size() == 2) check_message(whole.msgs[1], 6, kRtmpVideo, 0, 1, p);
}

TEST_CASE("invalid set chunk size values are rejected") {
  for (uint32_t bad : {0u, 65537u, 0x80000000u, 0x80000080u}) {
    Result r = demux_every_split(set_chunk_size(bad).v);
    CHECK(error_is(r, chunk_error::kChunkSizeInvalid));
    CHECK_EQ(r.msgs.size(), 0u);
  }
  Wire shortw;
  shortw.fmt0(2, 0, 2, kRtmpSetChunkSize, 0).u8(0).u8(128);
  CHECK(error_is(demux_every_split(shortw.v), chunk_error::kChunkSizeInvalid));
}

TEST_CASE("abort discards the partial message of the named chunk stream") {
  Bytes p = pattern(200, 6), q = pattern(10, 7);
  Wire w;
  w.fmt0(5, 0, 200, kRtmpVideo, 1).bytes(p, 0, 128);
  w.fmt0(2, 0, 4, kRtmpAbort, 0).u32be(5);
  w.fmt0(5, 50, 10, kRtmpVideo, 1).bytes(q);  // fmt0 is legal again: nothing in progress
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.msgs.size(), 2u);
  if (r.msgs.size() != 2) return;
  CHECK_EQ(r.msgs[0].type_id, kRtmpAbort);
  check_message(r.msgs[1], 5, kRtmpVideo, 50, 1, q);
}

TEST_CASE("interleaved audio and video chunks complete independently") {
  Bytes v = pattern(300, 1), a = pattern(150, 2);
  Wire w;
  w.fmt0(6, 1000, 300, kRtmpVideo, 1).bytes(v, 0, 128);
  w.fmt0(4, 1010, 150, kRtmpAudio, 1).bytes(a, 0, 128);
  w.u8(0xC6).bytes(v, 128, 128);
  w.u8(0xC4).bytes(a, 128, 22);
  w.u8(0xC6).bytes(v, 256, 44);
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.msgs.size(), 2u);
  if (r.msgs.size() != 2) return;
  check_message(r.msgs[0], 4, kRtmpAudio, 1010, 1, a);
  check_message(r.msgs[1], 6, kRtmpVideo, 1000, 1, v);
}

TEST_CASE("a sink that copies leaves payloads to be reused; later messages are whole and right") {
  // Messages of shrinking and growing sizes on two chunk streams (one above the reuse
  // limit), chunked at 128 and interleaved, read by a sink that copies as the addon does.
  Wire w;
  std::vector<Bytes> sent;
  const size_t sizes[] = {300, 40, 20000, 5, 129, 17000, 1};
  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    uint32_t csid = i % 2 ? 4 : 6;
    Bytes p = pattern(sizes[i], uint8_t(i));
    w.fmt0(csid, uint32_t(i), uint32_t(p.size()), kRtmpVideo, 1).bytes(p, 0, std::min<size_t>(128, p.size()));
    for (size_t at = 128; at < p.size(); at += 128) w.u8(0xC0 | csid).bytes(p, at, std::min<size_t>(128, p.size() - at));
    sent.push_back(p);
  }
  ChunkDemuxer d;
  std::vector<Bytes> got;
  auto copying_sink = [&](ChunkMessage&& m) { got.emplace_back(m.payload.begin(), m.payload.end()); };
  for (size_t at = 0; at < w.v.size(); at += 1000) {
    CHECK(d.feed(w.v.data() + at, std::min<size_t>(1000, w.v.size() - at), copying_sink) == nullptr);
  }
  CHECK_EQ(got.size(), sent.size());
  for (size_t i = 0; i < got.size() && i < sent.size(); i++) CHECK(got[i] == sent[i]);
}

namespace {
Wire aggregate_payload() {
  Wire agg;
  Bytes video = pattern(20, 1), audio = pattern(7, 2);
  agg.u8(kRtmpVideo).u24(20).u24(5000).u8(0).u24(0).bytes(video).u32be(11 + 20);
  agg.u8(kRtmpAudio).u24(7).u24(0x000020).u8(0x01).u24(0).bytes(audio).u32be(11 + 7);  // ts 0x01000020
  return agg;
}
}  // namespace

TEST_CASE("aggregate messages are split with timestamps rebased on the aggregate's") {
  Bytes agg = aggregate_payload().v;
  Wire w;
  w.fmt0(6, 1000, uint32_t(agg.size()), kRtmpAggregate, 1).bytes(agg);
  Result r = demux_every_split(w.v);
  CHECK(r.error == nullptr);
  CHECK_EQ(r.msgs.size(), 2u);
  if (r.msgs.size() != 2) return;
  check_message(r.msgs[0], 6, kRtmpVideo, 1000, 1, pattern(20, 1));
  check_message(r.msgs[1], 6, kRtmpAudio, 1000 + 0x01000020 - 5000, 1, pattern(7, 2));
}

TEST_CASE("aggregate splitting can be turned off") {
  Bytes agg = aggregate_payload().v;
  Wire w;
  w.fmt0(6, 1000, uint32_t(agg.size()), kRtmpAggregate, 1).bytes(agg);
  ChunkDemuxerOptions o;
  o.split_aggregate = false;
  Result r = demux_every_split(w.v, o);
  CHECK_EQ(r.msgs.size(), 1u);
  if (r.msgs.size() == 1) check_message(r.msgs[0], 6, kRtmpAggregate, 1000, 1, agg);
}

TEST_CASE("malformed aggregates are rejected whole") {
  Bytes good = aggregate_payload().v;
  std::vector<Bytes> bad;
  bad.push_back(Bytes(good.begin(), good.end() - 1));   // back pointer cut short
  bad.push_back(Bytes(good.begin(), good.begin() + 5));  // sub header cut short
  Bytes longer = good;
  longer[3] = 0xFF;  // first sub tag claims more data than there is
  bad.push_back(longer);
  Wire control;
  control.u8(kRtmpSetChunkSize).u24(4).u24(0).u8(0).u24(0).u32be(1).u32be(15);
  bad.push_back(control.v);
  for (const Bytes& agg : bad) {
    Wire w;
    w.fmt0(6, 1000, uint32_t(agg.size()), kRtmpAggregate, 1).bytes(agg);
    Result r = demux_every_split(w.v);
    CHECK(error_is(r, chunk_error::kAggregateInvalid));
    CHECK_EQ(r.msgs.size(), 0u);
  }
}

TEST_CASE("a message larger than the limit is rejected at its header, before any payload") {
  Wire w;
  w.fmt0(6, 0, 0xFFFFFF, kRtmpVideo, 1);  // header only: the error must not wait for data
  Result r = demux_every_split(w.v);
  CHECK(error_is(r, chunk_error::kMessageTooLarge));
  ChunkDemuxerOptions o;
  o.max_message_size = 100;
  Wire small;
  small.fmt0(6, 0, 100, kRtmpVideo, 1).bytes(pattern(100, 1)).u8(0x40 | 6).u24(0).u24(101).u8(kRtmpVideo);
  Result r2 = demux_every_split(small.v, o);
  CHECK(error_is(r2, chunk_error::kMessageTooLarge));
  CHECK_EQ(r2.msgs.size(), 1u);
}

TEST_CASE("a flood of chunk stream ids is rejected") {
  ChunkDemuxerOptions o;
  o.max_chunk_streams = 4;
  Wire w;
  for (uint32_t csid = 3; csid <= 6; csid++) w.fmt0(csid, 0, 0, 20, 0);
  Result ok = demux_every_split(w.v, o);
  CHECK(ok.error == nullptr);
  CHECK_EQ(ok.msgs.size(), 4u);
  w.fmt0(7, 0, 0, 20, 0);
  Result r = demux_every_split(w.v, o);
  CHECK(error_is(r, chunk_error::kTooManyChunkStreams));
  CHECK_EQ(r.msgs.size(), 4u);
}

TEST_CASE("fmt2/fmt3 on a fresh chunk stream and fmt0 mid-message are invalid chunk starts") {
  Wire f2;
  f2.u8(0x80 | 5).u24(1);
  CHECK(error_is(demux_every_split(f2.v), chunk_error::kChunkStartInvalid));
  Wire f3;
  f3.u8(0xC0 | 5);
  CHECK(error_is(demux_every_split(f3.v), chunk_error::kChunkStartInvalid));
  Wire f0;
  f0.fmt0(5, 0, 200, kRtmpVideo, 1).bytes(pattern(128, 1)).fmt0(5, 0, 200, kRtmpVideo, 1);
  CHECK(error_is(demux_every_split(f0.v), chunk_error::kChunkStartInvalid));
}

TEST_CASE("a message length changing mid-message is rejected") {
  Wire w;
  w.fmt0(5, 0, 200, kRtmpVideo, 1).bytes(pattern(128, 1)).u8(0x40 | 5).u24(0).u24(199).u8(kRtmpVideo);
  CHECK(error_is(demux_every_split(w.v), chunk_error::kMessageLengthChanged));
}

TEST_CASE("after an error, feed refuses input and stops counting bytes") {
  ChunkDemuxer d;
  const uint8_t bad[] = {0xC0 | 5, 0, 0};
  auto sink = [](ChunkMessage&&) {};
  CHECK(std::strcmp(d.feed(bad, sizeof(bad), sink), chunk_error::kChunkStartInvalid) == 0);
  CHECK(!d.error_detail().empty());
  CHECK(std::strcmp(d.feed(bad, sizeof(bad), sink), chunk_error::kAfterError) == 0);
  CHECK_EQ(d.bytes_received(), 3u);
}

TEST_CASE("pseudo-random garbage ends in messages or an error code, never a crash") {
  uint32_t seed = 12345;
  auto next = [&]() { return seed = seed * 1103515245u + 12345u, uint8_t(seed >> 16); };
  for (int round = 0; round < 300; round++) {
    Bytes junk(1 + round * 3);
    for (auto& b : junk) b = next();
    ChunkDemuxerOptions o;
    o.max_message_size = 4096;
    Result whole = demux(junk, o);
    std::vector<size_t> each;
    for (size_t i = 1; i < junk.size(); i++) each.push_back(i);
    CHECK(same_messages(whole, demux_cuts(junk, each, o)));
  }
}

TEST_MAIN()
