// Event loop, sockets and output buffers.
#include "loadgen.h"

#include "chunk_writer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace rl {

static volatile sig_atomic_t g_stop = 0;
static void on_signal(int) { g_stop = 1; }

// One read buffer for the whole process: parsers are incremental, so a
// connection's bytes never need to stay here past one feed() call.
static uint8_t g_rbuf[256 * 1024];
static sockaddr_in g_addr;
static sockaddr_in g_http_addr;

LoadGen::LoadGen(const Options& o) : o_(o) {}

LoadGen::~LoadGen() {
  for (int i = 0; i < n_conns_; i++) {
    Conn& c = conns_[i];
    if (c.fd >= 0) {
      // RST instead of FIN: thousands of sockets in TIME_WAIT would eat the
      // ephemeral ports the next benchmark step needs.
      linger l = {1, 0};
      setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
      close(c.fd);
      c.fd = -1;
    }
  }
  if (ep_ >= 0) close(ep_);
}

static bool resolve(const std::string& host, uint16_t port, sockaddr_in& out) {
  memset(&out, 0, sizeof(out));
  out.sin_family = AF_INET;
  out.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &out.sin_addr) == 1) return true;
  addrinfo hints = {}, *res = nullptr;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res) return false;
  out.sin_addr = reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr;
  freeaddrinfo(res);
  return true;
}

int LoadGen::run() {
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  // One descriptor per connection: raise the soft limit, and the hard one too when allowed (root).
  const rlim_t want = rlim_t(o_.players + o_.streams + 64);
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
    rlimit more = {want, want > rl.rlim_max ? want : rl.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &more) != 0) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
  }
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
    fprintf(stderr, "rtmp-load: warning: open-file limit %llu is below %d connections\n",
            (unsigned long long)rl.rlim_cur, o_.players + o_.streams);
  }
  if (!resolve(o_.host, o_.port, g_addr) || !resolve(o_.host, o_.http_flv_port, g_http_addr)) {
    fprintf(stderr, "rtmp-load: cannot resolve %s\n", o_.host.c_str());
    return 3;
  }
  if (!o_.publish_file.empty()) {
    std::string err = flv_.load(o_.publish_file);
    if (!err.empty()) {
      fprintf(stderr, "rtmp-load: %s\n", err.c_str());
      return 3;
    }
    n_pub_ = o_.streams;
  }
  ep_ = epoll_create1(EPOLL_CLOEXEC);
  if (ep_ < 0) {
    perror("rtmp-load: epoll_create1");
    return 3;
  }
  n_conns_ = n_pub_ + o_.players;
  conns_.reset(new Conn[size_t(n_conns_)]);
  size_t pub_cap = 256 * 1024;
  size_t need = message_wire_size(flv_.max_tag_size + 16, 4096, 0xFFFFFFFF);
  if (pub_cap < 4 * need) pub_cap = 4 * need;
  for (int i = 0; i < n_conns_; i++) {
    Conn& c = conns_[i];
    if (i < n_pub_) {
      c.role = Role::kPublisher;
      c.stream_index = uint32_t(i);
      c.pub.reset(new PublisherState());
      c.pub->out.resize(pub_cap);
      c.obuf = c.pub->out.data();
      c.ocap = uint32_t(pub_cap);
    } else {
      c.role = o_.http_flv_port ? Role::kHttpPlayer : Role::kPlayer;
      c.stream_index = uint32_t((i - n_pub_) % o_.streams);
      c.hashing = o_.latency;
      if (o_.http_flv_port) c.http.reset(new HttpFlvReader());
    }
  }
  rates_.reserve(size_t(o_.players));
  expected_.assign(size_t(o_.streams), 0);
  if (o_.latency) {
    sent_.assign(size_t(1) << 16, SendRecord{0, 0});
    latency_ms_.reserve(1 << 20);
  }

  start_us_ = now_us();
  last_tick_us_ = start_us_;
  next_tick_us_ = start_us_ + 1000000;
  if (n_pub_ == 0) pubs_ready_us_ = start_us_;
  const int64_t end_us = start_us_ + int64_t(o_.duration_s * 1e6);
  static epoll_event events[1024];
  const int64_t batch_us = int64_t(o_.batch_ms) * 1000;
  for (uint64_t iter = 0; !g_stop; iter++) {
    int64_t loop_start = now_us();
    int timeout_ms = n_pub_ ? 1 : 20;
    int n = epoll_wait(ep_, events, 1024, timeout_ms);
    if (n < 0 && errno != EINTR) {
      perror("rtmp-load: epoll_wait");
      break;
    }
    for (int i = 0; i < n; i++) on_event(conns_[events[i].data.u32], events[i].events);
    int64_t now = now_us();
    open_next(now);
    if (n_pub_) pump_publishers(now);
    if (now >= next_tick_us_) {  // anchored to the start so W ticks span W seconds
      tick(now);
      check_timeouts(now);
      next_tick_us_ += 1000000;
      if (next_tick_us_ <= now) next_tick_us_ = now + 1000000;
    }
    if (now >= end_us) break;
    if (batch_us > 0) {
      int64_t rest = loop_start + batch_us - now_us();
      if (rest > 0) usleep(useconds_t(rest));
    }
  }
  summary(now_us());
  return 0;
}

