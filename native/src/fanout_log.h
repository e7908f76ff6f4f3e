// One stream's merged-write fan-out: an append-only log of pre-encoded messages shared by
// every player of that stream, written to each player's socket with one sendmsg() per
// flush covering everything it has not yet received.
//
// Why this shape: at 10,000 players per stream, copying or encoding a message per player,
// or running any JavaScript per player per message, costs more CPU than the whole server
// should. Here a message is copied once into an immutable refcounted block; a player is
// just a position in the log (~100 bytes), and a flush batches ~hundreds of milliseconds
// of messages into one system call per player.
//
// The log doubles as the GOP cache: it remembers the latest random access point (RAP), so
// a new player can start at the keyframe that opened the current GOP.
//
// Plain C++ and POSIX sockets, no Node or libuv: the N-API binding drives it from the event
// loop, ctest drives it with socketpair().
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/uio.h>

namespace tsrs {

// An immutable byte block shared by the log and by players that are mid-way through
// writing it. Single-threaded refcount: the whole fan-out lives on one event loop thread.
class SharedBlock {
 public:
  SharedBlock() = default;
  // Copies the concatenation of the parts into one new block.
  struct Part {
    const uint8_t* data;
    size_t size;
  };
  static SharedBlock copy_of(const Part* parts, size_t count);
  static SharedBlock copy_of(const uint8_t* data, size_t size) {
    Part part{data, size};
    return copy_of(&part, 1);
  }

  SharedBlock(const SharedBlock& other) : header_(other.header_) { retain(); }
  SharedBlock(SharedBlock&& other) noexcept : header_(other.header_) { other.header_ = nullptr; }
  SharedBlock& operator=(const SharedBlock& other);
  SharedBlock& operator=(SharedBlock&& other) noexcept;
  ~SharedBlock() { release(); }

  void reset() {
    release();
    header_ = nullptr;
  }
  explicit operator bool() const { return header_ != nullptr; }
  const uint8_t* data() const;
  size_t size() const;
  // How many SharedBlock handles point at this block (tests check frees with it).
  uint32_t use_count() const;

 private:
  struct Header;
  void retain();
  void release();
  Header* header_ = nullptr;
};

struct FanoutOptions {
  // A player further behind than this (newest timestamp minus the timestamp at its
  // position) skips forward to the latest RAP.
  int64_t queue_limit_ms = 30000;
  // New players start at the latest RAP (the current GOP) instead of the live edge.
  bool gop_cache = true;
  // A GOP longer than this many messages is no longer cached (until the next RAP).
  uint32_t gop_cache_max_frames = 2500;
  // Hard cap on retained message bytes; laggards skip forward to keep under it.
  size_t max_log_bytes = size_t(64) << 20;
};

enum class PlayerState : uint8_t { Active, Blocked, Dead };

const char* player_state_name(PlayerState state);

struct PlayerStats {
  PlayerState state = PlayerState::Active;
  uint64_t bytes_sent = 0;
  uint64_t dropped = 0;          // log messages skipped over (lag, byte cap, waiting for a RAP)
  uint64_t pending_messages = 0;  // log messages not yet started
};

struct LogStats {
  size_t players = 0;
  size_t messages = 0;
  size_t retained_bytes = 0;
  uint64_t bytes_sent = 0;  // by every player ever attached, removed ones included
};

// What the driver (the N-API binding, or a test) reacts to. Called synchronously from
// FanoutLog methods; implementations must not call back into the FanoutLog.
class FanoutObserver {
 public:
  virtual ~FanoutObserver() = default;
  // The player's socket buffer is full: wait for writability, then call on_writable().
  virtual void on_blocked(uint32_t player, int fd) = 0;
  // The player caught up after being blocked: stop waiting for writability.
  virtual void on_unblocked(uint32_t player) = 0;
  // A write failed for good. The fd is closed right after this returns, so stop watching it
  // (libuv and epoll must deregister an fd before it is closed).
  virtual void on_dead(uint32_t player, const std::string& reason) = 0;
  // The player lagged and was moved forward; some messages were never sent to it.
  virtual void on_skipped(uint32_t player, const std::string& detail) = 0;
};

class FanoutLog {
 public:
  explicit FanoutLog(const FanoutOptions& options, FanoutObserver* observer = nullptr);
  ~FanoutLog();  // closes every player's fd; the driver stops watching them first
  FanoutLog(const FanoutLog&) = delete;
  FanoutLog& operator=(const FanoutLog&) = delete;

