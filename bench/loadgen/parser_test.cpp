// Self-test of rtmp-load's parsers (`make -C bench/loadgen test`, built with
// ASan/UBSan): golden streams fed split at every byte boundary must give the
// same messages; broken streams must give an error, never a crash.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "amf0.h"
#include "chunk_reader.h"
#include "chunk_writer.h"
#include "http_flv_reader.h"

using namespace rl;

static int g_failures = 0;
#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond)) {                                                      \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      g_failures++;                                                     \
    }                                                                   \
  } while (0)

using Bytes = std::vector<uint8_t>;

// ---------------------------------------------------------------- chunk reader

struct Msg {
  uint32_t csid, ts, len, sid;
  uint8_t type;
  uint64_t hash;
  bool operator==(const Msg& o) const {
    return csid == o.csid && ts == o.ts && len == o.len && sid == o.sid && type == o.type && hash == o.hash;
  }
};

struct Recorder {
  ChunkReader* rd = nullptr;
  std::vector<Msg> msgs;
  uint64_t hash[70000] = {};
  uint8_t ctl[4];
  uint32_t ctl_len = 0;
  void on_begin(ChunkStream& cs) {
    hash[cs.csid] = kFnvBasis;
    ctl_len = 0;
  }
  void on_data(ChunkStream& cs, const uint8_t* p, size_t n) {
    hash[cs.csid] = fnv1a(hash[cs.csid], p, n);
    if (cs.type == 1)
      for (size_t i = 0; i < n && ctl_len < 4; i++) ctl[ctl_len++] = p[i];
  }
  bool on_end(ChunkStream& cs) {
    msgs.push_back(Msg{cs.csid, cs.timestamp, cs.length, cs.sid, cs.type, hash[cs.csid]});
    if (cs.type == 1) return ctl_len == 4 && rd->set_chunk_size(be32(ctl));
    return true;
  }
};

static void put_basic(Bytes& b, uint8_t fmt, uint32_t csid) {
  if (csid < 64) {
    b.push_back(uint8_t(fmt << 6 | csid));
  } else if (csid < 320) {
    b.push_back(uint8_t(fmt << 6));
    b.push_back(uint8_t(csid - 64));
  } else {
    b.push_back(uint8_t(fmt << 6 | 1));
    b.push_back(uint8_t((csid - 64) & 0xFF));
    b.push_back(uint8_t((csid - 64) >> 8));
  }
}
static void put24(Bytes& b, uint32_t v) { b.insert(b.end(), {uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}); }
static void put32(Bytes& b, uint32_t v) { b.insert(b.end(), {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}); }
static void putle32(Bytes& b, uint32_t v) { b.insert(b.end(), {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}); }

static Bytes payload(size_t n, uint32_t seed) {
  Bytes p(n);
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    p[i] = uint8_t(seed >> 16);
  }
  return p;
}
static uint64_t hash_of(const Bytes& p) { return fnv1a(kFnvBasis, p.data(), p.size()); }

// Header of one chunk. ts_field is what goes in the 24-bit field; ext is written when it is 0xFFFFFF.
static void header(Bytes& b, uint8_t fmt, uint32_t csid, uint32_t ts_field, uint32_t len, uint8_t type, uint32_t sid,
                   uint32_t ext = 0) {
  put_basic(b, fmt, csid);
  if (fmt <= 2) put24(b, ts_field);
  if (fmt <= 1) {
    put24(b, len);
    b.push_back(type);
  }
  if (fmt == 0) putle32(b, sid);
  if (ts_field == 0xFFFFFF || (fmt == 3 && ext)) put32(b, ext);
}

struct Golden {
  Bytes wire;
  std::vector<Msg> msgs;
};

