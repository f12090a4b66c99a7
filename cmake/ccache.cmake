# Use ccache as the compiler launcher when it is installed. PCH builds need the sloppiness below,
# or ccache refuses to cache any translation unit that uses the precompiled header.
find_program(DDM_CCACHE ccache)
if(DDM_CCACHE)
  set(_launcher ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      CCACHE_NOHASHDIR=1 ${DDM_CCACHE})
  set(CMAKE_C_COMPILER_LAUNCHER ${_launcher})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_launcher})
  set(CMAKE_CUDA_COMPILER_LAUNCHER ${_launcher})
  message(STATUS "ddm: ccache ${DDM_CCACHE}")
endif()
