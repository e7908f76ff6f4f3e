#include "byte_reader.h"

namespace tsrs {

bool ByteReader::ensure(size_t n) {
  if (overflow_ || size_ - pos_ < n) {
    overflow_ = true;
    return false;
  }
  return true;
}

uint8_t ByteReader::u8() { return ensure(1) ? data_[pos_++] : 0; }

uint16_t ByteReader::u16be() {
  if (!ensure(2)) return 0;
  uint16_t v = read_u16be(data_ + pos_);
  pos_ += 2;
  return v;
}

uint32_t ByteReader::u24be() {
  if (!ensure(3)) return 0;
  uint32_t v = read_u24be(data_ + pos_);
  pos_ += 3;
  return v;
}

uint32_t ByteReader::u32be() {
  if (!ensure(4)) return 0;
  uint32_t v = read_u32be(data_ + pos_);
  pos_ += 4;
  return v;
}

uint32_t ByteReader::u32le() {
  if (!ensure(4)) return 0;
  uint32_t v = read_u32le(data_ + pos_);
  pos_ += 4;
  return v;
}

const uint8_t* ByteReader::take(size_t n) {
  if (!ensure(n)) return nullptr;
  const uint8_t* p = data_ + pos_;
  pos_ += n;
  return p;
}

}  // namespace tsrs
