# Find LibTorch, in this order: Torch_DIR / CMAKE_PREFIX_PATH as given, then the torch
# package of python3, then the project's own .venv (made by scripts/setup.sh). Never a fixed path.
find_package(Torch QUIET)
if(NOT Torch_FOUND)
  set(_ddm_pythons)
  find_program(_ddm_sys_python python3)
  if(_ddm_sys_python)
    list(APPEND _ddm_pythons ${_ddm_sys_python})
  endif()
  if(EXISTS ${PROJECT_SOURCE_DIR}/.venv/bin/python)
    list(APPEND _ddm_pythons ${PROJECT_SOURCE_DIR}/.venv/bin/python)
  endif()
  foreach(_py IN LISTS _ddm_pythons)
    execute_process(COMMAND ${_py} -c "import torch; print(torch.utils.cmake_prefix_path)"
                    OUTPUT_VARIABLE _prefix OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE _rc ERROR_QUIET)
    if(_rc EQUAL 0 AND EXISTS "${_prefix}/Torch/TorchConfig.cmake")
      set(Torch_DIR "${_prefix}/Torch" CACHE PATH "LibTorch CMake folder" FORCE)
      break()
    endif()
  endforeach()
  find_package(Torch)
endif()
if(NOT Torch_FOUND)
  message(FATAL_ERROR "ddm: LibTorch not found. Run scripts/setup.sh (installs torch into .venv), "
                      "or pass -DTorch_DIR=<libtorch>/share/cmake/Torch.")
endif()
# TorchConfig appends its flags to CMAKE_CXX_FLAGS; they also reach nvcc otherwise.
message(STATUS "ddm: LibTorch ${Torch_VERSION} at ${Torch_DIR}")
set(DDM_TORCH_HAS_CUDA OFF)
if(TORCH_CUDA_LIBRARIES OR CAFFE2_USE_CUDA)
  set(DDM_TORCH_HAS_CUDA ON)
endif()
