// N-API glue for tsrs::FanoutLog: argument checks, fd duplication, a libuv poll per
// blocked player, and rare events (dead, skipped) delivered to JS from a libuv callback.
// Nothing here runs per message or per player per flush beyond the core's own loop.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bindings.h"
#include "fanout_log.h"

namespace tsrs_addon {
namespace {

[[noreturn]] void ThrowCoded(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  throw error;
}

[[noreturn]] void ThrowBadArgument(Napi::Env env, const std::string& message) {
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Set("code", Napi::String::New(env, "BadArgument"));
  throw error;
}

// Accepts a Buffer or any Uint8Array; the bytes stay owned by JS for the call's duration.
tsrs::SharedBlock::Part BytesOf(Napi::Env env, Napi::Value value, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowBadArgument(env, std::string(what) + " must be a Buffer or Uint8Array");
  }
  auto bytes = value.As<Napi::Uint8Array>();
  return tsrs::SharedBlock::Part{bytes.Data(), bytes.ByteLength()};
}

double NumberArg(Napi::Env env, Napi::Value value, const char* what) {
  if (!value.IsNumber()) ThrowBadArgument(env, std::string(what) + " must be a number");
  double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number)) ThrowBadArgument(env, std::string(what) + " must be finite");
  return number;
}

uint32_t PlayerIdArg(Napi::Env env, Napi::Value value) {
  double id = NumberArg(env, value, "playerId");
  if (id < 0 || id > 4294967295.0 || id != std::floor(id)) ThrowBadArgument(env, "playerId must be a player id");
  return uint32_t(id);
}

tsrs::FanoutOptions ParseOptions(Napi::Env env, Napi::Value value) {
  tsrs::FanoutOptions options;
  if (value.IsUndefined() || value.IsNull()) return options;
  if (!value.IsObject()) ThrowBadArgument(env, "FanoutLog options must be an object");
  Napi::Object object = value.As<Napi::Object>();
  auto present = [&](const char* key) {
    Napi::Value v = object.Get(key);
    return !(v.IsUndefined() || v.IsNull());
  };
  if (present("queueLimitMs")) {
    double ms = NumberArg(env, object.Get("queueLimitMs"), "queueLimitMs");
    if (ms < 0) ThrowBadArgument(env, "queueLimitMs must be >= 0");
    options.queue_limit_ms = int64_t(ms);
  }
  if (present("gopCache")) {
    Napi::Value v = object.Get("gopCache");
    if (!v.IsBoolean()) ThrowBadArgument(env, "gopCache must be a boolean");
    options.gop_cache = v.As<Napi::Boolean>().Value();
  }
  if (present("gopCacheMaxFrames")) {
    double frames = NumberArg(env, object.Get("gopCacheMaxFrames"), "gopCacheMaxFrames");
    if (frames < 1 || frames > 4294967295.0) ThrowBadArgument(env, "gopCacheMaxFrames must be >= 1");
    options.gop_cache_max_frames = uint32_t(frames);
  }
  if (present("maxLogBytes")) {
    double bytes = NumberArg(env, object.Get("maxLogBytes"), "maxLogBytes");
    if (bytes < 1) ThrowBadArgument(env, "maxLogBytes must be >= 1");
    options.max_log_bytes = size_t(bytes);
  }
  return options;
}

class FanoutLogWrap;

// Lives until every libuv handle the wrapper opened has finished closing (close callbacks
// run on a later loop turn, possibly after the wrapper was garbage-collected), and keeps the
// env-teardown hook registered meanwhile so Node waits for those callbacks at exit.
struct HandleTracker {
  FanoutLogWrap* wrapper;
  int open_handles = 0;
  napi_async_cleanup_hook_handle hook = nullptr;
};

void TrackerMaybeFinish(HandleTracker* tracker) {
  if (tracker->wrapper || tracker->open_handles > 0) return;
  if (tracker->hook) napi_remove_async_cleanup_hook(tracker->hook);
  delete tracker;
}

// Allocated the first time a player blocks, kept (stopped) until it is removed or dies.
struct PlayerPoll {
  uv_poll_t handle;
  HandleTracker* tracker;
  FanoutLogWrap* owner;  // valid while the handle is open: the owner closes it first
  uint32_t player;
};

void OnPollClosed(uv_handle_t* handle) {
  auto* poll = static_cast<PlayerPoll*>(handle->data);
  HandleTracker* tracker = poll->tracker;
  delete poll;
  tracker->open_handles--;
  TrackerMaybeFinish(tracker);
}

void OnAsyncClosed(uv_handle_t* handle) {
  auto* tracker = static_cast<HandleTracker*>(handle->data);
  delete reinterpret_cast<uv_async_t*>(handle);
  tracker->open_handles--;
  TrackerMaybeFinish(tracker);
}

