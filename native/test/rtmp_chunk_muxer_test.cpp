// Chunk stream muxer: golden bytes for each header form, the size and into-buffer variants,
// and muxer -> demuxer round trips at several chunk sizes, split at every byte boundary.
#include <cstring>
#include <vector>

#include "check.h"
#include "rtmp_chunk_demuxer.h"
#include "rtmp_chunk_muxer.h"

using namespace tsrs;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; i++) b[i] = uint8_t(seed + i * 13);
  return b;
}

Bytes encode(uint32_t csid, uint8_t type, uint32_t ts, uint32_t sid, const Bytes& payload, uint32_t chunk_size) {
  ChunkMessageHeader h;
  h.csid = csid;
  h.type_id = type;
  h.timestamp = ts;
  h.stream_id = sid;
  return encode_chunk_message(h, payload.data(), payload.size(), chunk_size);
}

std::vector<ChunkMessage> demux_cuts(const Bytes& in, const std::vector<size_t>& cuts, const char** error) {
  std::vector<ChunkMessage> out;
  ChunkDemuxer d;
  auto sink = [&](ChunkMessage&& m) { out.push_back(std::move(m)); };
  *error = nullptr;
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(in.size());
  for (size_t end : ends) {
    if (!*error) *error = d.feed(in.data() + from, end - from, sink);
    from = end;
  }
  return out;
}

struct Sent {
  uint32_t csid;
  uint8_t type;
  uint32_t ts;
  uint32_t sid;
  Bytes payload;
};

bool matches(const std::vector<ChunkMessage>& got, const std::vector<Sent>& sent) {
  if (got.size() != sent.size()) return false;
  for (size_t i = 0; i < got.size(); i++) {
    if (got[i].csid != sent[i].csid || got[i].type_id != sent[i].type || got[i].timestamp != sent[i].ts ||
        got[i].stream_id != sent[i].sid || got[i].payload != sent[i].payload)
      return false;
  }
  return true;
}

// Encodes a Set Chunk Size (at the default 128) then the messages at chunk_size, and checks
// the demuxer gives them back whole, one byte at a time, and split at every boundary.
void round_trip(const std::vector<Sent>& messages, uint32_t chunk_size, bool every_split) {
  Bytes size_payload = {uint8_t(chunk_size >> 24), uint8_t(chunk_size >> 16), uint8_t(chunk_size >> 8),
                        uint8_t(chunk_size)};
  Bytes wire = encode(2, kRtmpSetChunkSize, 0, 0, size_payload, 128);
  std::vector<Sent> expected = {{2, kRtmpSetChunkSize, 0, 0, size_payload}};
  for (const Sent& m : messages) {
    Bytes e = encode(m.csid, m.type, m.ts, m.sid, m.payload, chunk_size);
    CHECK_EQ(e.size(), chunk_message_encoded_size(m.csid, m.ts, m.payload.size(), chunk_size));
    wire.insert(wire.end(), e.begin(), e.end());
    expected.push_back(m);
  }
  const char* error = nullptr;
  CHECK(matches(demux_cuts(wire, {}, &error), expected));
  CHECK(error == nullptr);
  std::vector<size_t> each;
  for (size_t i = 1; i < wire.size(); i++) each.push_back(i);
  CHECK(matches(demux_cuts(wire, each, &error), expected));
  CHECK(error == nullptr);
  if (!every_split) return;
  for (size_t k = 1; k < wire.size(); k++) {
    if (!matches(demux_cuts(wire, {k}, &error), expected) || error) {
      std::printf("  chunk size %u: split at %zu differs\n", chunk_size, k);
      CHECK(false);
      return;
    }
  }
}

}  // namespace

TEST_CASE("golden: one-chunk message is a fmt0 header and the payload") {
  Bytes got = encode(3, 20, 0x010203, 0x04050607, {0xAA, 0xBB}, 128);
  Bytes want = {0x03, 0x01, 0x02, 0x03, 0x00, 0x00, 0x02, 20, 0x07, 0x06, 0x05, 0x04, 0xAA, 0xBB};
  CHECK(got == want);
}

TEST_CASE("golden: continuation chunks are fmt3 with the same basic header") {
  Bytes got = encode(4, 8, 5, 1, {1, 2, 3, 4, 5}, 2);
  Bytes want = {0x04, 0, 0, 5, 0, 0, 5, 8, 1, 0, 0, 0, 1, 2, 0xC4, 3, 4, 0xC4, 5};
  CHECK(got == want);
}

TEST_CASE("golden: extended timestamp in the fmt0 header and repeated in each fmt3 chunk") {
  Bytes got = encode(5, 9, 0xFFFFFF, 1, {1, 2, 3}, 2);
  Bytes want = {0x05, 0xFF, 0xFF, 0xFF, 0, 0, 3, 9, 1, 0, 0, 0, 0x00, 0xFF, 0xFF, 0xFF, 1, 2,
                0xC5, 0x00, 0xFF, 0xFF, 0xFF, 3};
  CHECK(got == want);
  // Just below the marker, no extended field.
  CHECK_EQ(encode(5, 9, 0xFFFFFE, 1, {1, 2, 3}, 2).size(), 12u + 2 + 1 + 1u);
}

