// N-API entry point: registers each native class of the addon. Glue only; the logic
// lives in native/src where it is also built and tested without Node.
#include <napi.h>

namespace tsrs_addon {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("coreVersion", Napi::String::New(env, "1"));
  return exports;
}

}  // namespace tsrs_addon

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return tsrs_addon::Init(env, exports); }

NODE_API_MODULE(tsrs, InitAddon)
