// N-API entry point: registers each native class of the addon. Glue only; the logic
// lives in native/src where it is also built and tested without Node.
#include <napi.h>

#include "bindings.h"

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  tsrs_addon::InitChunkBindings(env, exports);
  tsrs_addon::InitFanoutBindings(env, exports);
  tsrs_addon::InitSocketReadBindings(env, exports);
  return exports;
}

NODE_API_MODULE(tsrs, InitAddon)
