#include "fanout_log.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <new>

#include <sys/socket.h>
#include <unistd.h>

namespace tsrs {

// ---- SharedBlock ----------------------------------------------------------------------

struct SharedBlock::Header {
  uint32_t refs;
  size_t size;
  // the bytes follow the header in the same allocation
};

SharedBlock SharedBlock::copy_of(const Part* parts, size_t count) {
  size_t total = 0;
  for (size_t i = 0; i < count; i++) total += parts[i].size;
  void* memory = ::operator new(sizeof(Header) + total);
  Header* header = new (memory) Header{1, total};
  uint8_t* out = reinterpret_cast<uint8_t*>(header + 1);
  for (size_t i = 0; i < count; i++) {
    if (parts[i].size == 0) continue;
    std::memcpy(out, parts[i].data, parts[i].size);
    out += parts[i].size;
  }
  SharedBlock block;
  block.header_ = header;
  return block;
}

SharedBlock& SharedBlock::operator=(const SharedBlock& other) {
  if (header_ != other.header_) {
    release();
    header_ = other.header_;
    retain();
  }
  return *this;
}

SharedBlock& SharedBlock::operator=(SharedBlock&& other) noexcept {
  if (this != &other) {
    release();
    header_ = other.header_;
    other.header_ = nullptr;
  }
  return *this;
}

const uint8_t* SharedBlock::data() const {
  return header_ ? reinterpret_cast<const uint8_t*>(header_ + 1) : nullptr;
}
size_t SharedBlock::size() const { return header_ ? header_->size : 0; }
uint32_t SharedBlock::use_count() const { return header_ ? header_->refs : 0; }

void SharedBlock::retain() {
  if (header_) header_->refs++;
}

void SharedBlock::release() {
  if (header_ && --header_->refs == 0) {
    header_->~Header();
    ::operator delete(header_);
  }
}

// ---- helpers --------------------------------------------------------------------------

const char* player_state_name(PlayerState state) {
  switch (state) {
    case PlayerState::Active: return "active";
    case PlayerState::Blocked: return "blocked";
    case PlayerState::Dead: return "dead";
  }
  return "unknown";
}

static std::string describe_errno(int error) {
  const char* name = nullptr;
  switch (error) {
    case EPIPE: name = "EPIPE"; break;
    case ECONNRESET: name = "ECONNRESET"; break;
    case ETIMEDOUT: name = "ETIMEDOUT"; break;
    case EBADF: name = "EBADF"; break;
    case ENOTSOCK: name = "ENOTSOCK"; break;
    case ENOTCONN: name = "ENOTCONN"; break;
    case EHOSTUNREACH: name = "EHOSTUNREACH"; break;
    case ENETUNREACH: name = "ENETUNREACH"; break;
    default: break;
  }
  std::string text = "write failed: ";
  text += std::strerror(error);
  text += name ? std::string(" (") + name + ")" : " (errno " + std::to_string(error) + ")";
  return text;
}

#ifdef IOV_MAX
static constexpr size_t kMaxIov = IOV_MAX;
#else
static constexpr size_t kMaxIov = 1024;
#endif

// ---- FanoutLog ------------------------------------------------------------------------

FanoutLog::FanoutLog(const FanoutOptions& options, FanoutObserver* observer)
    : options_(options), observer_(observer), iov_scratch_(kMaxIov) {
  if (options_.gop_cache_max_frames == 0) options_.gop_cache_max_frames = 1;
  if (options_.queue_limit_ms < 0) options_.queue_limit_ms = 0;
}

FanoutLog::~FanoutLog() {
  for (auto& item : players_) {
    release_player_blocks(item.second);
    close_fd(item.second);
  }
}

uint64_t FanoutLog::gop_start() const { return gop_cached_ ? latest_rap_seq_ : end_seq(); }

void FanoutLog::append_parts(const SharedBlock::Part* parts, size_t count, int64_t timestamp_ms, bool random_access) {
  SharedBlock block = SharedBlock::copy_of(parts, count);
  if (block.size() == 0) return;
  retained_bytes_ += block.size();
  entries_.push_back(Entry{std::move(block), timestamp_ms, random_access});
  uint64_t seq = end_seq() - 1;
  if (random_access) {
    has_rap_ = true;
    latest_rap_seq_ = seq;
    gop_cached_ = options_.gop_cache;
  } else if (gop_cached_ && seq - latest_rap_seq_ >= options_.gop_cache_max_frames) {
    gop_cached_ = false;  // the GOP grew past the frame cap: new players start live
  }
  enforce_byte_cap();
  trim_to(std::min(gop_start(), min_player_seq_));
}

uint32_t FanoutLog::add_player(int fd, bool start_at_gop) {
  uint32_t id = next_player_id_++;
  if (next_player_id_ == 0) next_player_id_ = 1;  // 0 is never an id
  Player& p = players_[id];
  p.id = id;
  p.fd = fd;
  p.next_seq = start_at_gop ? gop_start() : end_seq();
  min_player_seq_ = std::min(min_player_seq_, p.next_seq);
  return id;
}

bool FanoutLog::queue_control(uint32_t player, const uint8_t* data, size_t size) {
  auto found = players_.find(player);
  if (found == players_.end() || found->second.state == PlayerState::Dead) return false;
  if (size == 0) return true;
  Player& p = found->second;
  auto* node = new ControlNode{nullptr, SharedBlock::copy_of(data, size)};
  if (p.control_tail) {
    p.control_tail->next = node;
  } else {
    p.control_head = node;
  }
  p.control_tail = node;
  return true;
}

bool FanoutLog::remove_player(uint32_t player, PlayerStats* final_stats) {
  auto found = players_.find(player);
  if (found == players_.end()) return false;
  if (final_stats) player_stats(player, final_stats);
  release_player_blocks(found->second);
  close_fd(found->second);
  players_.erase(found);
  if (players_.empty()) min_player_seq_ = UINT64_MAX;
  return true;
}

void FanoutLog::fail_player(uint32_t player, const std::string& reason) {
  auto found = players_.find(player);
  if (found != players_.end() && found->second.state != PlayerState::Dead) kill(found->second, reason);
}

void FanoutLog::flush() {
  enforce_byte_cap();
  uint64_t min_seq = UINT64_MAX;
  for (auto& item : players_) {
    Player& p = item.second;
    if (p.state == PlayerState::Dead) continue;
    resolve_wait_rap(p);
    check_lag(p);
    if (p.state == PlayerState::Active) write_and_transition(p);
    if (p.state != PlayerState::Dead) min_seq = std::min(min_seq, p.next_seq);
  }
  min_player_seq_ = min_seq;
  trim_to(std::min(gop_start(), min_seq));
}

void FanoutLog::flush_player(uint32_t player) {
  auto found = players_.find(player);
  if (found == players_.end() || found->second.state != PlayerState::Active) return;
  resolve_wait_rap(found->second);
  check_lag(found->second);
  write_and_transition(found->second);
}

void FanoutLog::on_writable(uint32_t player) {
  auto found = players_.find(player);
  if (found == players_.end() || found->second.state == PlayerState::Dead) return;
  resolve_wait_rap(found->second);
  check_lag(found->second);
  write_and_transition(found->second);
}

void FanoutLog::write_and_transition(Player& p) {
  int error = 0;
  switch (write_player(p, &error)) {
    case WriteResult::CaughtUp:
      if (p.state == PlayerState::Blocked) {
        p.state = PlayerState::Active;
        if (observer_) observer_->on_unblocked(p.id);
      }
      break;
    case WriteResult::WouldBlock:
      if (p.state == PlayerState::Active) {
        p.state = PlayerState::Blocked;
        if (observer_) observer_->on_blocked(p.id, p.fd);
      }
      break;
    case WriteResult::Failed:
      kill(p, describe_errno(error));
      break;
  }
}

// Lists what the player still needs, in wire order: the rest of a half-written message,
// then queued control blocks (so they land on a message boundary), then the log.
size_t FanoutLog::gather(Player& p, iovec* iov, size_t max_iov, size_t* bytes) {
  size_t count = 0;
  size_t total = 0;
  auto add = [&](const uint8_t* data, size_t size) {
    iov[count].iov_base = const_cast<uint8_t*>(data);
    iov[count].iov_len = size;
    count++;
    total += size;
  };
  if (p.partial) add(p.partial.data() + p.partial_offset, p.partial.size() - p.partial_offset);
  for (ControlNode* node = p.control_head; node && count < max_iov; node = node->next) {
    size_t skip = node == p.control_head ? p.control_offset : 0;
    add(node->block.data() + skip, node->block.size() - skip);
  }
  for (uint64_t seq = p.next_seq, end = end_seq(); seq < end && count < max_iov; seq++) {
    const SharedBlock& block = entry(seq).block;
    add(block.data(), block.size());
  }
  *bytes = total;
  return count;
}

// Advances the player past `written` bytes, in the order gather() listed them.
void FanoutLog::consume(Player& p, size_t written) {
  if (p.partial) {
    size_t rest = p.partial.size() - p.partial_offset;
    if (written < rest) {
      p.partial_offset += written;
      return;
    }
    written -= rest;
    p.partial.reset();
    p.partial_offset = 0;
  }
  while (p.control_head) {
    size_t rest = p.control_head->block.size() - p.control_offset;
    if (written < rest) {
      p.control_offset += written;
      return;
    }
    written -= rest;
    ControlNode* done = p.control_head;
    p.control_head = done->next;
    if (!p.control_head) p.control_tail = nullptr;
    p.control_offset = 0;
    delete done;
  }
  for (uint64_t end = end_seq(); written > 0 && p.next_seq < end;) {
    const SharedBlock& block = entry(p.next_seq).block;
    p.next_seq++;
    if (written < block.size()) {
      p.partial = block;  // keeps the bytes alive even if the log trims this message
      p.partial_offset = written;
      return;
    }
    written -= block.size();
  }
}

FanoutLog::WriteResult FanoutLog::write_player(Player& p, int* error) {
  iovec* iov = iov_scratch_.data();
  for (;;) {
    size_t wanted = 0;
    size_t count = gather(p, iov, iov_scratch_.size(), &wanted);
    if (count == 0) return WriteResult::CaughtUp;
    msghdr message{};
    message.msg_iov = iov;
    message.msg_iovlen = count;
    // MSG_NOSIGNAL: a closed peer is an EPIPE to report, not a SIGPIPE to die of.
    ssize_t written = ::sendmsg(p.fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return WriteResult::WouldBlock;
      *error = errno;
      return WriteResult::Failed;
    }
    consume(p, size_t(written));
    p.bytes_sent += uint64_t(written);
    bytes_sent_ += uint64_t(written);
    // A short write means the socket buffer is full; polling beats another syscall.
    if (size_t(written) < wanted) return WriteResult::WouldBlock;
  }
}

void FanoutLog::resolve_wait_rap(Player& p) {
  if (!p.wait_rap) return;
  uint64_t end = end_seq();
  if (has_rap_ && latest_rap_seq_ >= p.next_seq && latest_rap_seq_ >= base_seq_ && latest_rap_seq_ < end) {
    p.dropped += latest_rap_seq_ - p.next_seq;
    p.next_seq = latest_rap_seq_;
    p.wait_rap = false;
  } else {
    p.dropped += end - p.next_seq;
    p.next_seq = end;
  }
}

void FanoutLog::check_lag(Player& p) {
  if (p.next_seq >= end_seq()) return;
  int64_t lag = entries_.back().timestamp_ms - entry(p.next_seq).timestamp_ms;
  if (lag <= options_.queue_limit_ms) return;
  skip_forward(p, p.next_seq + 1,
               "lagged " + std::to_string(lag) + "ms behind the live edge (queue limit " +
                   std::to_string(options_.queue_limit_ms) + "ms)");
}

// Moves a lagging player to the latest RAP at or after `not_before`, or, when there is
// none, to the live edge where it waits for the next RAP (a decoder cannot start mid-GOP).
// A half-written message stays referenced and is finished first.
void FanoutLog::skip_forward(Player& p, uint64_t not_before, const std::string& why) {
  uint64_t end = end_seq();
  uint64_t target = end;
  bool wait = has_rap_;
  if (has_rap_ && latest_rap_seq_ > p.next_seq && latest_rap_seq_ >= not_before && latest_rap_seq_ >= base_seq_ &&
      latest_rap_seq_ < end) {
    target = latest_rap_seq_;
    wait = false;
  }
  uint64_t dropped = target - p.next_seq;
  p.dropped += dropped;
  p.next_seq = target;
  p.wait_rap = wait;
  if (observer_) observer_->on_skipped(p.id, why + "; dropped " + std::to_string(dropped) + " messages");
}

// The hard memory cap: drop the oldest messages until the log fits, moving any player
// still positioned on them forward (and the GOP cache, if it starts among them).
void FanoutLog::enforce_byte_cap() {
  if (retained_bytes_ <= options_.max_log_bytes) return;
  uint64_t cut = base_seq_;
  size_t bytes = retained_bytes_;
  for (uint64_t end = end_seq(); bytes > options_.max_log_bytes && cut < end; cut++) bytes -= entry(cut).block.size();
  if (gop_cached_ && latest_rap_seq_ < cut) gop_cached_ = false;
  const std::string why = "stream log over " + std::to_string(options_.max_log_bytes) + " bytes";
  for (auto& item : players_) {
    Player& p = item.second;
    if (p.state != PlayerState::Dead && p.next_seq < cut) skip_forward(p, cut, why);
  }
  trim_to(cut);
  if (min_player_seq_ != UINT64_MAX) min_player_seq_ = std::max(min_player_seq_, cut);
}

void FanoutLog::trim_to(uint64_t seq) {
  while (base_seq_ < seq && !entries_.empty()) {
    retained_bytes_ -= entries_.front().block.size();
    entries_.pop_front();
    base_seq_++;
  }
}

void FanoutLog::kill(Player& p, const std::string& reason) {
  p.state = PlayerState::Dead;
  if (observer_) observer_->on_dead(p.id, reason);
  release_player_blocks(p);
  close_fd(p);
}

void FanoutLog::release_player_blocks(Player& p) {
  p.partial.reset();
  p.partial_offset = 0;
  while (p.control_head) {
    ControlNode* next = p.control_head->next;
    delete p.control_head;
    p.control_head = next;
  }
  p.control_tail = nullptr;
  p.control_offset = 0;
}

void FanoutLog::close_fd(Player& p) {
  if (p.fd >= 0) ::close(p.fd);
  p.fd = -1;
}

bool FanoutLog::player_stats(uint32_t player, PlayerStats* out) const {
  auto found = players_.find(player);
  if (found == players_.end()) return false;
  const Player& p = found->second;
  out->state = p.state;
  out->bytes_sent = p.bytes_sent;
  out->dropped = p.dropped;
  uint64_t end = end_seq();
  out->pending_messages = p.state == PlayerState::Dead || p.next_seq >= end ? 0 : end - p.next_seq;
  return true;
}

LogStats FanoutLog::stats() const {
  LogStats s;
  s.players = players_.size();
  s.messages = entries_.size();
  s.retained_bytes = retained_bytes_;
  s.bytes_sent = bytes_sent_;
  return s;
}

}  // namespace tsrs
