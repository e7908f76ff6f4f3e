{
  'includes': ['native/sources.gypi'],
  'targets': [
    {
      'target_name': 'tsrs',
      'sources': ['<@(tsrs_core_sources)', '<@(tsrs_addon_sources)'],
      'include_dirs': [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        'native/src',
      ],
      'defines': ['NAPI_VERSION=8', 'NODE_ADDON_API_DISABLE_DEPRECATED', 'NAPI_CPP_EXCEPTIONS'],
      'cflags!': ['-fno-exceptions'],
      'cflags_cc!': ['-fno-exceptions', '-std=gnu++17'],
      'cflags_cc': ['-std=c++17', '-fexceptions', '-O2', '-Wall', '-Wextra', '-Wno-unused-parameter'],
    },
  ],
}