static Golden golden_chunks() {
  Golden g;
  Bytes& w = g.wire;
  // A: fmt0 + two fmt3 continuations at chunk size 128.
  Bytes a = payload(300, 1);
  header(w, 0, 3, 1000, 300, 20, 0);
  w.insert(w.end(), a.begin(), a.begin() + 128);
  header(w, 3, 3, 0, 0, 0, 0);
  w.insert(w.end(), a.begin() + 128, a.begin() + 256);
  header(w, 3, 3, 0, 0, 0, 0);
  w.insert(w.end(), a.begin() + 256, a.end());
  g.msgs.push_back({3, 1000, 300, 0, 20, hash_of(a)});
  // B: fmt1 (delta 40, new length/type), C: fmt2 (delta 40), D: fmt3 new message (delta 40 again).
  Bytes b = payload(10, 2), c = payload(10, 3), d = payload(10, 4);
  header(w, 1, 3, 40, 10, 9, 0);
  w.insert(w.end(), b.begin(), b.end());
  g.msgs.push_back({3, 1040, 10, 0, 9, hash_of(b)});
  header(w, 2, 3, 40, 0, 0, 0);
  w.insert(w.end(), c.begin(), c.end());
  g.msgs.push_back({3, 1080, 10, 0, 9, hash_of(c)});
  header(w, 3, 3, 0, 0, 0, 0);
  w.insert(w.end(), d.begin(), d.end());
  g.msgs.push_back({3, 1120, 10, 0, 9, hash_of(d)});
  // E: two-byte csid, extended timestamp repeated on the type 3 continuation.
  Bytes e = payload(200, 5);
  header(w, 0, 74, 0xFFFFFF, 200, 8, 1, 0x01000000);
  w.insert(w.end(), e.begin(), e.begin() + 128);
  header(w, 3, 74, 0, 0, 0, 0, 0x01000000);
  w.insert(w.end(), e.begin() + 128, e.end());
  g.msgs.push_back({74, 0x01000000, 200, 1, 8, hash_of(e)});
  // K: type 0 then a type 3 that starts a new message: the type 0 timestamp is the delta (SRS, ffmpeg).
  Bytes k1 = payload(20, 11), k2 = payload(20, 12);
  header(w, 0, 9, 30, 20, 8, 1);
  w.insert(w.end(), k1.begin(), k1.end());
  g.msgs.push_back({9, 30, 20, 1, 8, hash_of(k1)});
  header(w, 3, 9, 0, 0, 0, 0);
  w.insert(w.end(), k2.begin(), k2.end());
  g.msgs.push_back({9, 60, 20, 1, 8, hash_of(k2)});
  // F: three-byte csid, empty message.
  header(w, 0, 400, 5, 0, 18, 1);
  g.msgs.push_back({400, 5, 0, 1, 18, kFnvBasis});
  // G interleaved with H.
  Bytes gp = payload(200, 6), hp = payload(5, 7);
  header(w, 0, 4, 7, 200, 9, 1);
  w.insert(w.end(), gp.begin(), gp.begin() + 128);
  header(w, 0, 5, 8, 5, 8, 1);
  w.insert(w.end(), hp.begin(), hp.end());
  g.msgs.push_back({5, 8, 5, 1, 8, hash_of(hp)});
  header(w, 3, 4, 0, 0, 0, 0);
  w.insert(w.end(), gp.begin() + 128, gp.end());
  g.msgs.push_back({4, 7, 200, 1, 9, hash_of(gp)});
  // I: Set Chunk Size 4096, then J: 5000 bytes in 4096 + 904.
  Bytes i = {0, 0, 0x10, 0};
  header(w, 0, 2, 0, 4, 1, 0);
  w.insert(w.end(), i.begin(), i.end());
  g.msgs.push_back({2, 0, 4, 0, 1, hash_of(i)});
  Bytes j = payload(5000, 8);
  header(w, 0, 6, 9, 5000, 9, 1);
  w.insert(w.end(), j.begin(), j.begin() + 4096);
  header(w, 3, 6, 0, 0, 0, 0);
  w.insert(w.end(), j.begin() + 4096, j.end());
  g.msgs.push_back({6, 9, 5000, 1, 9, hash_of(j)});
  return g;
}

static std::vector<Msg> parse_split(const Bytes& w, size_t split, bool& ok) {
  ChunkReader rd;
  auto rec = std::make_unique<Recorder>();
  rec->rd = &rd;
  ok = rd.feed(w.data(), split, *rec) && rd.feed(w.data() + split, w.size() - split, *rec);
  return rec->msgs;
}

