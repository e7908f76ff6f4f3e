// Command-line options of rtmp-load.
#pragma once
#include <cstdint>
#include <string>

namespace rl {

constexpr int kMaxWindow = 30;  // seconds of per-player history kept for the receive-rate check

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 1935;
  std::string app = "live";
  std::string stream = "livestream";
  int players = 0;
  int streams = 1;                 // stream names STREAM (one) or STREAM_0..STREAM_{M-1}
  std::string publish_file;        // FLV to publish in a loop on every stream
  uint16_t http_flv_port = 0;      // players use HTTP-FLV GET /APP/STREAM.flv on this port instead of RTMP
  double duration_s = 30;
  int ramp_batch = 200;            // connections opened per ramp interval
  int ramp_interval_ms = 100;
  double player_delay_s = 1;       // after the publishers are live (or after start without publishers)
  double expect_kbps = 0;          // 0: measured from what the in-process publisher sent
  int window_s = 10;
  double ok_ratio = 0.95;
  bool latency = false;
  double latency_warmup_s = 3;     // skip the GOP-cache burst right after play starts
  int batch_ms = -1;               // minimum loop period; -1 picks 50 ms, or 0 with --latency
  bool send_acks = true;
  double setup_timeout_s = 15;
  uint32_t buffer_ms = 3000;       // SetBufferLength, as ffmpeg sends it

  std::string url() const;
  std::string stream_name(int index) const;
};

// Parses argv; on error or --help prints usage to stderr and returns false.
bool parse_options(int argc, char** argv, Options& o, int& exit_code);

}  // namespace rl
