// The load generator: one epoll loop driving every player and publisher of
// the process. All connection state is allocated once, up front; the hot path
// (read, parse, count) allocates nothing.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chunk_reader.h"
#include "flv_file.h"
#include "http_flv_reader.h"
#include "options.h"

namespace rl {

enum class Role : uint8_t { kPlayer, kPublisher, kHttpPlayer };

enum class Phase : uint8_t {
  kIdle,          // not opened yet
  kConnecting,    // nonblocking connect in flight
  kHandshake,     // C0C1 sent, reading S0S1S2
  kConnect,       // C2 + connect sent
  kCreateStream,  // createStream sent
  kStart,         // play/publish (or HTTP GET) sent
  kActive,        // playing or publishing
  kClosed,
};

enum Failure : uint8_t {
  kFailSocket,
  kFailConnect,
  kFailHandshake,
  kFailRejected,
  kFailProtocol,
  kFailClosedInSetup,
  kFailTimeout,
  kFailHttp,
  kFailDropped,  // closed by the server after play/publish started
  kFailCount,
};

struct PublisherState {
  std::vector<uint8_t> out;  // sized for the largest tag: a publisher never splits a message across flushes
  size_t tag = 0;
  uint32_t loop = 0;
  uint32_t loop_offset_ms = 0;
  int64_t start_us = 0;
  uint64_t payload_bytes = 0;  // audio+video payload sent
  uint32_t lag_ms = 0;         // how far behind its timestamps it is (server not reading)
  uint64_t snap[kMaxWindow + 1] = {};
};

struct Conn {
  Conn() = default;
  Conn(const Conn&) = delete;  // obuf may point into the object itself
  Conn& operator=(const Conn&) = delete;

  int fd = -1;
  Role role = Role::kPlayer;
  Phase phase = Phase::kIdle;
  bool polling_out = false;
  bool hashing = false;
  uint32_t stream_index = 0;
  uint32_t stream_id = 0;
  int64_t open_us = 0;
  int64_t active_us = 0;
  int active_tick = -1;  // first stats tick at which it was active

  uint32_t hs_got = 0;
  uint8_t s1[1536];

  ChunkReader rd;
  uint64_t in_bytes = 0;
  uint64_t acked = 0;
  uint32_t window = 0;

  // One non-media message at a time is assembled here (commands, control).
  bool ctrl_busy = false;
  bool ctrl_trunc = false;
  uint32_t ctrl_csid = 0;
  uint32_t ctrl_len = 0;
  uint8_t ctrl[2048];

  uint8_t* obuf = small_out;
  uint32_t ocap = sizeof(small_out);
  uint32_t olen = 0;
  uint32_t ooff = 0;
  uint32_t out_chunk_size = 128;
  uint8_t small_out[4096];

  uint64_t media_bytes = 0;
  uint64_t audio_msgs = 0;
  uint64_t video_msgs = 0;
  uint64_t data_msgs = 0;
  uint32_t last_video_ts = 0;
  uint8_t http_tag_type = 0;
  uint32_t http_tag_ts = 0;
  uint64_t vhash = 0;
  uint64_t snap_bytes[kMaxWindow + 1] = {};
  uint32_t snap_vts[kMaxWindow + 1] = {};

  std::unique_ptr<HttpFlvReader> http;
  std::unique_ptr<PublisherState> pub;
};

class LoadGen {
 public:
  explicit LoadGen(const Options& o);
  ~LoadGen();
  // Returns the process exit code.
  int run();

  // Reached from the protocol handlers.
  void on_rtmp_message_end(Conn& c, const ChunkStream& cs);
  bool on_control(Conn& c, uint8_t type, const uint8_t* p, size_t n);
  void on_video_complete(Conn& c, uint32_t timestamp);
  void activate(Conn& c);
  void fail(Conn& c, Failure why, const std::string& detail);

 private:
  friend struct RtmpHandler;
  friend struct HttpHandler;

  Options o_;
  FlvFile flv_;
  int ep_ = -1;
  std::unique_ptr<Conn[]> conns_;  // publishers first, then players; never moved
  int n_conns_ = 0;
  int n_pub_ = 0;
  int next_open_ = 0;
  int64_t start_us_ = 0;
  int64_t pubs_ready_us_ = 0;
  int64_t last_ramp_us_ = 0;
  int tick_ = 0;
  uint64_t failures_[kFailCount] = {};
  std::string failure_example_[kFailCount];
  uint64_t interrupted_ = 0;
  uint64_t total_in_ = 0;
  uint64_t total_in_at_tick_ = 0;
  int64_t last_tick_us_ = 0;
  int64_t next_tick_us_ = 0;
  int64_t tick_time_us_[kMaxWindow + 1] = {};  // when each ring slot was written
  double last_cpu_s_ = 0;
  int max_playing_ = 0;
  std::vector<float> rates_;     // per-player kbps scratch, reserved once
  std::vector<double> expected_; // per-stream expected bytes over the window
  std::vector<float> ok_history_;

  // Latency: send time of each video payload, keyed by payload hash and stream.
  struct SendRecord {
    uint64_t key;
    int64_t t_us;
  };
  std::vector<SendRecord> sent_;
  std::vector<float> latency_ms_;
  uint64_t latency_unmatched_ = 0;

  // sockets and buffers (loadgen.cpp)
  void open_next(int64_t now);
  void on_event(Conn& c, uint32_t events);
  void on_connected(Conn& c);
  void read_ready(Conn& c);
  void feed(Conn& c, const uint8_t* p, size_t n);
  uint8_t* out_reserve(Conn& c, size_t n);
  void flush(Conn& c);
  void set_poll_out(Conn& c, bool on);
  void close_conn(Conn& c);
  void check_timeouts(int64_t now);

  // RTMP session (rtmp_session.cpp)
  void send_handshake(Conn& c);
  void after_handshake(Conn& c);
  void on_command(Conn& c, const uint8_t* p, size_t n);
  bool send_message(Conn& c, uint32_t csid, uint8_t type, uint32_t sid, const uint8_t* p, size_t n);
  void send_connect(Conn& c);
  void send_create_stream(Conn& c);
  void send_play_or_publish(Conn& c);
  void send_http_get(Conn& c);
  void maybe_ack(Conn& c);

  // publishing (publisher.cpp)
  void pump_publishers(int64_t now);
  void pump(Conn& c, int64_t now);

  // stats (stats.cpp)
  void tick(int64_t now);
  void summary(int64_t now);
  void record_send(uint32_t stream, uint64_t hash, int64_t t_us);
};

}  // namespace rl
