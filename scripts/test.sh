#!/usr/bin/env bash
# The test command: set up if needed (system packages, LibTorch, data), build, run every test.
#   scripts/test.sh            all tests (labels unit and slow; gpu tests skip without CUDA)
#   scripts/test.sh -L unit    only the fast set (any ctest arguments pass through)
#   scripts/test.sh --sanitize the unit set built with AddressSanitizer and UBSan (-O1 -g1) in build-asan/
#                              (ddm's code instrumented; LibTorch's findings suppressed in
#                              scripts/sanitize/, each with its reason)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ "${1:-}" = "--sanitize" ]; then
  shift
  scripts/setup.sh
  export DDM_BUILD_DIR=build-asan DDM_CMAKE_ARGS="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDM_SANITIZE=ON"
  scripts/build.sh ddm ddm_unit_tests ddm_fuzz_replay
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_odr_violation=0"
  export LSAN_OPTIONS="suppressions=$root/scripts/sanitize/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$root/scripts/sanitize/ubsan.supp"
  cd build-asan
  exec ctest --output-on-failure --no-tests=error -j "$(nproc)" -L unit "$@"
fi
scripts/setup.sh
scripts/build.sh
# Structure rules of the brief, checked before the tests: the C++ sources formatted as
# .clang-format says, no function in src/ over 80 lines, and the inference libraries never link
# training code.
scripts/check_format.sh
python3 scripts/function_lengths.py src
python3 scripts/check_layers.py "${DDM_BUILD_DIR:-build}"
cd "${DDM_BUILD_DIR:-build}"
ctest --output-on-failure --no-tests=error -j "$(nproc)" "$@"
