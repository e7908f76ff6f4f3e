// Per-second aggregate stats, latency matching and the final summary.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>

#include "loadgen.h"

namespace rl {

namespace {

uint64_t latency_key(uint32_t stream, uint64_t hash) { return hash ^ (uint64_t(stream) + 1) * 0x9E3779B97F4A7C15ULL; }

double cpu_seconds() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// q-quantile of v (reorders v).
float quantile(std::vector<float>& v, double q) {
  if (v.empty()) return 0;
  size_t k = size_t(q * double(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + long(k), v.end());
  return v[k];
}

}  // namespace

void LoadGen::record_send(uint32_t stream, uint64_t hash, int64_t t_us) {
  uint64_t key = latency_key(stream, hash);
  sent_[key & (sent_.size() - 1)] = SendRecord{key, t_us};
}

void LoadGen::on_video_complete(Conn& c, uint32_t timestamp) {
  c.video_msgs++;
  c.last_video_ts = timestamp;
  if (!c.hashing) return;
  uint64_t key = latency_key(c.stream_index, c.vhash);
  const SendRecord& r = sent_[key & (sent_.size() - 1)];
  int64_t now = now_us();
  if (r.key != key) {
    latency_unmatched_++;
    return;
  }
  if (now - c.active_us < int64_t(o_.latency_warmup_s * 1e6)) return;
  if (latency_ms_.size() < latency_ms_.capacity()) latency_ms_.push_back(float(now - r.t_us) / 1000.0f);
}

void LoadGen::tick(int64_t now) {
  tick_++;
  const int W = o_.window_s;
  const int slot = tick_ % (W + 1);
  const int old = ((tick_ - W) % (W + 1) + (W + 1)) % (W + 1);  // read only once tick_ >= W
  // The real span of the window: ticks can run late by up to one loop period.
  const double span_s = tick_ > W ? double(now - tick_time_us_[old]) / 1e6 : double(W);
  tick_time_us_[slot] = now;
  const double fallback = (o_.expect_kbps > 0 ? o_.expect_kbps : flv_.media_kbps()) * 125.0 * span_s;

  int pub_live = 0;
  uint32_t pub_lag = 0;
  for (int s = 0; s < o_.streams; s++) expected_[size_t(s)] = fallback;
  for (int i = 0; i < n_pub_; i++) {
    Conn& c = conns_[i];
    PublisherState& p = *c.pub;
    if (c.phase == Phase::kActive) {
      pub_live++;
      if (c.active_tick < 0) c.active_tick = tick_;
      if (p.lag_ms > pub_lag) pub_lag = p.lag_ms;
      // What this stream's publisher really sent is the fairest expectation.
      if (o_.expect_kbps <= 0 && tick_ - c.active_tick >= W) expected_[c.stream_index] = double(p.payload_bytes - p.snap[old]);
    }
    p.snap[slot] = p.payload_bytes;
  }

  int opened = 0, connected = 0, playing = 0, eligible = 0, ok = 0, ts_ok = 0;
  rates_.clear();
  for (int i = n_pub_; i < n_conns_; i++) {
    Conn& c = conns_[i];
    if (c.phase != Phase::kIdle) opened++;
    if (c.phase == Phase::kClosed || c.phase == Phase::kIdle || c.phase == Phase::kConnecting) continue;
    connected++;
    if (c.phase == Phase::kActive) {
      playing++;
      if (c.active_tick < 0) c.active_tick = tick_;
      if (tick_ - c.active_tick >= W) {
        eligible++;
        uint64_t got = c.media_bytes - c.snap_bytes[old];
        rates_.push_back(float(double(got) * 8.0 / 1000.0 / span_s));
        if (double(got) >= o_.ok_ratio * expected_[c.stream_index]) ok++;
        if (double(uint32_t(c.last_video_ts - c.snap_vts[old])) >= o_.ok_ratio * span_s * 1000.0) ts_ok++;
      }
    }
    c.snap_bytes[slot] = c.media_bytes;
    c.snap_vts[slot] = c.last_video_ts;
  }
  if (playing > max_playing_) max_playing_ = playing;

  double wall = double(now - last_tick_us_) / 1e6;
  double cpu = cpu_seconds();
  double cpu_pct = wall > 0 ? (cpu - last_cpu_s_) / wall * 100.0 : 0;
  double kbps_total = wall > 0 ? double(total_in_ - total_in_at_tick_) * 8.0 / 1000.0 / wall : 0;
  last_cpu_s_ = cpu;
  last_tick_us_ = now;
  total_in_at_tick_ = total_in_;
  uint64_t failed = 0;
  for (int f = 0; f < kFailCount; f++) failed += failures_[f];
  float p1 = quantile(rates_, 0.01), p5 = quantile(rates_, 0.05), p50 = quantile(rates_, 0.5);
  double ok_pct = eligible ? 100.0 * ok / eligible : 0;
  if (eligible) ok_history_.push_back(float(ok_pct));
  printf("{\"t\":%.1f,\"publishers\":%d,\"pub_live\":%d,\"pub_lag_ms\":%u,\"players\":%d,\"opened\":%d,"
         "\"connected\":%d,\"playing\":%d,\"eligible\":%d,\"ok\":%d,\"ok_pct\":%.2f,\"ts_ok\":%d,"
         "\"expect_kbps\":%.1f,\"kbps_p1\":%.1f,\"kbps_p5\":%.1f,\"kbps_p50\":%.1f,\"kbps_total\":%.0f,"
         "\"failed\":%llu,\"loadgen_cpu\":%.1f}\n",
         double(now - start_us_) / 1e6, n_pub_, pub_live, pub_lag, o_.players, opened, connected, playing, eligible,
         ok, ok_pct, ts_ok, expected_.empty() ? 0.0 : expected_[0] * 8.0 / 1000.0 / span_s, double(p1), double(p5),
         double(p50), kbps_total, (unsigned long long)failed, cpu_pct);
  fflush(stdout);
}

static void json_string(const std::string& s) {
  putchar('"');
  for (char ch : s) {
    if (ch == '"' || ch == '\\') putchar('\\');
    if (uint8_t(ch) < 0x20) continue;
    putchar(ch);
  }
  putchar('"');
}

void LoadGen::summary(int64_t now) {
  static const char* kNames[kFailCount] = {"socket", "connect", "handshake", "rejected", "protocol",
                                           "closed_in_setup", "timeout", "http", "dropped"};
  int playing = 0, pub_live = 0, setting_up = 0;
  uint32_t server_window = 0, server_chunk = 0;
  uint64_t audio = 0, video = 0, data = 0, bytes = 0;
  for (int i = 0; i < n_conns_; i++) {
    Conn& c = conns_[i];
    if (c.phase != Phase::kActive) {
      if (c.phase != Phase::kIdle && c.phase != Phase::kClosed) setting_up++;  // neither live nor failed yet
      continue;
    }
    if (c.role == Role::kPublisher) {
      pub_live++;
    } else {
      if (!playing++) {
        server_window = c.window;
        server_chunk = c.rd.chunk_size;
      }
      audio += c.audio_msgs;
      video += c.video_msgs;
      data += c.data_msgs;
      bytes += c.media_bytes;
    }
  }
  printf("{\"summary\":true,\"seconds\":%.1f,\"players\":%d,\"publishers\":%d,\"playing\":%d,\"pub_live\":%d,"
         "\"setting_up\":%d,\"max_playing\":%d,\"audio_msgs\":%llu,\"video_msgs\":%llu,\"data_msgs\":%llu,\"media_bytes\":%llu,"
         "\"interrupted_msgs\":%llu,\"file_kbps\":%.1f,\"server_window\":%u,\"server_chunk_size\":%u",
         double(now - start_us_) / 1e6, o_.players, n_pub_, playing, pub_live, setting_up, max_playing_,
         (unsigned long long)audio, (unsigned long long)video, (unsigned long long)data, (unsigned long long)bytes,
         (unsigned long long)interrupted_, flv_.media_kbps(), server_window, server_chunk);
  std::vector<float> okh = ok_history_;
  if (!okh.empty()) printf(",\"ok_pct_median\":%.2f,\"ok_pct_min\":%.2f", double(quantile(okh, 0.5)),
                           double(*std::min_element(okh.begin(), okh.end())));
  printf(",\"failures\":{");
  bool first = true;
  for (int f = 0; f < kFailCount; f++) {
    if (!failures_[f]) continue;
    printf("%s\"%s\":%llu", first ? "" : ",", kNames[f], (unsigned long long)failures_[f]);
    first = false;
  }
  printf("},\"failure_examples\":{");
  first = true;
  for (int f = 0; f < kFailCount; f++) {
    if (failure_example_[f].empty()) continue;
    printf("%s\"%s\":", first ? "" : ",", kNames[f]);
    json_string(failure_example_[f]);
    first = false;
  }
  printf("}");
  if (o_.latency) {
    std::vector<float>& l = latency_ms_;
    size_t n = l.size();
    float p50 = quantile(l, 0.5), p99 = quantile(l, 0.99);
    float mx = n ? *std::max_element(l.begin(), l.end()) : 0;
    float mn = n ? *std::min_element(l.begin(), l.end()) : 0;
    printf(",\"latency\":{\"samples\":%zu,\"unmatched\":%llu,\"min_ms\":%.2f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,"
           "\"max_ms\":%.2f}",
           n, (unsigned long long)latency_unmatched_, double(mn), double(p50), double(p99), double(mx));
  }
  printf("}\n");
  fflush(stdout);
}

}  // namespace rl
