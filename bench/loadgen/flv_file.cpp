#include "flv_file.h"

#include <cstdio>

#include "bytes.h"

namespace rl {

static bool is_sequence_header(uint8_t type, const uint8_t* p, uint32_t n) {
  if (type == 9) {
    if (n < 2) return false;
    uint8_t codec = p[0] & 0x0F;
    // AVC(7)/HEVC(12) packet type 0; enhanced RTMP: IsExHeader bit and PacketType 0 (SequenceStart).
    if (p[0] & 0x80) return (p[0] & 0x0F) == 0;
    return (codec == 7 || codec == 12) && p[1] == 0;
  }
  if (type == 8) return n >= 2 && (p[0] >> 4) == 10 && p[1] == 0;  // AAC sequence header
  return false;
}

std::string FlvFile::load(const std::string& path) {
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) return "cannot open " + path;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  if (size < 13 || size > (1L << 31)) {
    fclose(f);
    return "file too small or too large: " + path;
  }
  data.resize(size_t(size));
  size_t got = fread(data.data(), 1, data.size(), f);
  fclose(f);
  if (got != data.size()) return "short read: " + path;
  const uint8_t* d = data.data();
  if (d[0] != 'F' || d[1] != 'L' || d[2] != 'V') return "not an FLV file: " + path;
  size_t pos = be32(d + 5) + 4;  // header, then PreviousTagSize0
  bool first = true;
  uint32_t base = 0, last_ts = 0, prev_video_ts = 0, video_interval = 40;
  while (pos + 11 <= data.size()) {
    uint8_t type = d[pos] & 0x1F;
    uint32_t n = be24(d + pos + 1);
    uint32_t ts = be24(d + pos + 4) | (uint32_t(d[pos + 7]) << 24);
    size_t payload = pos + 11;
    if (payload + n > data.size()) break;  // truncated last tag: ignore it
    if (type == 8 || type == 9 || type == 18) {
      if (first) {
        base = ts;
        first = false;
      }
      FlvTag t;
      t.type = type;
      t.timestamp = ts - base;
      t.offset = uint32_t(payload);
      t.size = n;
      t.sequence_header = is_sequence_header(type, d + payload, n);
      t.hash = fnv1a(kFnvBasis, d + payload, n);
      if (type == 9 && !t.sequence_header) {
        if (t.timestamp > prev_video_ts) video_interval = t.timestamp - prev_video_ts;
        prev_video_ts = t.timestamp;
      }
      if (t.timestamp > last_ts) last_ts = t.timestamp;
      if (type != 18) media_bytes += n;
      if (n > max_tag_size) max_tag_size = n;
      tags.push_back(t);
    }
    pos = payload + n + 4;
  }
  if (tags.empty()) return "no audio/video tags in " + path;
  duration_ms = last_ts + video_interval;
  return "";
}

}  // namespace rl
