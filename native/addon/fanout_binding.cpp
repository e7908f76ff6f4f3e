#include "bindings.h"

namespace tsrs_addon {

void InitFanoutBindings(Napi::Env env, Napi::Object exports) {}

}  // namespace tsrs_addon
