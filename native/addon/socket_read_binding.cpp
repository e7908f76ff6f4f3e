// readSocket(fd, buffer): one non-blocking recv on a socket whose libuv handle is not
// reading, for merged reads (src/app/rtmp/merged-read-poller.ts). A publisher read once
// per mr_latency costs a syscall this way, instead of a libuv watch started and stopped
// (two epoll_ctl), an epoll wakeup, a timer and a JS callback per nap.
#include <sys/socket.h>

#include <cerrno>
#include <string>

#include "bindings.h"

namespace tsrs_addon {
namespace {

[[noreturn]] void ThrowBadArgument(Napi::Env env, const std::string& message) {
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Set("code", Napi::String::New(env, "BadArgument"));
  throw error;
}

// Returns the bytes read (up to the buffer's length), 0 at the end of the stream, or
// -errno: -EAGAIN when nothing is waiting, -EBADF/-ENOTSOCK for a descriptor that is no
// socket, -ECONNRESET...
Napi::Value ReadSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber()) ThrowBadArgument(env, "readSocket(fd, buffer): fd must be a number");
  Napi::Value target = info[1];
  if (!target.IsTypedArray() || target.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowBadArgument(env, "readSocket(fd, buffer): buffer must be a Buffer or Uint8Array");
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  Napi::Uint8Array buffer = target.As<Napi::Uint8Array>();
  ssize_t n;
  do {
    n = ::recv(fd, buffer.Data(), buffer.ElementLength(), MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return Napi::Number::New(env, n >= 0 ? double(n) : -double(errno));
}

}  // namespace

void InitSocketReadBindings(Napi::Env env, Napi::Object exports) {
  exports.Set("readSocket", Napi::Function::New<ReadSocket>(env, "readSocket"));
  Napi::Object codes = Napi::Object::New(env);
  codes.Set("EAGAIN", Napi::Number::New(env, EAGAIN));
  codes.Set("EWOULDBLOCK", Napi::Number::New(env, EWOULDBLOCK));
  exports.Set("socketReadErrno", codes);
}

}  // namespace tsrs_addon