  // Appends one message (the parts concatenated, copied once). Empty messages are ignored.
  void append_parts(const SharedBlock::Part* parts, size_t count, int64_t timestamp_ms, bool random_access);
  void append(const uint8_t* data, size_t size, int64_t timestamp_ms, bool random_access) {
    SharedBlock::Part part{data, size};
    append_parts(&part, 1, timestamp_ms, random_access);
  }

  // Takes ownership of fd (a connected, non-blocking stream socket). The player starts at
  // the cached GOP when start_at_gop and one is cached, else at the next appended message.
  uint32_t add_player(int fd, bool start_at_gop);
  // Queues a control block for the player, written before its next log message (and never
  // inside one). False when the player is unknown or dead.
  bool queue_control(uint32_t player, const uint8_t* data, size_t size);
  // Closes the player's fd and forgets it; false when unknown.
  bool remove_player(uint32_t player, PlayerStats* final_stats = nullptr);
  // Marks the player dead (e.g. its poll reported an error) and closes its fd.
  void fail_player(uint32_t player, const std::string& reason);

  // Writes to every active player, enforces the lag and byte limits, trims the log.
  void flush();
  // Writes to one player if it is active (blocked ones wait for on_writable).
  void flush_player(uint32_t player);
  // The player's socket became writable: write more, unblocking it once caught up.
  void on_writable(uint32_t player);

  bool player_stats(uint32_t player, PlayerStats* out) const;
  LogStats stats() const;
  // Sequence number of the next appended message; of the oldest retained one.
  uint64_t end_seq() const { return base_seq_ + entries_.size(); }
  uint64_t base_seq() const { return base_seq_; }

 private:
  struct Entry {
    SharedBlock block;
    int64_t timestamp_ms;
    bool random_access;
  };
  struct ControlNode {
    ControlNode* next;
    SharedBlock block;
  };
  // Kept small: one per connected player. No per-player message queue, just a position.
  struct Player {
    uint32_t id = 0;
    int fd = -1;
    uint64_t next_seq = 0;       // the next log message to start writing
    SharedBlock partial;         // the message being written, held so trimming cannot free it
    size_t partial_offset = 0;   // bytes of `partial` already written
    ControlNode* control_head = nullptr;
    ControlNode* control_tail = nullptr;
    size_t control_offset = 0;   // bytes of control_head already written
    uint64_t bytes_sent = 0;
    uint64_t dropped = 0;
    PlayerState state = PlayerState::Active;
    bool wait_rap = false;       // skipped past every RAP: resume at the next one
  };
  enum class WriteResult { CaughtUp, WouldBlock, Failed };

  const Entry& entry(uint64_t seq) const { return entries_[size_t(seq - base_seq_)]; }
  uint64_t gop_start() const;
  void write_and_transition(Player& p);
  WriteResult write_player(Player& p, int* error);
  size_t gather(Player& p, iovec* iov, size_t max_iov, size_t* bytes);
  void consume(Player& p, size_t written);
  void resolve_wait_rap(Player& p);
  void check_lag(Player& p);
  void skip_forward(Player& p, uint64_t not_before, const std::string& why);
  void enforce_byte_cap();
  void trim_to(uint64_t seq);
  void kill(Player& p, const std::string& reason);
  void release_player_blocks(Player& p);
  void close_fd(Player& p);

  FanoutOptions options_;
  FanoutObserver* observer_;
  std::deque<Entry> entries_;
  uint64_t base_seq_ = 0;
  size_t retained_bytes_ = 0;
  bool has_rap_ = false;
  uint64_t latest_rap_seq_ = 0;
  bool gop_cached_ = false;  // the GOP from latest_rap_seq_ is still within gop_cache_max_frames
  // A lower bound on every live player's next_seq, so append() can trim without a scan.
  uint64_t min_player_seq_ = UINT64_MAX;
  uint32_t next_player_id_ = 1;
  uint64_t bytes_sent_ = 0;
  std::unordered_map<uint32_t, Player> players_;
  std::vector<iovec> iov_scratch_;  // IOV_MAX entries, reused by every write
};

}  // namespace tsrs
