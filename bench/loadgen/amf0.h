// Just enough AMF0 to speak RTMP commands: a writer for connect/play/publish
// and a bounds-checked reader that extracts a command name, transaction id,
// a stream id and the "code" of a status object. Malformed input makes the
// reader return false, never read past the end.
#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>

#include "bytes.h"

namespace rl {

enum Amf0Marker : uint8_t {
  kAmfNumber = 0,
  kAmfBoolean = 1,
  kAmfString = 2,
  kAmfObject = 3,
  kAmfNull = 5,
  kAmfUndefined = 6,
  kAmfReference = 7,
  kAmfEcmaArray = 8,
  kAmfObjectEnd = 9,
  kAmfStrictArray = 10,
  kAmfDate = 11,
  kAmfLongString = 12,
  kAmfUnsupported = 13,
  kAmfXmlDocument = 15,
  kAmfTypedObject = 16,
};

class AmfWriter {
 public:
  AmfWriter(uint8_t* buf, size_t cap) : p_(buf), begin_(buf), end_(buf + cap) {}
  bool ok() const { return ok_; }
  size_t size() const { return size_t(p_ - begin_); }

  void number(double v) {
    if (!room(9)) return;
    uint64_t bits;
    memcpy(&bits, &v, 8);
    *p_++ = kAmfNumber;
    for (int i = 7; i >= 0; i--) *p_++ = uint8_t(bits >> (i * 8));
  }
  void boolean(bool v) {
    if (!room(2)) return;
    *p_++ = kAmfBoolean;
    *p_++ = v ? 1 : 0;
  }
  void null() {
    if (!room(1)) return;
    *p_++ = kAmfNull;
  }
  void string(std::string_view s) {
    if (!room(1)) return;
    *p_++ = kAmfString;
    raw_string(s);
  }
  void object_begin() {
    if (!room(1)) return;
    *p_++ = kAmfObject;
  }
  void key(std::string_view s) { raw_string(s); }
  void object_end() {
    if (!room(3)) return;
    *p_++ = 0;
    *p_++ = 0;
    *p_++ = kAmfObjectEnd;
  }

 private:
  uint8_t* p_;
  uint8_t* begin_;
  uint8_t* end_;
  bool ok_ = true;

  bool room(size_t n) {
    if (!ok_ || size_t(end_ - p_) < n) ok_ = false;
    return ok_;
  }
  void raw_string(std::string_view s) {
    if (s.size() > 0xFFFF || !room(2 + s.size())) {
      ok_ = false;
      return;
    }
    put_be16(p_, uint16_t(s.size()));
    memcpy(p_ + 2, s.data(), s.size());
    p_ += 2 + s.size();
  }
};

class AmfReader {
 public:
  AmfReader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  bool at_end() const { return p_ >= end_; }

  bool read_string(std::string_view& out) {
    if (p_ >= end_ || *p_ != kAmfString) return false;
    p_++;
    return raw_string(out);
  }
  bool read_number(double& out) {
    if (end_ - p_ < 9 || *p_ != kAmfNumber) return false;
    uint64_t bits = 0;
    for (int i = 1; i <= 8; i++) bits = (bits << 8) | p_[i];
    memcpy(&out, &bits, 8);
    p_ += 9;
    return true;
  }
  // Skips one value of any type; depth bounds nesting so hostile input cannot recurse deeply.
  bool skip(int depth = 0) {
    if (p_ >= end_ || depth > 16) return false;
    uint8_t marker = *p_++;
    std::string_view s;
    switch (marker) {
      case kAmfNumber: return advance(8);
      case kAmfBoolean: return advance(1);
      case kAmfString:
      case kAmfXmlDocument: return raw_string(s);
      case kAmfLongString:
        if (end_ - p_ < 4) return false;
        { uint32_t n = be32(p_); p_ += 4; return advance(n); }
      case kAmfNull:
      case kAmfUndefined:
      case kAmfUnsupported: return true;
      case kAmfReference: return advance(2);
      case kAmfDate: return advance(10);
      case kAmfEcmaArray:
        if (!advance(4)) return false;
        return skip_properties(depth, nullptr, nullptr, nullptr);
      case kAmfTypedObject:
        if (!raw_string(s)) return false;
        return skip_properties(depth, nullptr, nullptr, nullptr);
      case kAmfObject: return skip_properties(depth, nullptr, nullptr, nullptr);
      case kAmfStrictArray: {
        if (end_ - p_ < 4) return false;
        uint32_t n = be32(p_);
        p_ += 4;
        for (uint32_t i = 0; i < n; i++)
          if (!skip(depth + 1)) return false;
        return true;
      }
      default: return false;
    }
  }
  // Reads an object (or ECMA array, or null) and returns the string value of `name` if present.
  bool object_string(std::string_view name, std::string_view& out, bool& found) {
    found = false;
    if (p_ >= end_) return false;
    uint8_t marker = *p_;
    if (marker == kAmfNull || marker == kAmfUndefined) {
      p_++;
      return true;
    }
    if (marker == kAmfEcmaArray) {
      p_++;
      if (!advance(4)) return false;
    } else if (marker == kAmfObject) {
      p_++;
    } else {
      return skip();
    }
    return skip_properties(0, &name, &out, &found);
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  bool advance(size_t n) {
    if (size_t(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }
  bool raw_string(std::string_view& out) {
    if (end_ - p_ < 2) return false;
    size_t n = be16(p_);
    if (size_t(end_ - p_ - 2) < n) return false;
    out = std::string_view(reinterpret_cast<const char*>(p_ + 2), n);
    p_ += 2 + n;
    return true;
  }
  bool skip_properties(int depth, const std::string_view* want, std::string_view* out, bool* found) {
    for (int guard = 0; guard < 65536; guard++) {
      std::string_view k;
      if (!raw_string(k)) return false;
      if (k.empty() && p_ < end_ && *p_ == kAmfObjectEnd) {
        p_++;
        return true;
      }
      if (want && k == *want && p_ < end_ && *p_ == kAmfString) {
        p_++;
        if (!raw_string(*out)) return false;
        *found = true;
        continue;
      }
      if (!skip(depth + 1)) return false;
    }
    return false;
  }
};

}  // namespace rl