class FanoutLogWrap : public Napi::ObjectWrap<FanoutLogWrap>, public tsrs::FanoutObserver {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FanoutLog",
                       {
                           InstanceMethod<&FanoutLogWrap::Append>("append"),
                           InstanceMethod<&FanoutLogWrap::Flush>("flush"),
                           InstanceMethod<&FanoutLogWrap::AddPlayer>("addPlayer"),
                           InstanceMethod<&FanoutLogWrap::Send>("send"),
                           InstanceMethod<&FanoutLogWrap::RemovePlayer>("removePlayer"),
                           InstanceMethod<&FanoutLogWrap::PlayerStatsOf>("playerStats"),
                           InstanceMethod<&FanoutLogWrap::Stats>("stats"),
                           InstanceMethod<&FanoutLogWrap::OnEvent>("onEvent"),
                           InstanceMethod<&FanoutLogWrap::Close>("close"),
                       });
  }

  explicit FanoutLogWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FanoutLogWrap>(info), env_(info.Env()) {
    Napi::Env env = info.Env();
    tsrs::FanoutOptions options = ParseOptions(env, info[0]);
    if (napi_get_uv_event_loop(env, &loop_) != napi_ok || !loop_) ThrowCoded(env, "NoLoop", "no libuv loop");
    auto* tracker = new HandleTracker{this};
    if (napi_add_async_cleanup_hook(env, OnEnvTeardown, tracker, &tracker->hook) != napi_ok) {
      delete tracker;
      ThrowCoded(env, "NoCleanupHook", "cannot register the env cleanup hook");
    }
    tracker_ = tracker;
    async_ = new uv_async_t;
    uv_async_init(loop_, async_, OnAsync);
    async_->data = tracker_;
    tracker_->open_handles++;
    uv_unref(reinterpret_cast<uv_handle_t*>(async_));  // rare events must not keep the process alive
    log_ = std::make_unique<tsrs::FanoutLog>(options, this);
  }

  ~FanoutLogWrap() override {
    if (!tracker_) return;  // env teardown already closed everything
    CloseAll();
    HandleTracker* tracker = tracker_;
    tracker_ = nullptr;
    tracker->wrapper = nullptr;
    TrackerMaybeFinish(tracker);
  }

 private:
  struct PendingEvent {
    uint32_t player;
    const char* kind;
    std::string detail;
  };

  tsrs::FanoutLog& Log(Napi::Env env) {
    if (!log_) ThrowCoded(env, "Closed", "FanoutLog is closed");
    return *log_;
  }

  // ---- JS methods -----------------------------------------------------------------------

  void Append(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    tsrs::FanoutLog& log = Log(env);
    double timestamp = NumberArg(env, info[1], "timestampMs");
    if (!info[2].IsBoolean()) ThrowBadArgument(env, "randomAccess must be a boolean");
    bool random_access = info[2].As<Napi::Boolean>().Value();
    std::vector<tsrs::SharedBlock::Part> parts;
    if (info[0].IsArray()) {
      Napi::Array array = info[0].As<Napi::Array>();
      parts.reserve(array.Length());
      for (uint32_t i = 0; i < array.Length(); i++) parts.push_back(BytesOf(env, array.Get(i), "data[]"));
    } else {
      parts.push_back(BytesOf(env, info[0], "data"));
    }
    log.append_parts(parts.data(), parts.size(), int64_t(timestamp), random_access);
    AfterCoreCall();
  }

  void Flush(const Napi::CallbackInfo& info) {
    Log(info.Env()).flush();
    AfterCoreCall();
  }

  Napi::Value AddPlayer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    tsrs::FanoutLog& log = Log(env);
    double fd_number = NumberArg(env, info[0], "fd");
    if (fd_number < 0 || fd_number > 2147483647.0 || fd_number != std::floor(fd_number)) {
      ThrowCoded(env, "BadFd", "fd must be a non-negative integer");
    }
    if (!info[1].IsArray()) ThrowBadArgument(env, "preamble must be an array of Buffers");
    Napi::Array preamble_array = info[1].As<Napi::Array>();
    std::vector<tsrs::SharedBlock::Part> preamble;
    for (uint32_t i = 0; i < preamble_array.Length(); i++) {
      preamble.push_back(BytesOf(env, preamble_array.Get(i), "preamble[]"));
    }
    if (!info[2].IsBoolean()) ThrowBadArgument(env, "startAtGop must be a boolean");
    bool start_at_gop = info[2].As<Napi::Boolean>().Value();

    int fd = int(fd_number);
    int type = 0;
    socklen_t type_size = sizeof(type);
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_size) != 0) {
      ThrowCoded(env, "BadFd", "fd " + std::to_string(fd) + " is not a socket: " + std::strerror(errno));
    }
    if (type != SOCK_STREAM) ThrowCoded(env, "BadFd", "fd " + std::to_string(fd) + " is not a stream socket");
    // Our own fd for the same socket: its own epoll registration, closed by us alone, while
    // Node's net.Socket keeps reading the original.
    int own_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (own_fd < 0) ThrowCoded(env, "BadFd", "dup of fd " + std::to_string(fd) + " failed: " + std::strerror(errno));

    uint32_t id = log.add_player(own_fd, start_at_gop);
    for (const auto& part : preamble) log.queue_control(id, part.data, part.size);
    log.flush_player(id);  // start the preamble and GOP now rather than at the next flush
    AfterCoreCall();
    return Napi::Number::New(env, id);
  }

  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    tsrs::FanoutLog& log = Log(env);
    uint32_t id = PlayerIdArg(env, info[0]);
    tsrs::SharedBlock::Part bytes = BytesOf(env, info[1], "data");
    bool queued = log.queue_control(id, bytes.data, bytes.size);
    if (queued) log.flush_player(id);
    AfterCoreCall();
    return Napi::Boolean::New(env, queued);
  }

  Napi::Value RemovePlayer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t id = PlayerIdArg(env, info[0]);
    if (!log_) return env.Undefined();
    StopPolling(id);  // before the fd closes: epoll must not see a recycled fd number
    tsrs::PlayerStats stats;
    if (!log_->remove_player(id, &stats)) return env.Undefined();
    ForgetEvents(id);
    Napi::Object result = Napi::Object::New(env);
    result.Set("bytesSent", Napi::Number::New(env, double(stats.bytes_sent)));
    result.Set("dropped", Napi::Number::New(env, double(stats.dropped)));
    return result;
  }

  Napi::Value PlayerStatsOf(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t id = PlayerIdArg(env, info[0]);
    tsrs::PlayerStats stats;
    if (!log_ || !log_->player_stats(id, &stats)) return env.Undefined();
    Napi::Object result = Napi::Object::New(env);
    result.Set("state", Napi::String::New(env, tsrs::player_state_name(stats.state)));
    result.Set("bytesSent", Napi::Number::New(env, double(stats.bytes_sent)));
    result.Set("dropped", Napi::Number::New(env, double(stats.dropped)));
    result.Set("pendingMessages", Napi::Number::New(env, double(stats.pending_messages)));
    return result;
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    tsrs::LogStats stats = log_ ? log_->stats() : tsrs::LogStats{};
    Napi::Object result = Napi::Object::New(env);
    result.Set("players", Napi::Number::New(env, double(stats.players)));
    result.Set("messages", Napi::Number::New(env, double(stats.messages)));
    result.Set("retainedBytes", Napi::Number::New(env, double(stats.retained_bytes)));
    result.Set("bytesSent", Napi::Number::New(env, double(stats.bytes_sent)));
    return result;
  }

  void OnEvent(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Log(env);
    if (info[0].IsUndefined() || info[0].IsNull()) {
      on_event_.Reset();
      return;
    }
    if (!info[0].IsFunction()) ThrowBadArgument(env, "onEvent expects a function");
    on_event_ = Napi::Persistent(info[0].As<Napi::Function>());
    if (!async_context_) async_context_ = std::make_unique<Napi::AsyncContext>(env, "tsrs.FanoutLog");
  }

  void Close(const Napi::CallbackInfo& info) { CloseAll(); }

  // ---- teardown -------------------------------------------------------------------------

  // Idempotent: from close(), the GC finalizer, or env teardown. Poll handles are closed
  // (which deregisters their fds at once) before the core closes the fds.
  void CloseAll() {
    for (auto& item : polls_) uv_close(reinterpret_cast<uv_handle_t*>(&item.second->handle), OnPollClosed);
    polls_.clear();
    log_.reset();
    if (async_) {
      uv_close(reinterpret_cast<uv_handle_t*>(async_), OnAsyncClosed);
      async_ = nullptr;
    }
    events_.clear();
    poll_failures_.clear();
    on_event_.Reset();
    async_context_.reset();
  }

  static void OnEnvTeardown(napi_async_cleanup_hook_handle hook, void* arg) {
    auto* tracker = static_cast<HandleTracker*>(arg);
    tracker->hook = hook;
    if (FanoutLogWrap* wrapper = tracker->wrapper) {
      wrapper->CloseAll();
      wrapper->tracker_ = nullptr;  // the wrapper's finalizer, if it still runs, has nothing to do
      tracker->wrapper = nullptr;
    }
    TrackerMaybeFinish(tracker);
  }

  // ---- polling and events ---------------------------------------------------------------

  // Work the observer could not do from inside a core call (which must not re-enter the
  // core), then wake the event delivery if anything is pending.
  void AfterCoreCall() {
    while (log_ && !poll_failures_.empty()) {
      auto failures = std::move(poll_failures_);
      poll_failures_.clear();
      for (auto& failure : failures) log_->fail_player(failure.first, failure.second);
    }
    if (!events_.empty() && async_) uv_async_send(async_);
  }

  void StopPolling(uint32_t player) {
    auto found = polls_.find(player);
    if (found == polls_.end()) return;
    uv_close(reinterpret_cast<uv_handle_t*>(&found->second->handle), OnPollClosed);
    polls_.erase(found);
  }

  void ForgetEvents(uint32_t player) {
    std::vector<PendingEvent> kept;
    for (auto& event : events_) {
      if (event.player != player) kept.push_back(std::move(event));
    }
    events_.swap(kept);
  }

  void on_blocked(uint32_t player, int fd) override {
    PlayerPoll*& poll = polls_[player];
    if (!poll) {
      auto* fresh = new PlayerPoll{};
      int status = uv_poll_init(loop_, &fresh->handle, fd);
      if (status != 0) {
        delete fresh;
        polls_.erase(player);
        poll_failures_.emplace_back(player, std::string("cannot poll the socket: ") + uv_strerror(status));
        return;
      }
      fresh->handle.data = fresh;
      fresh->tracker = tracker_;
      fresh->owner = this;
      fresh->player = player;
      tracker_->open_handles++;
      // The net.Socket owning the connection keeps the loop alive, not this watcher.
      uv_unref(reinterpret_cast<uv_handle_t*>(&fresh->handle));
      poll = fresh;
    }
    int status = uv_poll_start(&poll->handle, UV_WRITABLE, OnPollEvent);
    if (status != 0) poll_failures_.emplace_back(player, std::string("cannot poll the socket: ") + uv_strerror(status));
  }

  void on_unblocked(uint32_t player) override {
    auto found = polls_.find(player);
    if (found != polls_.end()) uv_poll_stop(&found->second->handle);
  }

  void on_dead(uint32_t player, const std::string& reason) override {
    StopPolling(player);
    events_.push_back(PendingEvent{player, "dead", reason});
  }

  void on_skipped(uint32_t player, const std::string& detail) override {
    events_.push_back(PendingEvent{player, "skipped", detail});
  }

  static void OnPollEvent(uv_poll_t* handle, int status, int events) {
    auto* poll = static_cast<PlayerPoll*>(handle->data);
    FanoutLogWrap* self = poll->owner;
    uint32_t player = poll->player;  // `poll` may be closed by what follows
    if (!self->log_) return;
    self->log_->on_writable(player);
    tsrs::PlayerStats stats;
    if (status < 0 && self->log_->player_stats(player, &stats) && stats.state == tsrs::PlayerState::Blocked) {
      // libuv stopped the watcher on the error; nothing would ever wake this player again.
      self->log_->fail_player(player, std::string("poll failed: ") + uv_strerror(status));
    }
    self->AfterCoreCall();
  }

  static void OnAsync(uv_async_t* handle) {
    auto* tracker = static_cast<HandleTracker*>(handle->data);
    if (tracker->wrapper) tracker->wrapper->DeliverEvents();
  }

  void DeliverEvents() {
    if (events_.empty()) return;
    std::vector<PendingEvent> batch;
    batch.swap(events_);
    if (on_event_.IsEmpty()) return;
    Napi::Env env(env_);
    Napi::HandleScope scope(env);
    // Held in this scope so the wrapper cannot be collected mid-delivery; empty if the JS
    // object is already gone and only its finalizer is pending.
    Napi::Object self = Value();
    Napi::Value receiver = self.IsEmpty() ? env.Undefined() : Napi::Value(self);
    for (auto& event : batch) {
      if (on_event_.IsEmpty() || !async_context_) break;  // the callback closed us
      try {
        on_event_.MakeCallback(receiver,
                               {Napi::Number::New(env, event.player), Napi::String::New(env, event.kind),
                                Napi::String::New(env, event.detail)},
                               *async_context_);
      } catch (const Napi::Error& error) {
        // No JS frame to throw into: report it as Node reports any uncaught callback error.
        napi_fatal_exception(env_, error.Value());
        return;
      }
    }
  }

  napi_env env_;
  uv_loop_t* loop_ = nullptr;
  std::unique_ptr<tsrs::FanoutLog> log_;
  HandleTracker* tracker_ = nullptr;
  uv_async_t* async_ = nullptr;
  std::unordered_map<uint32_t, PlayerPoll*> polls_;
  std::vector<PendingEvent> events_;
  std::vector<std::pair<uint32_t, std::string>> poll_failures_;
  Napi::FunctionReference on_event_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
};

}  // namespace

void InitFanoutBindings(Napi::Env env, Napi::Object exports) {
  exports.Set("FanoutLog", FanoutLogWrap::Define(env));
}

}  // namespace tsrs_addon
