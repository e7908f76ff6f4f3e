// The built-in publisher: sends the FLV file's tags paced by their timestamps,
// looping forever with timestamps that keep increasing.
#include "chunk_writer.h"
#include "loadgen.h"

namespace rl {

namespace {
constexpr uint32_t kCsidAudio = 4;
constexpr uint32_t kCsidData = 5;
constexpr uint32_t kCsidVideo = 6;
// AMF0 string "@setDataFrame": servers store the metadata that follows it.
constexpr uint8_t kSetDataFrame[] = {2, 0, 13, '@', 's', 'e', 't', 'D', 'a', 't', 'a', 'F', 'r', 'a', 'm', 'e'};
}  // namespace

void LoadGen::pump_publishers(int64_t now) {
  for (int i = 0; i < n_pub_; i++) {
    Conn& c = conns_[i];
    if (c.phase == Phase::kActive) pump(c, now);
  }
}

void LoadGen::pump(Conn& c, int64_t now) {
  PublisherState& s = *c.pub;
  const uint32_t elapsed_ms = uint32_t((now - s.start_us) / 1000);
  bool wrote = false;
  s.lag_ms = 0;
  // Bounded: at most one loop of the file per call.
  for (size_t guard = 0; guard <= flv_.tags.size(); guard++) {
    if (s.tag >= flv_.tags.size()) {
      s.tag = 0;
      s.loop++;
      s.loop_offset_ms += flv_.duration_ms;
    }
    const FlvTag& t = flv_.tags[s.tag];
    if (s.loop > 0 && (t.sequence_header || t.type == 18)) {  // codec config and metadata only once
      s.tag++;
      continue;
    }
    uint32_t ts = t.timestamp + s.loop_offset_ms;
    if (ts > elapsed_ms) break;
    bool data = t.type == 18;
    size_t prefix = data ? sizeof(kSetDataFrame) : 0;
    size_t need = message_wire_size(t.size + prefix, c.out_chunk_size, ts);
    uint8_t* w = out_reserve(c, need);
    if (!w) {  // the server is not reading fast enough
      s.lag_ms = elapsed_ms - ts;
      break;
    }
    uint32_t csid = t.type == 8 ? kCsidAudio : (t.type == 9 ? kCsidVideo : kCsidData);
    c.olen += uint32_t(write_message(w, need, csid, t.type, c.stream_id, ts, data ? kSetDataFrame : nullptr, prefix,
                                     flv_.data.data() + t.offset, t.size, c.out_chunk_size));
    if (!data) s.payload_bytes += t.size;
    if (t.type == 9 && o_.latency) record_send(c.stream_index, t.hash, now);
    s.tag++;
    wrote = true;
  }
  if (wrote) flush(c);
}

}  // namespace rl
