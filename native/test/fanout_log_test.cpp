// FanoutLog over real sockets: socketpair() ends stand in for player connections, the
// test reads the peer ends and plays the event loop (calling on_writable after draining).
#include "fanout_log.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "byte_reader.h"
#include "check.h"

using namespace tsrs;

namespace {

using Bytes = std::vector<uint8_t>;

struct SocketPair {
  int ours = -1;  // handed to the FanoutLog, which owns and closes it
  int peer = -1;  // the "player" end the test reads
};

SocketPair make_pair(int send_buffer = 0) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) std::abort();
  for (int fd : fds) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  if (send_buffer > 0) ::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof(send_buffer));
  return SocketPair{fds[0], fds[1]};
}

// Reads whatever the peer end has, without blocking.
void drain(int fd, Bytes& out) {
  uint8_t buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) return;
    out.insert(out.end(), buf, buf + n);
  }
}

// Test messages carry their own index and length so a received stream can be checked for
// intact messages, order and where skips landed: [u32 index][u32 size][pattern...].
Bytes make_message(uint32_t index, size_t size) {
  Bytes m(size < 8 ? 8 : size);
  write_u32be(m.data(), index);
  write_u32be(m.data() + 4, uint32_t(m.size()));
  for (size_t i = 8; i < m.size(); i++) m[i] = uint8_t(index * 7 + i);
  return m;
}

// Splits a received stream into message indices; false if any message is torn or corrupt.
bool parse_messages(const Bytes& stream, size_t start, std::vector<uint32_t>* indices) {
  size_t pos = start;
  while (pos < stream.size()) {
    if (stream.size() - pos < 8) return false;
    uint32_t index = read_u32be(&stream[pos]);
    uint32_t size = read_u32be(&stream[pos + 4]);
    if (size < 8 || stream.size() - pos < size) return false;
    Bytes expected = make_message(index, size);
    if (std::memcmp(expected.data(), &stream[pos], size) != 0) return false;
    indices->push_back(index);
    pos += size;
  }
  return true;
}

void append_bytes(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

struct Recorder : FanoutObserver {
  std::vector<uint32_t> blocked, unblocked, dead, skipped;
  std::vector<std::string> dead_reasons, skip_details;
  void on_blocked(uint32_t player, int fd) override { blocked.push_back(player); }
  void on_unblocked(uint32_t player) override { unblocked.push_back(player); }
  void on_dead(uint32_t player, const std::string& reason) override {
    dead.push_back(player);
    dead_reasons.push_back(reason);
  }
  void on_skipped(uint32_t player, const std::string& detail) override {
    skipped.push_back(player);
    skip_details.push_back(detail);
  }
};

PlayerStats stats_of(const FanoutLog& log, uint32_t player) {
  PlayerStats s;
  log.player_stats(player, &s);
  return s;
}

// Plays the event loop for a blocked player: read the peer, report writability, until the
// player has everything. Bounded so a bug fails the test instead of hanging it.
void drain_until_caught_up(FanoutLog& log, uint32_t player, int peer, Bytes& received) {
  for (int round = 0; round < 100000; round++) {
    drain(peer, received);
    log.on_writable(player);
    PlayerStats s = stats_of(log, player);
    if (s.state == PlayerState::Active && s.pending_messages == 0) break;
  }
  drain(peer, received);
}

}  // namespace

