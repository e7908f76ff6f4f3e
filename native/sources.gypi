# The one list of native sources. binding.gyp includes this file; CMakeLists.txt parses it.
# core: plain C++ with no Node types (built by both). addon: N-API glue (built by node-gyp only).
{
  'variables': {
    'tsrs_core_sources': [
      'native/src/byte_reader.cpp',
      'native/src/fanout_log.cpp',
      'native/src/rtmp_chunk_demuxer.cpp',
      'native/src/rtmp_chunk_muxer.cpp',
    ],
    'tsrs_addon_sources': [
      'native/addon/addon.cpp',
      'native/addon/rtmp_chunk_binding.cpp',
      'native/addon/fanout_binding.cpp',
      'native/addon/socket_read_binding.cpp',
    ],
  },
}
