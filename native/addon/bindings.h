// Each native class registers itself on the addon's exports through one of these.
#pragma once

#include <napi.h>

namespace tsrs_addon {

void InitChunkBindings(Napi::Env env, Napi::Object exports);   // rtmp_chunk_binding.cpp
void InitFanoutBindings(Napi::Env env, Napi::Object exports);  // fanout_binding.cpp
void InitSocketReadBindings(Napi::Env env, Napi::Object exports);  // socket_read_binding.cpp

}  // namespace tsrs_addon
