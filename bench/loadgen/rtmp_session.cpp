// The client side of an RTMP session (player or publisher) and of an HTTP-FLV
// GET: handshake, commands, control messages and the per-message counting.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "amf0.h"
#include "chunk_writer.h"
#include "loadgen.h"

namespace rl {

namespace {

constexpr uint32_t kCsidControl = 2;
constexpr uint32_t kCsidCommand = 3;
constexpr uint32_t kCsidStream = 8;  // play/publish, as ffmpeg sends them
constexpr uint32_t kHandshakeSize = 1536;
constexpr uint32_t kPublishChunkSize = 4096;

enum MsgType : uint8_t {
  kSetChunkSize = 1,
  kAbort = 2,
  kAcknowledgement = 3,
  kUserControl = 4,
  kWindowAckSize = 5,
  kSetPeerBandwidth = 6,
  kAudio = 8,
  kVideo = 9,
  kDataAmf3 = 15,
  kCommandAmf3 = 17,
  kDataAmf0 = 18,
  kCommandAmf0 = 20,
  kAggregate = 22,
};

bool is_media_or_data(uint8_t t) {
  return t == kAudio || t == kVideo || t == kDataAmf0 || t == kDataAmf3 || t == kAggregate;
}

// C0 + C1 is the same for every connection: version 3, time 0, zero, random.
const uint8_t* c0c1() {
  static uint8_t buf[1 + kHandshakeSize];
  static bool ready = false;
  if (!ready) {
    buf[0] = 3;
    memset(buf + 1, 0, 8);
    uint32_t x = 0x12345678;
    for (uint32_t i = 9; i < sizeof(buf); i++) {
      x = x * 1103515245u + 12345u;
      buf[i] = uint8_t(x >> 16);
    }
    ready = true;
  }
  return buf;
}

bool code_is_error(std::string_view code) {
  static const char* kBad[] = {"Failed", "BadName", "StreamNotFound", "Rejected", "Denied", "Error", "Unauthorized"};
  for (const char* b : kBad)
    if (code.find(b) != std::string_view::npos) return true;
  return false;
}

}  // namespace

struct RtmpHandler {
  LoadGen& g;
  Conn& c;
  void on_begin(ChunkStream& cs) {
    if (cs.type == kVideo && c.hashing) c.vhash = kFnvBasis;
    // A message on the csid that holds the buffer replaces an unfinished one.
    if (!is_media_or_data(cs.type) && (!c.ctrl_busy || c.ctrl_csid == cs.csid)) {
      c.ctrl_busy = true;
      c.ctrl_trunc = false;
      c.ctrl_csid = cs.csid;
      c.ctrl_len = 0;
    }
  }
  void on_data(ChunkStream& cs, const uint8_t* p, size_t n) {
    if (cs.type == kAudio || cs.type == kVideo || cs.type == kAggregate) {
      c.media_bytes += n;
      if (cs.type == kVideo && c.hashing) c.vhash = fnv1a(c.vhash, p, n);
      return;
    }
    if (c.ctrl_busy && c.ctrl_csid == cs.csid && !is_media_or_data(cs.type)) {
      size_t room = sizeof(c.ctrl) - c.ctrl_len;
      if (n > room) {
        c.ctrl_trunc = true;
        n = room;
      }
      memcpy(c.ctrl + c.ctrl_len, p, n);
      c.ctrl_len += uint32_t(n);
    }
  }
  bool on_end(ChunkStream& cs) {
    g.on_rtmp_message_end(c, cs);
    return c.phase != Phase::kClosed;
  }
};

struct HttpHandler {
  LoadGen& g;
  Conn& c;
  void on_http_ok() { g.activate(c); }
  void on_tag_begin(uint8_t type, uint32_t ts, uint32_t) {
    c.http_tag_type = type;
    c.http_tag_ts = ts;
    if (type == kVideo && c.hashing) c.vhash = kFnvBasis;
  }
  void on_tag_data(const uint8_t* p, size_t n) {
    if (c.http_tag_type == kAudio || c.http_tag_type == kVideo) {
      c.media_bytes += n;
      if (c.http_tag_type == kVideo && c.hashing) c.vhash = fnv1a(c.vhash, p, n);
    }
  }
  void on_tag_end() {
    if (c.http_tag_type == kAudio) c.audio_msgs++;
    else if (c.http_tag_type == kVideo) g.on_video_complete(c, c.http_tag_ts);
    else c.data_msgs++;
  }
};

void LoadGen::feed(Conn& c, const uint8_t* p, size_t n) {
  c.in_bytes += n;
  total_in_ += n;
  if (c.role == Role::kHttpPlayer) {
    HttpHandler h{*this, c};
    if (!c.http->feed(p, n, h)) fail(c, c.http->status && c.http->status != 200 ? kFailHttp : kFailProtocol, c.http->error);
    return;
  }
  if (c.phase == Phase::kHandshake) {
    // S0 (1 byte) + S1 + S2; S1 is kept to be echoed as C2.
    const uint32_t total = 1 + 2 * kHandshakeSize;
    size_t k = n < total - c.hs_got ? n : total - c.hs_got;
    for (size_t i = 0; i < k; i++) {
      uint32_t at = c.hs_got + uint32_t(i);
      if (at == 0 && p[i] != 3) {
        fail(c, kFailHandshake, "S0 version is not 3");
        return;
      }
      if (at >= 1 && at <= kHandshakeSize) c.s1[at - 1] = p[i];
    }
    c.hs_got += uint32_t(k);
    p += k;
    n -= k;
    if (c.hs_got < total) return;
    after_handshake(c);
    if (c.phase == Phase::kClosed || n == 0) return;
  }
  RtmpHandler h{*this, c};
  if (!c.rd.feed(p, n, h)) {
    if (c.phase != Phase::kClosed) fail(c, kFailProtocol, c.rd.error ? c.rd.error : "chunk stream error");
    return;
  }
  interrupted_ += c.rd.interrupted;
  c.rd.interrupted = 0;
  maybe_ack(c);
}

// Servers send a Window Acknowledgement Size; a client that never acks may be
// throttled by servers that enforce it, so ack like a real player does.
void LoadGen::maybe_ack(Conn& c) {
  if (!o_.send_acks || c.window == 0 || c.in_bytes - c.acked < c.window) return;
  uint8_t seq[4];
  put_be32(seq, uint32_t(c.in_bytes));
  c.acked = c.in_bytes;
  send_message(c, kCsidControl, kAcknowledgement, 0, seq, 4);
  flush(c);
}

void LoadGen::send_handshake(Conn& c) {
  uint8_t* w = out_reserve(c, 1 + kHandshakeSize);
  if (!w) return fail(c, kFailSocket, "output buffer full");
  memcpy(w, c0c1(), 1 + kHandshakeSize);
  c.olen += 1 + kHandshakeSize;
  flush(c);
}

void LoadGen::after_handshake(Conn& c) {
  uint8_t* w = out_reserve(c, kHandshakeSize);
  if (!w) return fail(c, kFailSocket, "output buffer full");
  memcpy(w, c.s1, kHandshakeSize);  // C2 echoes S1
  c.olen += kHandshakeSize;
  c.phase = Phase::kConnect;
  if (c.role == Role::kPublisher) {
    uint8_t size[4];
    put_be32(size, kPublishChunkSize);
    send_message(c, kCsidControl, kSetChunkSize, 0, size, 4);
    c.out_chunk_size = kPublishChunkSize;
  }
  send_connect(c);
  flush(c);
}

bool LoadGen::send_message(Conn& c, uint32_t csid, uint8_t type, uint32_t sid, const uint8_t* p, size_t n) {
  size_t need = message_wire_size(n, c.out_chunk_size, 0);
  uint8_t* w = out_reserve(c, need);
  if (!w) {
    fail(c, kFailSocket, "output buffer full");
    return false;
  }
  c.olen += uint32_t(write_message(w, need, csid, type, sid, 0, nullptr, 0, p, n, c.out_chunk_size));
  return true;
}

void LoadGen::send_connect(Conn& c) {
  std::string tc_url = "rtmp://" + o_.host + ":" + std::to_string(o_.port) + "/" + o_.app;
  uint8_t buf[1024];
  AmfWriter a(buf, sizeof(buf));
  a.string("connect");
  a.number(1);
  a.object_begin();
  a.key("app");
  a.string(o_.app);
  if (c.role == Role::kPublisher) {
    a.key("type");
    a.string("nonprivate");
    a.key("flashVer");
    a.string("FMLE/3.0 (compatible; FMSc/1.0)");
    a.key("tcUrl");
    a.string(tc_url);
  } else {
    a.key("flashVer");
    a.string("LNX 9,0,124,2");
    a.key("tcUrl");
    a.string(tc_url);
    a.key("fpad");
    a.boolean(false);
    a.key("capabilities");
    a.number(15);
    a.key("audioCodecs");
    a.number(4071);
    a.key("videoCodecs");
    a.number(252);
    a.key("videoFunction");
    a.number(1);
  }
  a.object_end();
  if (!a.ok()) return fail(c, kFailSocket, "connect command too large");
  send_message(c, kCsidCommand, kCommandAmf0, 0, buf, a.size());
}

void LoadGen::send_create_stream(Conn& c) {
  std::string name = o_.stream_name(int(c.stream_index));
  uint8_t buf[512];
  if (c.role == Role::kPublisher) {
    // releaseStream and FCPublish are what FMLE and ffmpeg send; servers may or may not answer them.
    const char* cmds[] = {"releaseStream", "FCPublish"};
    for (int i = 0; i < 2; i++) {
      AmfWriter a(buf, sizeof(buf));
      a.string(cmds[i]);
      a.number(2 + i);
      a.null();
      a.string(name);
      if (!send_message(c, kCsidCommand, kCommandAmf0, 0, buf, a.size())) return;
    }
  }
  AmfWriter a(buf, sizeof(buf));
  a.string("createStream");
  a.number(c.role == Role::kPublisher ? 4 : 2);
  a.null();
  if (!send_message(c, kCsidCommand, kCommandAmf0, 0, buf, a.size())) return;
  c.phase = Phase::kCreateStream;
  flush(c);
}

void LoadGen::send_play_or_publish(Conn& c) {
  std::string name = o_.stream_name(int(c.stream_index));
  uint8_t buf[512];
  AmfWriter a(buf, sizeof(buf));
  if (c.role == Role::kPublisher) {
    a.string("publish");
    a.number(5);
    a.null();
    a.string(name);
    a.string("live");
  } else {
    a.string("play");
    a.number(0);
    a.null();
    a.string(name);
    a.number(-2000);  // live or recorded, whichever exists
  }
  if (!send_message(c, kCsidStream, kCommandAmf0, c.stream_id, buf, a.size())) return;
  if (c.role == Role::kPlayer) {
    uint8_t uc[10];
    put_be16(uc, 3);  // SetBufferLength
    put_be32(uc + 2, c.stream_id);
    put_be32(uc + 6, o_.buffer_ms);
    if (!send_message(c, kCsidControl, kUserControl, 0, uc, sizeof(uc))) return;
  }
  c.phase = Phase::kStart;
  flush(c);
}

void LoadGen::send_http_get(Conn& c) {
  char req[1024];
  int n = snprintf(req, sizeof(req),
                   "GET /%s/%s.flv HTTP/1.1\r\nHost: %s:%u\r\nUser-Agent: rtmp-load\r\nAccept: */*\r\n"
                   "Connection: keep-alive\r\n\r\n",
                   o_.app.c_str(), o_.stream_name(int(c.stream_index)).c_str(), o_.host.c_str(),
                   unsigned(o_.http_flv_port));
  if (n <= 0 || size_t(n) >= sizeof(req)) return fail(c, kFailSocket, "request too long");
  uint8_t* w = out_reserve(c, size_t(n));
  if (!w) return fail(c, kFailSocket, "output buffer full");
  memcpy(w, req, size_t(n));
  c.olen += uint32_t(n);
  flush(c);
}

void LoadGen::activate(Conn& c) {
  if (c.phase == Phase::kActive || c.phase == Phase::kClosed) return;
  c.phase = Phase::kActive;
  c.active_us = now_us();
  if (c.pub) {
    c.pub->start_us = c.active_us;
    pump(c, c.active_us);
  }
}

void LoadGen::on_rtmp_message_end(Conn& c, const ChunkStream& cs) {
  switch (cs.type) {
    case kAudio:
      c.audio_msgs++;
      if (c.role == Role::kPlayer) activate(c);
      return;
    case kVideo:
      if (c.role == Role::kPlayer) activate(c);
      on_video_complete(c, cs.timestamp);
      return;
    case kDataAmf0:
    case kDataAmf3:
    case kAggregate:
      c.data_msgs++;
      return;
    default:
      break;
  }
  if (!c.ctrl_busy || c.ctrl_csid != cs.csid) return;  // another message held the buffer
  c.ctrl_busy = false;
  if (!on_control(c, cs.type, c.ctrl, c.ctrl_len) && c.phase != Phase::kClosed) {
    fail(c, kFailProtocol, "bad control message");
  }
}

bool LoadGen::on_control(Conn& c, uint8_t type, const uint8_t* p, size_t n) {
  switch (type) {
    case kSetChunkSize:
      if (n < 4) return false;
      return c.rd.set_chunk_size(be32(p));
    case kWindowAckSize:
      if (n < 4) return false;
      c.window = be32(p);
      return true;
    case kUserControl:
      if (n >= 6 && be16(p) == 6) {  // PingRequest -> PingResponse with the same timestamp
        uint8_t pong[6];
        put_be16(pong, 7);
        memcpy(pong + 2, p + 2, 4);
        if (send_message(c, kCsidControl, kUserControl, 0, pong, 6)) flush(c);
      }
      return true;
    case kCommandAmf3:
      if (n < 1) return false;
      on_command(c, p + 1, n - 1);
      return true;
    case kCommandAmf0:
      on_command(c, p, n);
      return true;
    default:  // Abort, Acknowledgement, SetPeerBandwidth and unknown types need no answer
      return true;
  }
}

void LoadGen::on_command(Conn& c, const uint8_t* p, size_t n) {
  AmfReader r(p, n);
  std::string_view name;
  double txn = 0;
  if (!r.read_string(name)) return fail(c, kFailProtocol, "command without a name");
  if (!r.read_number(txn)) txn = -1;  // some servers send data-like commands without one
  const bool pub = c.role == Role::kPublisher;
  const int create_txn = pub ? 4 : 2;
  if (name == "_result") {
    if (txn == 1 && c.phase == Phase::kConnect) {
      send_create_stream(c);
    } else if (txn == create_txn && c.phase == Phase::kCreateStream) {
      double sid = 0;
      if (!r.skip() || !r.read_number(sid) || sid < 0 || sid > 1e6)
        return fail(c, kFailProtocol, "createStream _result without a stream id");
      c.stream_id = uint32_t(sid);
      send_play_or_publish(c);
    }
    return;
  }
  if (name == "_error") {
    if (txn == 2 || txn == 3) {
      if (pub) return;  // releaseStream / FCPublish refused: harmless
    }
    std::string_view code;
    bool found = false;
    if (r.skip()) r.object_string("code", code, found);
    return fail(c, kFailRejected, "_error for transaction " + std::to_string(int(txn)) + ": " + std::string(code));
  }
  if (name == "onStatus") {
    std::string_view code;
    bool found = false;
    if (!r.skip() || !r.object_string("code", code, found) || !found) return;
    if (code_is_error(code)) return fail(c, kFailRejected, std::string(code));
    if (code == "NetStream.Play.Start" && !pub) activate(c);
    if (code == "NetStream.Publish.Start" && pub) activate(c);
    return;
  }
  // onBWDone, onFCPublish, |RtmpSampleAccess, close, ...: nothing to do
}

}  // namespace rl