static void test_chunk_reader_golden() {
  Golden g = golden_chunks();
  for (size_t split = 0; split <= g.wire.size(); split++) {
    bool ok = false;
    std::vector<Msg> got = parse_split(g.wire, split, ok);
    CHECK(ok);
    CHECK(got == g.msgs);
    if (got != g.msgs) {
      fprintf(stderr, "  split at %zu\n", split);
      break;
    }
  }
  // One byte per call.
  ChunkReader rd;
  auto rec = std::make_unique<Recorder>();
  rec->rd = &rd;
  bool ok = true;
  for (uint8_t byte : g.wire) ok = ok && rd.feed(&byte, 1, *rec);
  CHECK(ok);
  CHECK(rec->msgs == g.msgs);
}

static void test_chunk_reader_broken() {
  auto run = [](const Bytes& w, const char** err, size_t* count) {
    ChunkReader rd;
    auto rec = std::make_unique<Recorder>();
    rec->rd = &rd;
    bool ok = rd.feed(w.data(), w.size(), *rec);
    *err = rd.error;
    *count = rec->msgs.size();
    return ok;
  };
  const char* err = nullptr;
  size_t n = 0;
  Bytes w;
  header(w, 3, 9, 0, 0, 0, 0);  // type 3 on a csid never seen
  w.push_back(1);
  CHECK(!run(w, &err, &n) && err && n == 0);
  w.clear();
  header(w, 1, 9, 10, 4, 9, 0);  // type 1 on a csid never seen
  CHECK(!run(w, &err, &n) && err);
  w.clear();
  for (uint32_t cs = 3; cs < 3 + kMaxChunkStreams + 1; cs++) {  // more chunk streams than the table
    header(w, 0, cs, 0, 1, 9, 1);
    w.push_back(0);
  }
  CHECK(!run(w, &err, &n) && err && n == size_t(kMaxChunkStreams));
  w.clear();
  header(w, 0, 2, 0, 4, 1, 0);  // Set Chunk Size 0
  put32(w, 0);
  CHECK(!run(w, &err, &n));
  // Truncated at every length: never an error, never a message that was not complete.
  Golden g = golden_chunks();
  for (size_t len = 0; len < 300; len++) {
    Bytes t(g.wire.begin(), g.wire.begin() + long(len));
    CHECK(run(t, &err, &n));
    CHECK(n == 0);
  }
  // A declared 16 MB message is streamed, not buffered.
  w.clear();
  header(w, 0, 7, 0, 0xFFFFFF, 9, 1);
  Bytes big = payload(100, 9);
  w.insert(w.end(), big.begin(), big.end());
  CHECK(run(w, &err, &n) && n == 0);
  // A new type 0 header on a csid with an unfinished message replaces it.
  w.clear();
  header(w, 0, 7, 0, 200, 9, 1);
  Bytes first_chunk = payload(128, 10);
  w.insert(w.end(), first_chunk.begin(), first_chunk.end());
  header(w, 0, 7, 5, 3, 9, 1);
  w.insert(w.end(), {1, 2, 3});
  {
    ChunkReader rd;
    auto rec = std::make_unique<Recorder>();
    rec->rd = &rd;
    CHECK(rd.feed(w.data(), w.size(), *rec));
    CHECK(rec->msgs.size() == 1 && rd.interrupted == 1);
  }
}

static void test_chunk_writer_roundtrip() {
  const uint8_t prefix[] = {9, 8, 7};
  for (uint32_t ts : {0u, 40u, 0xFFFFFEu, 0xFFFFFFu, 0x12345678u}) {
    for (uint32_t cs : {128u, 4096u, 1u}) {
      Bytes p = payload(9000, ts ^ cs);
      Bytes out(message_wire_size(p.size() + 3, cs, ts));
      size_t n = write_message(out.data(), out.size(), 6, 9, 1, ts, prefix, 3, p.data(), p.size(), cs);
      CHECK(n == out.size());
      CHECK(write_message(out.data(), out.size() - 1, 6, 9, 1, ts, prefix, 3, p.data(), p.size(), cs) == 0);
      ChunkReader rd;
      CHECK(rd.set_chunk_size(cs));
      auto rec = std::make_unique<Recorder>();
      rec->rd = &rd;
      CHECK(rd.feed(out.data(), n, *rec));
      Bytes whole(prefix, prefix + 3);
      whole.insert(whole.end(), p.begin(), p.end());
      CHECK(rec->msgs.size() == 1 && rec->msgs[0] == (Msg{6, ts, uint32_t(whole.size()), 1, 9, hash_of(whole)}));
    }
  }
}