TEST_CASE("every player receives its preamble, then every message byte-exact and in order") {
  FanoutOptions options;
  options.gop_cache = false;
  FanoutLog log(options);
  std::vector<SocketPair> pairs;
  std::vector<uint32_t> ids;
  std::vector<Bytes> received(3), expected(3);
  for (int i = 0; i < 3; i++) {
    pairs.push_back(make_pair());
    ids.push_back(log.add_player(pairs[i].ours, true));
    std::string preamble = "preamble-" + std::to_string(i);
    CHECK(log.queue_control(ids[i], reinterpret_cast<const uint8_t*>(preamble.data()), preamble.size()));
    expected[i].assign(preamble.begin(), preamble.end());
  }
  for (uint32_t n = 0; n < 60; n++) {
    Bytes m = make_message(n, 8 + (n * 37) % 900);
    // Appended in two parts: the log concatenates them into one block.
    SharedBlock::Part parts[2] = {{m.data(), 5}, {m.data() + 5, m.size() - 5}};
    log.append_parts(parts, 2, n * 40, n % 10 == 0);
    for (auto& e : expected) append_bytes(e, m);
    if (n % 5 == 4) {
      log.flush();
      for (int i = 0; i < 3; i++) drain(pairs[i].peer, received[i]);
    }
  }
  for (int i = 0; i < 3; i++) {
    CHECK(received[i] == expected[i]);
    PlayerStats s = stats_of(log, ids[i]);
    CHECK_EQ(s.bytes_sent, uint64_t(expected[i].size()));
    CHECK_EQ(s.dropped, 0u);
    CHECK(s.state == PlayerState::Active);
  }
  CHECK_EQ(log.stats().bytes_sent, uint64_t(expected[0].size() * 3));
  // Everyone has everything and there is no GOP cache: nothing is retained.
  CHECK_EQ(log.stats().retained_bytes, 0u);
  for (auto& p : pairs) ::close(p.peer);
}

TEST_CASE("a peer that never reads is blocked and skipped forward while the others get everything") {
  Recorder events;
  FanoutOptions options;
  options.queue_limit_ms = 1000;
  FanoutLog log(options, &events);
  SocketPair fast1 = make_pair(), fast2 = make_pair(), slow = make_pair(4096);
  uint32_t id_fast1 = log.add_player(fast1.ours, true);
  uint32_t id_fast2 = log.add_player(fast2.ours, true);
  uint32_t id_slow = log.add_player(slow.ours, true);
  Bytes got_fast1, got_fast2, got_slow, expected;
  size_t max_retained = 0;
  const size_t message_size = 2000;
  for (uint32_t n = 0; n < 300; n++) {
    Bytes m = make_message(n, message_size);
    log.append(m.data(), m.size(), int64_t(n) * 100, n % 10 == 0);  // 10 fps, a RAP every second
    append_bytes(expected, m);
    log.flush();
    drain(fast1.peer, got_fast1);
    drain(fast2.peer, got_fast2);
    max_retained = std::max(max_retained, log.stats().retained_bytes);
  }
  CHECK(got_fast1 == expected);
  CHECK(got_fast2 == expected);
  CHECK_EQ(stats_of(log, id_fast1).dropped, 0u);
  CHECK_EQ(stats_of(log, id_fast2).dropped, 0u);

  PlayerStats slow_stats = stats_of(log, id_slow);
  CHECK(slow_stats.state == PlayerState::Blocked);
  CHECK(slow_stats.dropped > 100);
  CHECK(events.blocked.size() == 1 && events.blocked[0] == id_slow);
  CHECK(!events.skipped.empty());
  for (uint32_t id : events.skipped) CHECK_EQ(id, id_slow);
  CHECK(events.skip_details[0].find("lagged") != std::string::npos);
  // Bounded: the queue limit (10 messages) plus one GOP (10) plus the message in flight.
  CHECK(max_retained <= 22 * message_size);

  // Once it reads again it catches up; every message it got is whole, and each jump in the
  // sequence lands on a RAP.
  drain_until_caught_up(log, id_slow, slow.peer, got_slow);
  CHECK(events.unblocked.size() == 1 && events.unblocked[0] == id_slow);
  std::vector<uint32_t> indices;
  CHECK(parse_messages(got_slow, 0, &indices));
  CHECK(!indices.empty());
  CHECK_EQ(indices.back(), 299u);
  for (size_t i = 1; i < indices.size(); i++) {
    CHECK(indices[i] > indices[i - 1]);
    if (indices[i] != indices[i - 1] + 1) CHECK_EQ(indices[i] % 10, 0u);
  }
  CHECK_EQ(indices.size() + stats_of(log, id_slow).dropped, 300u);
  for (int fd : {fast1.peer, fast2.peer, slow.peer}) ::close(fd);
}

