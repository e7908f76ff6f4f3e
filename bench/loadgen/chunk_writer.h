// Serialises one RTMP message into chunks: a type 0 header, then type 3
// continuation headers every chunk_size bytes. Writing straight into the
// connection's output buffer keeps the send path allocation-free.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "bytes.h"

namespace rl {

// Bytes write_message needs for a payload of `len` bytes.
inline size_t message_wire_size(size_t len, uint32_t chunk_size, uint32_t timestamp) {
  size_t ext = timestamp >= 0xFFFFFF ? 4 : 0;
  size_t chunks = len == 0 ? 1 : (len + chunk_size - 1) / chunk_size;
  return 12 + ext + (chunks - 1) * (1 + ext) + len;
}

// The payload is two segments (prefix may be empty) so a data message can get
// "@setDataFrame" prepended without copying the FLV tag. csid must be 2..63.
// Returns bytes written, or 0 when `cap` is too small (nothing written).
inline size_t write_message(uint8_t* out, size_t cap, uint32_t csid, uint8_t type, uint32_t stream_id,
                            uint32_t timestamp, const uint8_t* prefix, size_t prefix_len, const uint8_t* payload,
                            size_t payload_len, uint32_t chunk_size) {
  size_t len = prefix_len + payload_len;
  if (len > 0xFFFFFF || message_wire_size(len, chunk_size, timestamp) > cap) return 0;
  bool ext = timestamp >= 0xFFFFFF;
  uint8_t* p = out;
  *p++ = uint8_t(csid & 63);
  put_be24(p, ext ? 0xFFFFFF : timestamp);
  put_be24(p + 3, uint32_t(len));
  p[6] = type;
  put_le32(p + 7, stream_id);
  p += 11;
  if (ext) {
    put_be32(p, timestamp);
    p += 4;
  }
  size_t done = 0;
  while (true) {
    size_t n = len - done < chunk_size ? len - done : chunk_size;
    for (size_t i = 0; i < n;) {  // copy across the prefix/payload seam
      size_t at = done + i;
      if (at < prefix_len) {
        size_t k = prefix_len - at < n - i ? prefix_len - at : n - i;
        memcpy(p, prefix + at, k);
        p += k;
        i += k;
      } else {
        memcpy(p, payload + (at - prefix_len), n - i);
        p += n - i;
        i = n;
      }
    }
    done += n;
    if (done >= len) break;
    *p++ = uint8_t(0xC0 | (csid & 63));
    if (ext) {
      put_be32(p, timestamp);
      p += 4;
    }
  }
  return size_t(p - out);
}

}  // namespace rl
