#include "rtmp_chunk_muxer.h"

#include <cstring>

#include "byte_reader.h"
#include "rtmp_chunk_demuxer.h"

namespace tsrs {

namespace {

// The shortest basic header form that holds csid: 1 byte for 2..63, 2 for 64..319, 3 above.
size_t basic_header_size(uint32_t csid) { return csid < 64 ? 1 : csid < 320 ? 2 : 3; }

uint8_t* write_basic_header(uint8_t* p, uint8_t fmt, uint32_t csid) {
  uint8_t top = uint8_t(fmt << 6);
  if (csid < 64) {
    *p++ = uint8_t(top | csid);
  } else if (csid < 320) {
    *p++ = top;
    *p++ = uint8_t(csid - 64);
  } else {
    *p++ = uint8_t(top | 1);
    *p++ = uint8_t((csid - 64) & 0xff);
    *p++ = uint8_t((csid - 64) >> 8);
  }
  return p;
}

}  // namespace

bool chunk_message_encodable(uint32_t csid, size_t payload_size, uint32_t chunk_size) {
  return csid >= kRtmpMinChunkStreamId && csid <= kRtmpMaxChunkStreamId && payload_size <= kRtmpMaxPayloadSize &&
         chunk_size >= 1 && chunk_size <= kRtmpMaxOutChunkSize;
}

size_t chunk_message_encoded_size(uint32_t csid, uint32_t timestamp, size_t payload_size, uint32_t chunk_size) {
  if (!chunk_message_encodable(csid, payload_size, chunk_size)) return 0;
  size_t extended = timestamp >= kRtmpExtendedTimestampMarker ? 4 : 0;
  size_t basic = basic_header_size(csid);
  size_t chunks = payload_size == 0 ? 1 : (payload_size + chunk_size - 1) / chunk_size;
  return basic + 11 + extended + (chunks - 1) * (basic + extended) + payload_size;
}

size_t encode_chunk_message_into(const ChunkMessageHeader& header, const uint8_t* payload, size_t payload_size,
                                 uint32_t chunk_size, uint8_t* out, size_t capacity) {
  size_t total = chunk_message_encoded_size(header.csid, header.timestamp, payload_size, chunk_size);
  if (total == 0 || capacity < total) return 0;
  bool extended = header.timestamp >= kRtmpExtendedTimestampMarker;

  uint8_t* p = write_basic_header(out, 0, header.csid);
  write_u24be(p, extended ? kRtmpExtendedTimestampMarker : header.timestamp);
  write_u24be(p + 3, uint32_t(payload_size));
  p[6] = header.type_id;
  write_u32le(p + 7, header.stream_id);
  p += 11;
  if (extended) {
    write_u32be(p, header.timestamp);
    p += 4;
  }

  size_t offset = 0;
  for (;;) {
    size_t n = payload_size - offset < chunk_size ? payload_size - offset : chunk_size;
    if (n) std::memcpy(p, payload + offset, n);
    p += n;
    offset += n;
    if (offset >= payload_size) break;
    p = write_basic_header(p, 3, header.csid);
    if (extended) {
      write_u32be(p, header.timestamp);
      p += 4;
    }
  }
  return size_t(p - out);
}

std::vector<uint8_t> encode_chunk_message(const ChunkMessageHeader& header, const uint8_t* payload,
                                          size_t payload_size, uint32_t chunk_size) {
  std::vector<uint8_t> out(chunk_message_encoded_size(header.csid, header.timestamp, payload_size, chunk_size));
  if (!out.empty()) encode_chunk_message_into(header, payload, payload_size, chunk_size, out.data(), out.size());
  return out;
}

}  // namespace tsrs