TEST_CASE("new players start at the cached GOP, else at the next appended message") {
  auto message_at = [](uint32_t n) { return make_message(n, 64); };
  auto append = [&](FanoutLog& log, uint32_t n, bool rap) {
    Bytes m = message_at(n);
    log.append(m.data(), m.size(), n * 10, rap);
  };
  auto first_index = [](FanoutLog& log, uint32_t id, int peer) {
    Bytes got;
    log.flush();
    drain(peer, got);
    std::vector<uint32_t> indices;
    CHECK(parse_messages(got, 0, &indices));
    return indices.empty() ? UINT32_MAX : indices.front();
  };

  {  // GOP cache on: the GOP player starts at the latest RAP, the live player at the edge.
    FanoutLog log(FanoutOptions{});
    append(log, 0, true);
    append(log, 1, false);
    append(log, 2, true);
    append(log, 3, false);
    SocketPair gop = make_pair(), live = make_pair();
    uint32_t id_gop = log.add_player(gop.ours, true);
    uint32_t id_live = log.add_player(live.ours, false);
    append(log, 4, false);
    CHECK_EQ(first_index(log, id_gop, gop.peer), 2u);
    CHECK_EQ(first_index(log, id_live, live.peer), 4u);
    ::close(gop.peer);
    ::close(live.peer);
  }
  {  // GOP cache off: nothing is cached, so even a GOP player starts live.
    FanoutOptions options;
    options.gop_cache = false;
    FanoutLog log(options);
    append(log, 0, true);
    append(log, 1, false);
    CHECK_EQ(log.stats().messages, 0u);
    SocketPair p = make_pair();
    uint32_t id = log.add_player(p.ours, true);
    append(log, 2, false);
    CHECK_EQ(first_index(log, id, p.peer), 2u);
    ::close(p.peer);
  }
  {  // A GOP longer than gop_cache_max_frames stops being cached until the next RAP.
    FanoutOptions options;
    options.gop_cache_max_frames = 3;
    FanoutLog log(options);
    append(log, 0, true);
    append(log, 1, false);
    append(log, 2, false);
    CHECK_EQ(log.stats().messages, 3u);  // exactly at the cap: still cached
    append(log, 3, false);
    CHECK_EQ(log.stats().messages, 0u);  // over the cap: dropped
    SocketPair p = make_pair();
    uint32_t id = log.add_player(p.ours, true);
    append(log, 4, false);
    CHECK_EQ(first_index(log, id, p.peer), 4u);
    append(log, 5, true);  // a new GOP is cached again
    SocketPair q = make_pair();
    uint32_t id_q = log.add_player(q.ours, true);
    CHECK_EQ(first_index(log, id_q, q.peer), 5u);
    ::close(p.peer);
    ::close(q.peer);
  }
  {  // No RAP ever appended: start at the next message.
    FanoutLog log(FanoutOptions{});
    append(log, 0, false);
    SocketPair p = make_pair();
    uint32_t id = log.add_player(p.ours, true);
    append(log, 1, false);
    CHECK_EQ(first_index(log, id, p.peer), 1u);
    ::close(p.peer);
  }
}

TEST_CASE("the log trims messages no player and no GOP cache needs") {
  FanoutLog log(FanoutOptions{});
  Bytes m = make_message(0, 100);
  log.append(m.data(), m.size(), 0, true);
  log.append(m.data(), m.size(), 10, false);
  log.append(m.data(), m.size(), 20, false);
  CHECK_EQ(log.stats().retained_bytes, 300u);  // the current GOP
  log.append(m.data(), m.size(), 30, true);
  CHECK_EQ(log.stats().retained_bytes, 100u);  // a new GOP frees the old one
  CHECK_EQ(log.stats().messages, 1u);
  CHECK_EQ(log.base_seq(), 3u);

  // Empty messages are ignored rather than stored.
  log.append(nullptr, 0, 60, false);
  CHECK_EQ(log.stats().messages, 1u);
}

