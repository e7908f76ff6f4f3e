// Incremental RTMP chunk-stream parser. It never buffers payload: bytes are
// handed to the handler as they arrive, so a player costs a few hundred bytes
// of state no matter how large the messages are. Any split of the input
// (down to one byte per call) yields the same callbacks.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "bytes.h"

namespace rl {

constexpr int kMaxChunkStreams = 16;  // servers use fewer than 10 csids per connection

struct ChunkStream {
  uint32_t csid = 0;
  bool used = false;
  bool ext = false;  // last header of this csid carried an extended timestamp
  uint8_t type = 0;
  uint32_t sid = 0;
  uint32_t timestamp = 0;
  uint32_t delta = 0;
  uint32_t length = 0;
  uint32_t got = 0;  // payload bytes of the current message seen so far
};

// Handler concept:
//   void on_begin(ChunkStream&)                                  new message header parsed
//   void on_data(ChunkStream&, const uint8_t*, size_t)           payload bytes
//   bool on_end(ChunkStream&)                                    message complete; false stops feeding
class ChunkReader {
 public:
  uint32_t chunk_size = 128;  // change only through set_chunk_size
  uint64_t interrupted = 0;  // a new message header replaced an unfinished message
  const char* error = nullptr;

  // Returns false on a protocol error (error is set) or when the handler asked to stop.
  template <class H>
  bool feed(const uint8_t* p, size_t n, H& h) {
    while (n > 0) {
      if (payload_left_ > 0) {
        ChunkStream& cs = streams_[cur_];
        size_t k = n < payload_left_ ? n : payload_left_;
        h.on_data(cs, p, k);
        p += k;
        n -= k;
        payload_left_ -= uint32_t(k);
        cs.got += uint32_t(k);
        if (cs.got == cs.length) {
          cs.got = 0;
          if (!h.on_end(cs)) return false;
        }
        continue;
      }
      size_t want = need_ - hlen_;
      size_t k = n < want ? n : want;
      memcpy(hdr_ + hlen_, p, k);
      hlen_ += uint8_t(k);
      p += k;
      n -= k;
      if (hlen_ == need_ && !header_step(h)) return false;
    }
    return true;
  }

  // From a peer's Set Chunk Size; 0 or a value with the top bit set is a protocol error.
  bool set_chunk_size(uint32_t size) {
    if (size == 0 || size > 0x7FFFFFFF) return fail("invalid chunk size");
    chunk_size = size;
    return true;
  }

  const ChunkStream* find(uint32_t csid) const {
    for (int i = 0; i < kMaxChunkStreams; i++)
      if (streams_[i].used && streams_[i].csid == csid) return &streams_[i];
    return nullptr;
  }

 private:
  static constexpr uint8_t kMsgHeaderSize[4] = {11, 7, 3, 0};

  ChunkStream streams_[kMaxChunkStreams];
  uint8_t hdr_[18];  // 3 basic + 11 message + 4 extended timestamp
  uint8_t hlen_ = 0;
  uint8_t need_ = 1;
  uint8_t stage_ = 0;  // 0: first byte, 1: basic+message header, 2: extended timestamp
  uint8_t fmt_ = 0;
  uint8_t basic_ = 1;
  int cur_ = 0;
  uint32_t payload_left_ = 0;

  bool fail(const char* why) {
    error = why;
    return false;
  }

  int slot_for(uint32_t csid, bool create) {
    int free_slot = -1;
    for (int i = 0; i < kMaxChunkStreams; i++) {
      if (streams_[i].used) {
        if (streams_[i].csid == csid) return i;
      } else if (free_slot < 0) {
        free_slot = i;
      }
    }
    if (!create || free_slot < 0) return -1;
    streams_[free_slot] = ChunkStream();
    streams_[free_slot].used = true;
    streams_[free_slot].csid = csid;
    return free_slot;
  }

  template <class H>
  bool header_step(H& h) {
    if (stage_ == 0) {
      fmt_ = hdr_[0] >> 6;
      uint8_t low = hdr_[0] & 63;
      basic_ = low == 0 ? 2 : (low == 1 ? 3 : 1);
      need_ = uint8_t(basic_ + kMsgHeaderSize[fmt_]);
      stage_ = 1;
      if (hlen_ < need_) return true;
    }
    if (stage_ == 1) {
      uint8_t low = hdr_[0] & 63;
      uint32_t csid = low == 0 ? 64u + hdr_[1] : (low == 1 ? 64u + hdr_[1] + 256u * hdr_[2] : low);
      int slot = slot_for(csid, fmt_ == 0);
      if (slot < 0) {
        return fail(fmt_ == 0 ? "too many chunk streams" : "chunk continues a stream that never had a type 0 header");
      }
      cur_ = slot;
      bool ext = fmt_ < 3 ? be24(hdr_ + basic_) == 0xFFFFFF : streams_[slot].ext;
      stage_ = 2;
      if (ext) {
        need_ = uint8_t(need_ + 4);
        return true;
      }
    }
    return finish_header(h);
  }

  template <class H>
  bool finish_header(H& h) {
    ChunkStream& cs = streams_[cur_];
    const uint8_t* m = hdr_ + basic_;
    uint8_t mh = kMsgHeaderSize[fmt_];
    bool has_ext = need_ == basic_ + mh + 4;
    uint32_t ext_value = has_ext ? be32(m + mh) : 0;
    bool new_message = true;
    if (fmt_ < 3) {
      if (cs.got != 0) {
        interrupted++;
        cs.got = 0;
      }
      uint32_t field = be24(m);
      cs.ext = field == 0xFFFFFF;
      uint32_t value = cs.ext ? ext_value : field;
      if (fmt_ <= 1) {
        cs.length = be24(m + 3);
        cs.type = m[6];
      }
      if (fmt_ == 0) {
        cs.sid = le32(m + 7);
        cs.timestamp = value;
        cs.delta = value;  // as SRS and ffmpeg do: a type 3 that starts a new message adds this
      } else {
        cs.delta = value;
        cs.timestamp += value;
      }
    } else if (cs.got == 0) {
      cs.timestamp += cs.delta;
    } else {
      new_message = false;
    }
    hlen_ = 0;
    need_ = 1;
    stage_ = 0;
    if (new_message) {
      h.on_begin(cs);
      if (cs.length == 0) return h.on_end(cs);
    }
    uint32_t left = cs.length - cs.got;
    payload_left_ = left < chunk_size ? left : chunk_size;
    return true;
  }
};

}  // namespace rl