// ---------------------------------------------------------------- AMF0

static Bytes create_stream_result() {
  Bytes b(256);
  AmfWriter a(b.data(), b.size());
  a.string("_result");
  a.number(2);
  a.null();
  a.number(1);
  b.resize(a.size());
  return b;
}

static Bytes on_status(const char* code) {
  Bytes b(512);
  AmfWriter a(b.data(), b.size());
  a.string("onStatus");
  a.number(0);
  a.null();
  a.object_begin();
  a.key("level");
  a.string("status");
  a.key("details");  // a nested object before the key we want
  a.object_begin();
  a.key("x");
  a.number(1);
  a.object_end();
  a.key("code");
  a.string(code);
  a.key("description");
  a.string("Start live");
  a.object_end();
  b.resize(a.size());
  return b;
}

static void test_amf0() {
  Bytes r = create_stream_result();
  {
    AmfReader rd(r.data(), r.size());
    std::string_view name;
    double txn = 0, sid = 0;
    CHECK(rd.read_string(name) && name == "_result");
    CHECK(rd.read_number(txn) && txn == 2);
    CHECK(rd.skip());
    CHECK(rd.read_number(sid) && sid == 1);
    CHECK(rd.at_end());
  }
  Bytes s = on_status("NetStream.Play.Start");
  {
    AmfReader rd(s.data(), s.size());
    std::string_view name, code;
    double txn;
    bool found = false;
    CHECK(rd.read_string(name) && rd.read_number(txn) && rd.skip());
    CHECK(rd.object_string("code", code, found) && found && code == "NetStream.Play.Start");
  }
  // Truncated at every length: every read either succeeds on a complete value or fails.
  for (size_t len = 0; len < s.size(); len++) {
    AmfReader rd(s.data(), len);
    std::string_view name, code;
    double txn;
    bool found = false;
    bool ok = rd.read_string(name) && rd.read_number(txn) && rd.skip() && rd.object_string("code", code, found);
    CHECK(!ok);
  }
  // Wrong types.
  {
    AmfReader rd(r.data(), r.size());
    double d;
    CHECK(!rd.read_number(d));  // a string comes first
  }
  // Nesting deeper than the reader allows.
  Bytes deep;
  for (int i = 0; i < 40; i++) deep.insert(deep.end(), {kAmfObject, 0, 1, 'a'});
  {
    AmfReader rd(deep.data(), deep.size());
    CHECK(!rd.skip());
  }
  // A string length past the end.
  Bytes bad = {kAmfString, 0xFF, 0xFF, 'a'};
  {
    AmfReader rd(bad.data(), bad.size());
    std::string_view v;
    CHECK(!rd.read_string(v));
  }
  // Writer overflow is reported, not written past the buffer.
  uint8_t small[8];
  AmfWriter w(small, sizeof(small));
  w.string("connect-is-longer-than-eight");
  CHECK(!w.ok());
}

// ---------------------------------------------------------------- HTTP-FLV

struct TagRecorder {
  bool http_ok = false;
  std::vector<Msg> tags;
  Msg cur{};
  void on_http_ok() { http_ok = true; }
  void on_tag_begin(uint8_t type, uint32_t ts, uint32_t size) { cur = Msg{0, ts, size, 0, type, kFnvBasis}; }
  void on_tag_data(const uint8_t* p, size_t n) { cur.hash = fnv1a(cur.hash, p, n); }
  void on_tag_end() { tags.push_back(cur); }
};

