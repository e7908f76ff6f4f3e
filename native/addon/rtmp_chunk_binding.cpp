#include "bindings.h"

namespace tsrs_addon {

void InitChunkBindings(Napi::Env env, Napi::Object exports) {}

}  // namespace tsrs_addon
