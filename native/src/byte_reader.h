// Big-endian reads and writes over byte spans, independent of the host's byte order:
// every wire format tsrs handles (RTMP, FLV, MPEG-TS, RTP) is big-endian, and the core
// must run the same on little-endian x86/ARM and big-endian MIPS boards.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tsrs {

inline uint16_t read_u16be(const uint8_t* p) { return uint16_t((p[0] << 8) | p[1]); }
inline uint32_t read_u24be(const uint8_t* p) { return (uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | p[2]; }
inline uint32_t read_u32be(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
// RTMP's message stream id is the one little-endian field of the chunk header.
inline uint32_t read_u32le(const uint8_t* p) {
  return (uint32_t(p[3]) << 24) | (uint32_t(p[2]) << 16) | (uint32_t(p[1]) << 8) | p[0];
}

inline void write_u16be(uint8_t* p, uint16_t v) { p[0] = uint8_t(v >> 8); p[1] = uint8_t(v); }
inline void write_u24be(uint8_t* p, uint32_t v) { p[0] = uint8_t(v >> 16); p[1] = uint8_t(v >> 8); p[2] = uint8_t(v); }
inline void write_u32be(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24); p[1] = uint8_t(v >> 16); p[2] = uint8_t(v >> 8); p[3] = uint8_t(v);
}
inline void write_u32le(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v); p[1] = uint8_t(v >> 8); p[2] = uint8_t(v >> 16); p[3] = uint8_t(v >> 24);
}

// A bounds-checked cursor over an input span. Reads past the end set `overflow` and
// return zero instead of touching memory, so parsers check once after a group of reads.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  size_t remaining() const { return size_ - pos_; }
  size_t position() const { return pos_; }
  bool overflow() const { return overflow_; }
  const uint8_t* cursor() const { return data_ + pos_; }

  uint8_t u8();
  uint16_t u16be();
  uint32_t u24be();
  uint32_t u32be();
  uint32_t u32le();
  // Advances over n bytes and returns where they start, or nullptr when fewer remain.
  const uint8_t* take(size_t n);

 private:
  bool ensure(size_t n);

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  bool overflow_ = false;
};

}  // namespace tsrs
