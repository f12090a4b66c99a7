#!/usr/bin/env bash
# The test command: set up if needed (system packages, LibTorch, data), build, run every test.
#   scripts/test.sh            all tests (labels unit and slow; gpu tests skip without CUDA)
#   scripts/test.sh -L unit    only the fast set (any ctest arguments pass through)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh
scripts/build.sh
# Structure rules of the brief, checked before the tests: no function in src/ over 80 lines, and
# the inference libraries never link training code.
python3 scripts/function_lengths.py src
python3 scripts/check_layers.py "${DDM_BUILD_DIR:-build}"
cd "${DDM_BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" "$@"
