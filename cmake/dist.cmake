# Data parallelism on PyTorch's c10d. The pip wheel ships c10d's headers and its
# compiled Gloo backend, but not the <gloo/...> headers that ProcessGroupGloo.hpp includes;
# Debian's libgloo-dev supplies them (older than the wheel's gloo: every collective ddm uses is
# checked across processes by the slow.Distributed tests). NCCL needs a CUDA LibTorch and nccl.h
# (pip's nvidia-nccl package or the CUDA toolkit).
set(DDM_DIST AUTO CACHE STRING "c10d data parallelism: AUTO (when the gloo headers are found), ON, OFF")
set_property(CACHE DDM_DIST PROPERTY STRINGS AUTO ON OFF)
set(DDM_HAVE_C10D OFF)
set(DDM_HAVE_NCCL OFF)
if(NOT DDM_DIST STREQUAL "OFF")
  find_path(GLOO_INCLUDE_DIR gloo/algorithm.h)
  find_path(DDM_C10D_INCLUDE torch/csrc/distributed/c10d/ProcessGroupGloo.hpp PATHS ${TORCH_INCLUDE_DIRS} NO_DEFAULT_PATH)
  if(GLOO_INCLUDE_DIR AND DDM_C10D_INCLUDE)
    set(DDM_HAVE_C10D ON)
  elseif(DDM_DIST STREQUAL "ON")
    message(FATAL_ERROR "ddm: DDM_DIST=ON but the gloo headers (Debian: libgloo-dev) or LibTorch's c10d headers were not found")
  endif()
  if(DDM_HAVE_C10D AND DDM_TORCH_HAS_CUDA)
    execute_process(COMMAND python3 -c "import nvidia.nccl, os; print(os.path.join(nvidia.nccl.__path__[0], 'include'))"
                    OUTPUT_VARIABLE _ddm_nccl_hint OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${_ddm_nccl_hint} ${CUDAToolkit_INCLUDE_DIRS})
    if(NCCL_INCLUDE_DIR)
      set(DDM_HAVE_NCCL ON)
    endif()
  endif()
endif()
message(STATUS "ddm: c10d (gloo)=${DDM_HAVE_C10D} nccl=${DDM_HAVE_NCCL}")