TEST_CASE("messages a player still needs stay until it has them; the one it is writing is held by it") {
  FanoutOptions options;
  options.gop_cache = false;
  FanoutLog log(options);
  SocketPair p = make_pair(4096);
  uint32_t id = log.add_player(p.ours, false);
  for (uint32_t n = 0; n < 3; n++) {
    Bytes big = make_message(n, 30000);
    log.append(big.data(), big.size(), n * 10, false);
  }
  CHECK_EQ(log.stats().retained_bytes, 90000u);
  log.flush();
  CHECK(stats_of(log, id).state == PlayerState::Blocked);
  // Message 0 is half-written: trimmed from the log, finished from the player's reference.
  CHECK_EQ(log.stats().retained_bytes, 60000u);
  CHECK_EQ(log.base_seq(), 1u);
  Bytes got;
  drain_until_caught_up(log, id, p.peer, got);
  std::vector<uint32_t> indices;
  CHECK(parse_messages(got, 0, &indices));
  CHECK_EQ(indices.size(), 3u);
  log.flush();
  CHECK_EQ(log.stats().retained_bytes, 0u);
  ::close(p.peer);
}

TEST_CASE("a closed peer is reported dead, its fd closed and its blocks released") {
  Recorder events;
  FanoutLog log(FanoutOptions{}, &events);
  SocketPair p = make_pair();
  uint32_t id = log.add_player(p.ours, true);
  ::close(p.peer);
  Bytes m = make_message(0, 100);
  log.append(m.data(), m.size(), 0, true);
  log.flush();
  CHECK(events.dead.size() == 1 && events.dead[0] == id);
  CHECK(!events.dead_reasons.empty() && events.dead_reasons[0].find("EPIPE") != std::string::npos);
  CHECK(stats_of(log, id).state == PlayerState::Dead);
  CHECK_EQ(::fcntl(p.ours, F_GETFD), -1);  // the log closed its fd
  CHECK(!log.queue_control(id, m.data(), m.size()));
  // A dead player no longer pins the log, and flushing again does not re-report it.
  log.append(m.data(), m.size(), 10, true);
  log.flush();
  CHECK_EQ(events.dead.size(), 1u);
  CHECK_EQ(log.stats().retained_bytes, 100u);
  PlayerStats final_stats;
  CHECK(log.remove_player(id, &final_stats));
  CHECK(final_stats.state == PlayerState::Dead);
  CHECK(!log.remove_player(id));
  CHECK_EQ(log.stats().players, 0u);
}

TEST_CASE("partial writes resume at the right byte, and control blocks wait for a message boundary") {
  Recorder events;
  FanoutOptions options;
  options.gop_cache = false;
  FanoutLog log(options, &events);
  SocketPair p = make_pair(4096);
  uint32_t id = log.add_player(p.ours, false);
  std::vector<Bytes> messages;
  for (uint32_t n = 0; n < 5; n++) {
    messages.push_back(make_message(n, 50000));
    log.append(messages.back().data(), messages.back().size(), n * 10, false);
  }
  log.flush();
  CHECK(stats_of(log, id).state == PlayerState::Blocked);
  CHECK(events.blocked.size() == 1);

  // Queue a control block mid-message: it must land where the current message ends.
  Bytes got;
  drain(p.peer, got);
  log.on_writable(id);
  uint64_t sent_so_far = stats_of(log, id).bytes_sent;
  CHECK(sent_so_far % 50000 != 0);  // really mid-message (4 KiB socket buffer)
  const std::string control = "CONTROL";
  log.queue_control(id, reinterpret_cast<const uint8_t*>(control.data()), control.size());
  drain_until_caught_up(log, id, p.peer, got);

  size_t boundary = size_t((sent_so_far / 50000 + 1) * 50000);
  Bytes expected;
  for (auto& m : messages) append_bytes(expected, m);
  expected.insert(expected.begin() + long(boundary), control.begin(), control.end());
  CHECK(got == expected);
  CHECK_EQ(stats_of(log, id).bytes_sent, uint64_t(expected.size()));
  CHECK(events.unblocked.size() == 1);
  ::close(p.peer);
}