// Ramp: publishers first, players once every publisher is live (or failed).
void LoadGen::open_next(int64_t now) {
  if (next_open_ >= n_conns_) return;
  if (now - last_ramp_us_ < int64_t(o_.ramp_interval_ms) * 1000) return;
  if (next_open_ >= n_pub_) {
    if (pubs_ready_us_ == 0) {
      for (int i = 0; i < n_pub_; i++) {
        Phase ph = conns_[i].phase;
        if (ph != Phase::kActive && ph != Phase::kClosed) return;
      }
      pubs_ready_us_ = now;
    }
    if (now < pubs_ready_us_ + int64_t(o_.player_delay_s * 1e6)) return;
  }
  last_ramp_us_ = now;
  int limit = next_open_ < n_pub_ ? n_pub_ : n_conns_;
  for (int k = 0; k < o_.ramp_batch && next_open_ < limit; k++) {
    Conn& c = conns_[next_open_];
    uint32_t idx = uint32_t(next_open_++);
    c.open_us = now;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      c.phase = Phase::kClosed;
      fail(c, kFailSocket, strerror(errno));
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));  // Nagle would add delay to latency samples
    c.fd = fd;
    c.phase = Phase::kConnecting;
    const sockaddr_in& addr = c.role == Role::kHttpPlayer ? g_http_addr : g_addr;
    int r = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
    epoll_event ev = {};
    ev.data.u32 = idx;
    ev.events = EPOLLOUT | EPOLLIN;
    if (r < 0 && errno != EINPROGRESS) {
      fail(c, kFailConnect, strerror(errno));
      continue;
    }
    if (epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) < 0) {
      fail(c, kFailSocket, strerror(errno));
      continue;
    }
    c.polling_out = true;
    if (r == 0) on_connected(c);
  }
}

void LoadGen::on_event(Conn& c, uint32_t events) {
  if (c.phase == Phase::kClosed) return;
  if (c.phase == Phase::kConnecting) {
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
      fail(c, kFailConnect, strerror(err));
      return;
    }
    if (events & (EPOLLHUP | EPOLLERR)) {
      fail(c, kFailConnect, "hang-up while connecting");
      return;
    }
    on_connected(c);
    if (c.phase == Phase::kClosed) return;
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_ready(c);
  if (c.phase != Phase::kClosed && (events & EPOLLOUT)) flush(c);
}

void LoadGen::on_connected(Conn& c) {
  set_poll_out(c, false);
  if (c.role == Role::kHttpPlayer) {
    c.phase = Phase::kStart;
    send_http_get(c);
  } else {
    c.phase = Phase::kHandshake;
    send_handshake(c);
  }
}

void LoadGen::read_ready(Conn& c) {
  // Level-triggered: a connection with more pending is simply reported again,
  // which keeps one busy socket from starving the others.
  for (int i = 0; i < 4 && c.phase != Phase::kClosed; i++) {
    ssize_t n = recv(c.fd, g_rbuf, sizeof(g_rbuf), 0);
    if (n > 0) {
      feed(c, g_rbuf, size_t(n));
      if (size_t(n) < sizeof(g_rbuf)) return;
      continue;
    }
    if (n == 0) {
      fail(c, c.phase == Phase::kActive ? kFailDropped : kFailClosedInSetup, "connection closed by server");
      return;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    fail(c, c.phase == Phase::kActive ? kFailDropped : kFailClosedInSetup, strerror(errno));
    return;
  }
}

uint8_t* LoadGen::out_reserve(Conn& c, size_t n) {
  if (c.ocap - c.olen < n && c.ooff > 0) {
    memmove(c.obuf, c.obuf + c.ooff, c.olen - c.ooff);
    c.olen -= c.ooff;
    c.ooff = 0;
  }
  if (c.ocap - c.olen < n) return nullptr;
  return c.obuf + c.olen;
}

void LoadGen::flush(Conn& c) {
  while (c.ooff < c.olen) {
    ssize_t w = send(c.fd, c.obuf + c.ooff, c.olen - c.ooff, MSG_NOSIGNAL);
    if (w > 0) {
      c.ooff += uint32_t(w);
      continue;
    }
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_poll_out(c, true);
      return;
    }
    if (w < 0 && errno == EINTR) continue;
    fail(c, c.phase == Phase::kActive ? kFailDropped : kFailClosedInSetup, w < 0 ? strerror(errno) : "send returned 0");
    return;
  }
  c.ooff = c.olen = 0;
  set_poll_out(c, false);
}

void LoadGen::set_poll_out(Conn& c, bool on) {
  if (c.polling_out == on || c.fd < 0) return;
  epoll_event ev = {};
  ev.data.u32 = uint32_t(&c - conns_.get());
  ev.events = on ? uint32_t(EPOLLIN | EPOLLOUT) : uint32_t(EPOLLIN);
  epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  c.polling_out = on;
}

void LoadGen::close_conn(Conn& c) {
  if (c.fd >= 0) {
    close(c.fd);  // also removes it from the epoll set
    c.fd = -1;
  }
  c.phase = Phase::kClosed;
}

void LoadGen::fail(Conn& c, Failure why, const std::string& detail) {
  failures_[why]++;
  if (failure_example_[why].empty()) {
    static const char* kPhase[] = {"idle", "connecting", "handshake", "connect", "createStream", "start", "active", "closed"};
    failure_example_[why] = std::string(c.role == Role::kPublisher ? "publisher" : "player") + " in " +
                            kPhase[int(c.phase)] + ": " + detail;
  }
  close_conn(c);
}

void LoadGen::check_timeouts(int64_t now) {
  const int64_t limit = int64_t(o_.setup_timeout_s * 1e6);
  for (int i = 0; i < n_conns_; i++) {
    Conn& c = conns_[i];
    if (c.phase == Phase::kIdle || c.phase == Phase::kActive || c.phase == Phase::kClosed) continue;
    if (now - c.open_us > limit) fail(c, kFailTimeout, "not playing/publishing after --setup-timeout");
  }
}

}  // namespace rl
