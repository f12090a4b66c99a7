#!/usr/bin/env bash
# CI step: LibTorch named by CMAKE_PREFIX_PATH is the one used. A copy of the committed sources
# (no .venv, no build/) is set up with CMAKE_PREFIX_PATH naming the LibTorch this checkout built
# with, and must report it, pip-install no torch, leave build/torch_dir.txt empty (so that
# scripts/build.sh passes no Torch_DIR over it), and configure with Torch_DIR inside that prefix.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
torch_dir="$(cat "$root/build/torch_dir.txt")"  # .../torch/share/cmake/Torch
prefix="$(cd "$torch_dir/../../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git -C "$root" archive HEAD | tar -x -C "$tmp"
cd "$tmp"
fail() { echo "check_torch_prefix: $*" >&2; exit 1; }
log="$(env -u Torch_DIR -u DDM_REQUIRE_TEST_DEPS DDM_FORCE_VENV=1 CMAKE_PREFIX_PATH="$prefix" scripts/setup.sh 2>&1)"
grep -q "LibTorch from CMAKE_PREFIX_PATH" <<<"$log" || fail "setup did not take LibTorch from CMAKE_PREFIX_PATH: $log"
[ ! -e .venv ] || fail "setup made a .venv (pip-installed torch) although CMAKE_PREFIX_PATH names a LibTorch"
[ -z "$(cat build/torch_dir.txt)" ] || fail "setup wrote Torch_DIR $(cat build/torch_dir.txt), which build.sh would pass over CMAKE_PREFIX_PATH"
CMAKE_PREFIX_PATH="$prefix" DDM_CMAKE_ARGS="-DDDM_BUILD_TESTS=OFF" timeout 300 scripts/build.sh --version >/dev/null 2>&1 || true
found="$(sed -n 's/^Torch_DIR:PATH=//p' build/CMakeCache.txt 2>/dev/null)"
[[ "$found" == "$prefix"* ]] || fail "CMake found Torch at '$found', not under CMAKE_PREFIX_PATH $prefix"
echo "[check] CMAKE_PREFIX_PATH=$prefix: setup installed no torch, CMake found $found"
