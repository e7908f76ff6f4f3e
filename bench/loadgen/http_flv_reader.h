// Incremental HTTP-FLV client parser: the response head, optional chunked
// transfer coding, then FLV tags. Like the chunk reader it never buffers a
// payload, and any split of the input gives the same callbacks.
#pragma once
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "bytes.h"

namespace rl {

// Handler concept:
//   void on_tag_begin(uint8_t type, uint32_t timestamp, uint32_t size)
//   void on_tag_data(const uint8_t*, size_t)
//   void on_tag_end()
class FlvTagReader {
 public:
  const char* error = nullptr;

  template <class H>
  bool feed(const uint8_t* p, size_t n, H& h) {
    while (n > 0) {
      if (state_ == kPayload) {
        size_t k = n < left_ ? n : size_t(left_);
        h.on_tag_data(p, k);
        p += k;
        n -= k;
        left_ -= k;
        if (left_ == 0) {
          h.on_tag_end();
          state_ = kSkip;
          left_ = 4;  // PreviousTagSize
        }
        continue;
      }
      if (state_ == kSkip) {
        size_t k = n < left_ ? n : size_t(left_);
        p += k;
        n -= k;
        left_ -= k;
        if (left_ == 0) {
          state_ = kTagHeader;
          hlen_ = 0;
        }
        continue;
      }
      size_t need = state_ == kFileHeader ? 9 : 11;
      size_t k = n < need - hlen_ ? n : need - hlen_;
      memcpy(hdr_ + hlen_, p, k);
      hlen_ += k;
      p += k;
      n -= k;
      if (hlen_ < need) return true;
      if (state_ == kFileHeader) {
        if (hdr_[0] != 'F' || hdr_[1] != 'L' || hdr_[2] != 'V') return fail("response body is not FLV");
        uint32_t offset = be32(hdr_ + 5);
        if (offset < 9 || offset > 1024) return fail("FLV header has an invalid data offset");
        state_ = kSkip;
        left_ = offset - 9 + 4;  // rest of the header, then PreviousTagSize0
        continue;
      }
      uint8_t type = hdr_[0] & 0x1F;
      uint32_t size = be24(hdr_ + 1);
      uint32_t ts = be24(hdr_ + 4) | (uint32_t(hdr_[7]) << 24);
      h.on_tag_begin(type, ts, size);
      if (size == 0) {
        h.on_tag_end();
        state_ = kSkip;
        left_ = 4;
      } else {
        state_ = kPayload;
        left_ = size;
      }
    }
    return true;
  }

 private:
  enum State : uint8_t { kFileHeader, kTagHeader, kPayload, kSkip };
  State state_ = kFileHeader;
  uint8_t hdr_[11];
  size_t hlen_ = 0;
  uint64_t left_ = 0;

  bool fail(const char* why) {
    error = why;
    return false;
  }
};

class HttpFlvReader {
 public:
  const char* error = nullptr;
  int status = 0;
  bool chunked = false;
  bool head_done = false;

  template <class H>
  bool feed(const uint8_t* p, size_t n, H& h) {
    if (!head_done) {
      size_t used = 0;
      if (!read_head(p, n, used)) return false;
      p += used;
      n -= used;
      if (!head_done) return true;
      h.on_http_ok();
    }
    if (!chunked) return body(p, n, h);
    while (n > 0) {
      switch (cstate_) {
        case kSize: {
          uint8_t c = *p++;
          n--;
          int v = hexval(c);
          if (v >= 0) {
            if (++digits_ > 15) return fail("chunk size too long");
            chunk_left_ = chunk_left_ * 16 + uint64_t(v);
          } else if (c == '\r' && digits_ > 0) {
            cstate_ = kSizeLf;
          } else if ((c == ';' || c == ' ') && digits_ > 0) {
            cstate_ = kSizeExt;
          } else {
            return fail("invalid chunk size line");
          }
          break;
        }
        case kSizeExt:
          if (*p == '\r') cstate_ = kSizeLf;
          p++;
          n--;
          break;
        case kSizeLf:
          if (*p != '\n') return fail("chunk size line without LF");
          p++;
          n--;
          cstate_ = chunk_left_ == 0 ? kEnd : kData;
          break;
        case kData: {
          size_t k = n < chunk_left_ ? n : size_t(chunk_left_);
          if (!body(p, k, h)) return false;
          p += k;
          n -= k;
          chunk_left_ -= k;
          if (chunk_left_ == 0) cstate_ = kDataCr;
          break;
        }
        case kDataCr:
          if (*p != '\r') return fail("chunk data not followed by CRLF");
          p++;
          n--;
          cstate_ = kDataLf;
          break;
        case kDataLf:
          if (*p != '\n') return fail("chunk data not followed by CRLF");
          p++;
          n--;
          cstate_ = kSize;
          digits_ = 0;
          chunk_left_ = 0;
          break;
        case kEnd:
          return fail("stream ended (last chunk)");
      }
    }
    return true;
  }

 private:
  enum ChunkState : uint8_t { kSize, kSizeExt, kSizeLf, kData, kDataCr, kDataLf, kEnd };
  char head_[4096];
  size_t head_len_ = 0;
  ChunkState cstate_ = kSize;
  int digits_ = 0;
  uint64_t chunk_left_ = 0;
  FlvTagReader flv_;

  bool fail(const char* why) {
    error = why;
    return false;
  }
  static int hexval(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  template <class H>
  bool body(const uint8_t* p, size_t n, H& h) {
    if (!flv_.feed(p, n, h)) return fail(flv_.error);
    return true;
  }
  // Consumes bytes up to and including the blank line ending the head.
  bool read_head(const uint8_t* p, size_t n, size_t& used) {
    for (used = 0; used < n;) {
      if (head_len_ >= sizeof(head_) - 1) return fail("HTTP response head too large");
      head_[head_len_++] = char(p[used++]);
      if (head_len_ >= 4 && memcmp(head_ + head_len_ - 4, "\r\n\r\n", 4) == 0) {
        head_[head_len_] = 0;
        return parse_head();
      }
    }
    return true;
  }
  bool parse_head() {
    if (head_len_ < 12 || memcmp(head_, "HTTP/1.", 7) != 0) return fail("not an HTTP/1.x response");
    status = atoi3(head_ + 9);
    if (status != 200) return fail("HTTP status is not 200");
    for (char* c = head_; *c; c++) *c = char(tolower(uint8_t(*c)));
    const char* te = strstr(head_, "\r\ntransfer-encoding:");
    if (te) {
      const char* eol = strstr(te + 2, "\r\n");
      const char* ch = strstr(te, "chunked");
      chunked = ch && eol && ch < eol;
    }
    head_done = true;
    return true;
  }
  static int atoi3(const char* s) {
    if (!isdigit(uint8_t(s[0])) || !isdigit(uint8_t(s[1])) || !isdigit(uint8_t(s[2]))) return 0;
    return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
  }
};

}  // namespace rl
