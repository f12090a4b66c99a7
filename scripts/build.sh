#!/usr/bin/env bash
# Configures (once) and builds ddm into build/. Used by test.sh and demo.sh; extra arguments go
# to the build tool (e.g. `scripts/build.sh ddm` builds only the binary).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${DDM_BUILD_DIR:-build}"
torch_dir="$(cat build/torch_dir.txt 2>/dev/null || true)"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release ${torch_dir:+-DTorch_DIR="$torch_dir"} ${DDM_CMAKE_ARGS:-}
fi
cmake --build "$build" -- "$@"