static Bytes flv_body(std::vector<Msg>& expect) {
  Bytes b = {'F', 'L', 'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0};
  struct T {
    uint8_t type;
    uint32_t ts;
    size_t n;
  } tags[] = {{18, 0, 30}, {9, 0, 1000}, {8, 23, 0}, {9, 0x01000005, 300}};
  uint32_t seed = 20;
  for (const T& t : tags) {
    Bytes p = payload(t.n, seed++);
    b.push_back(t.type);
    put24(b, uint32_t(t.n));
    put24(b, t.ts & 0xFFFFFF);
    b.push_back(uint8_t(t.ts >> 24));
    put24(b, 0);
    b.insert(b.end(), p.begin(), p.end());
    put32(b, uint32_t(t.n + 11));
    expect.push_back(Msg{0, t.ts, uint32_t(t.n), 0, t.type, hash_of(p)});
  }
  return b;
}

static Bytes http_response(const Bytes& body, bool chunked) {
  std::string head = "HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\n";
  head += chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Connection: close\r\n\r\n";
  Bytes w(head.begin(), head.end());
  if (!chunked) {
    w.insert(w.end(), body.begin(), body.end());
    return w;
  }
  size_t sizes[] = {1, 13, 500, 7, 4096};
  size_t pos = 0;
  for (int i = 0; pos < body.size(); i++) {
    size_t n = sizes[i % 5] < body.size() - pos ? sizes[i % 5] : body.size() - pos;
    char line[32];
    snprintf(line, sizeof(line), i % 2 ? "%zX;ext=1\r\n" : "%zx\r\n", n);
    w.insert(w.end(), line, line + strlen(line));
    w.insert(w.end(), body.begin() + long(pos), body.begin() + long(pos + n));
    w.insert(w.end(), {'\r', '\n'});
    pos += n;
  }
  return w;
}

static void test_http_flv() {
  std::vector<Msg> expect;
  Bytes body = flv_body(expect);
  for (bool chunked : {false, true}) {
    Bytes w = http_response(body, chunked);
    for (size_t split = 0; split <= w.size(); split++) {
      HttpFlvReader rd;
      TagRecorder rec;
      bool ok = rd.feed(w.data(), split, rec) && rd.feed(w.data() + split, w.size() - split, rec);
      CHECK(ok && rec.http_ok && rd.chunked == chunked);
      CHECK(rec.tags == expect);
      if (!ok || rec.tags != expect) {
        fprintf(stderr, "  chunked=%d split=%zu error=%s\n", chunked, split, rd.error ? rd.error : "");
        break;
      }
    }
  }
  auto fails = [](const std::string& s) {
    HttpFlvReader rd;
    TagRecorder rec;
    bool ok = rd.feed(reinterpret_cast<const uint8_t*>(s.data()), s.size(), rec);
    return !ok && rd.error != nullptr;
  };
  CHECK(fails("HTTP/1.1 404 Not Found\r\n\r\n"));
  CHECK(fails("RTSP/1.0 200 OK\r\n\r\n"));
  CHECK(fails("HTTP/1.1 200 OK\r\n\r\nXYZ123456789"));
  CHECK(fails("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
  CHECK(fails("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n"));  // empty size line
  CHECK(fails("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nFLVxx"));  // data not followed by CRLF
  CHECK(fails("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1234567890123456\r\n"));
  const char bad_offset[] = "HTTP/1.1 200 OK\r\n\r\nFLV\x01\x05\x00\x00\xff\xff";
  CHECK(fails(std::string(bad_offset, sizeof(bad_offset) - 1)));  // data offset too large
  CHECK(fails("HTTP/1.1 200 OK\r\nX: " + std::string(5000, 'a')));     // head too large
  // Truncated at every length: no error, no incomplete tag reported.
  Bytes w = http_response(body, true);
  for (size_t len = 0; len < 200; len++) {
    HttpFlvReader rd;
    TagRecorder rec;
    CHECK(rd.feed(w.data(), len, rec));
    CHECK(rec.tags.size() <= 1);
  }
}

int main() {
  test_chunk_reader_golden();
  test_chunk_reader_broken();
  test_chunk_writer_roundtrip();
  test_amf0();
  test_http_flv();
  if (g_failures) {
    fprintf(stderr, "parser-test: %d check(s) failed\n", g_failures);
    return 1;
  }
  printf("parser-test: all checks passed\n");
  return 0;
}