TEST_CASE("the byte cap moves laggards forward, and a half-written message survives trimming") {
  Recorder events;
  FanoutOptions options;
  options.max_log_bytes = 10000;
  options.queue_limit_ms = 1000000;  // only the byte cap applies here
  FanoutLog log(options, &events);
  SocketPair slow = make_pair(4096), fast = make_pair();
  uint32_t id_slow = log.add_player(slow.ours, true);
  uint32_t id_fast = log.add_player(fast.ours, true);
  Bytes got_fast, got_slow, expected;
  for (uint32_t n = 0; n < 100; n++) {
    Bytes m = make_message(n, 1500);
    log.append(m.data(), m.size(), n, n % 5 == 0);
    append_bytes(expected, m);
    CHECK(log.stats().retained_bytes <= 10000u);
    log.flush();
    drain(fast.peer, got_fast);
  }
  CHECK(got_fast == expected);
  CHECK(stats_of(log, id_slow).dropped > 0);
  CHECK(!events.skipped.empty() && events.skip_details[0].find("over 10000 bytes") != std::string::npos);
  CHECK_EQ(stats_of(log, id_fast).dropped, 0u);

  drain_until_caught_up(log, id_slow, slow.peer, got_slow);
  std::vector<uint32_t> indices;
  CHECK(parse_messages(got_slow, 0, &indices));  // the torn message was finished intact
  CHECK_EQ(indices.back(), 99u);
  for (size_t i = 1; i < indices.size(); i++) {
    if (indices[i] != indices[i - 1] + 1) CHECK_EQ(indices[i] % 5, 0u);
  }
  ::close(slow.peer);
  ::close(fast.peer);
}

TEST_CASE("a laggard with no newer RAP waits at the live edge for the next one") {
  Recorder events;
  FanoutOptions options;
  options.queue_limit_ms = 100;
  FanoutLog log(options, &events);
  SocketPair slow = make_pair(4096);
  uint32_t id = log.add_player(slow.ours, true);
  for (uint32_t n = 0; n < 30; n++) {
    Bytes m = make_message(n, 3000);
    log.append(m.data(), m.size(), n * 10, n == 0);
    log.flush();
  }
  CHECK(!events.skipped.empty());
  Bytes got;
  drain_until_caught_up(log, id, slow.peer, got);
  // Non-RAP messages after the skip are dropped, not sent...
  Bytes more = make_message(30, 100);
  log.append(more.data(), more.size(), 300, false);
  log.flush();
  Bytes keyframe = make_message(31, 100);
  log.append(keyframe.data(), keyframe.size(), 310, true);
  log.flush();
  drain(slow.peer, got);
  std::vector<uint32_t> indices;
  CHECK(parse_messages(got, 0, &indices));
  CHECK(indices.size() >= 2);
  // ...and the first message after the gap is the new RAP.
  CHECK_EQ(indices.back(), 31u);
  CHECK(indices[indices.size() - 2] < 29u);
  CHECK_EQ(indices.size() + stats_of(log, id).dropped, 32u);
  ::close(slow.peer);
}

TEST_CASE("SharedBlock counts its holders and frees with the last one") {
  Bytes m = make_message(9, 40);
  SharedBlock a = SharedBlock::copy_of(m.data(), m.size());
  CHECK_EQ(a.use_count(), 1u);
  {
    SharedBlock b = a;
    CHECK_EQ(a.use_count(), 2u);
    SharedBlock c = std::move(b);
    CHECK_EQ(a.use_count(), 2u);
    CHECK(!b);
  }
  CHECK_EQ(a.use_count(), 1u);
  CHECK(std::memcmp(a.data(), m.data(), m.size()) == 0);
  a = a;  // self-assignment keeps the block
  CHECK_EQ(a.use_count(), 1u);
  a.reset();
  CHECK(!a);
  CHECK_EQ(a.size(), 0u);
}

TEST_MAIN()
