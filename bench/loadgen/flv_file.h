// An FLV file read once into memory and indexed by tag, shared by every
// publisher of the process (each publisher only keeps a cursor into it).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rl {

struct FlvTag {
  uint8_t type;          // 8 audio, 9 video, 18 script data
  bool sequence_header;  // AVC/HEVC decoder config or AAC AudioSpecificConfig: sent only on the first loop
  uint32_t timestamp;    // ms, relative to the first tag of the file
  uint32_t offset;       // payload position in FlvFile::data
  uint32_t size;
  uint64_t hash;         // fnv1a of the payload, for latency matching
};

struct FlvFile {
  std::vector<uint8_t> data;
  std::vector<FlvTag> tags;
  uint32_t duration_ms = 0;     // one loop: last timestamp plus one frame interval
  uint64_t media_bytes = 0;     // audio+video payload bytes of one loop
  uint32_t max_tag_size = 0;

  // Returns an empty string on success, else why the file is unusable.
  std::string load(const std::string& path);
  double media_kbps() const { return duration_ms ? media_bytes * 8.0 / duration_ms : 0; }
};

}  // namespace rl