TEST_CASE("golden: 2- and 3-byte basic header forms") {
  Bytes two = encode(319, 8, 0, 1, {7, 8}, 1);
  Bytes want_two = {0x00, 0xFF, 0, 0, 0, 0, 0, 2, 8, 1, 0, 0, 0, 7, 0xC0, 0xFF, 8};
  CHECK(two == want_two);
  Bytes three = encode(65599, 8, 0, 1, {7, 8}, 1);
  Bytes want_three = {0x01, 0xFF, 0xFF, 0, 0, 0, 0, 0, 2, 8, 1, 0, 0, 0, 7, 0xC1, 0xFF, 0xFF, 8};
  CHECK(three == want_three);
  CHECK_EQ(encode(63, 8, 0, 1, {}, 128)[0], 0x3F);
  CHECK_EQ(encode(64, 8, 0, 1, {}, 128).size(), 13u);
  CHECK_EQ(encode(320, 8, 0, 1, {}, 128).size(), 14u);
}

TEST_CASE("encoded size, into-buffer capacity and invalid arguments") {
  CHECK_EQ(chunk_message_encoded_size(3, 0, 0, 128), 12u);
  CHECK_EQ(chunk_message_encoded_size(3, 0, 128, 128), 12u + 128);
  CHECK_EQ(chunk_message_encoded_size(3, 0, 129, 128), 12u + 129 + 1);
  CHECK_EQ(chunk_message_encoded_size(3, 0x1000000, 129, 128), 16u + 129 + 5);
  CHECK_EQ(chunk_message_encoded_size(1, 0, 1, 128), 0u);       // csid 0/1 are header forms, not ids
  CHECK_EQ(chunk_message_encoded_size(65600, 0, 1, 128), 0u);
  CHECK_EQ(chunk_message_encoded_size(3, 0, 0x1000000, 128), 0u);  // over the 3-byte length
  CHECK_EQ(chunk_message_encoded_size(3, 0, 1, 0), 0u);
  CHECK_EQ(chunk_message_encoded_size(3, 0, 1, 0x80000000u), 0u);
  CHECK(encode(1, 8, 0, 1, {1}, 128).empty());

  Bytes payload = pattern(300, 1);
  ChunkMessageHeader h;
  h.csid = 6;
  h.type_id = 9;
  h.timestamp = 77;
  h.stream_id = 1;
  size_t need = chunk_message_encoded_size(6, 77, payload.size(), 128);
  Bytes out(need + 5, 0xEE);
  CHECK_EQ(encode_chunk_message_into(h, payload.data(), payload.size(), 128, out.data(), need - 1), 0u);
  CHECK_EQ(encode_chunk_message_into(h, payload.data(), payload.size(), 128, out.data(), out.size()), need);
  CHECK(Bytes(out.begin(), out.begin() + need) == encode(6, 9, 77, 1, payload, 128));
  CHECK_EQ(out[need], 0xEE);  // nothing written past the message
}

TEST_CASE("round trips at chunk sizes 1, 2, 3, 127, 128, 129 and 4096, split at every boundary") {
  std::vector<Sent> messages = {
      {3, 20, 0, 0, pattern(150, 1)},
      {4, kRtmpAudio, 1000, 1, pattern(7, 2)},
      {6, kRtmpVideo, 1040, 1, pattern(260, 3)},
      {6, kRtmpVideo, 0xFFFFFF, 1, pattern(129, 4)},   // extended, repeated in fmt3 chunks
      {64, kRtmpVideo, 0xFFFFFFFF, 7, pattern(3, 5)},  // 2-byte basic header, max timestamp
      {320, 18, 5, 0x01020304, {}},                    // 3-byte basic header, empty payload
      {65599, kRtmpAudio, 0x7FFFFFFF, 1, pattern(128, 6)},
      {4, kRtmpAudio, 3, 1, pattern(1, 7)},             // timestamp going backwards: fmt0 allows it
  };
  for (uint32_t chunk_size : {1u, 2u, 3u, 127u, 128u, 129u, 4096u}) round_trip(messages, chunk_size, true);
}

TEST_CASE("round trips of large messages at chunk sizes 60000 and 65536") {
  std::vector<Sent> messages = {
      {6, kRtmpVideo, 40, 1, pattern(200000, 8)},
      {6, kRtmpVideo, 0x01000000, 1, pattern(131072, 9)},
      {4, kRtmpAudio, 80, 1, pattern(65536, 10)},
  };
  for (uint32_t chunk_size : {60000u, 65536u}) round_trip(messages, chunk_size, false);
}

TEST_MAIN()
