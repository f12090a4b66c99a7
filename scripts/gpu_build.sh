#!/usr/bin/env bash
# Run on the GPU machine (docs/gpu.md): unpacks the carried .deb/ packages into .deb/prefix
# (no root, no apt), configures build-gpu/ against python3's LibTorch (CUDA) and that prefix,
# builds ddm and the tests, and runs every test (CUDA-only tests run there, skipped elsewhere).
#   scripts/gpu_build.sh            build and test
#   scripts/gpu_build.sh --no-test  build only
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
prefix="$root/.deb/prefix"
if ls .deb/*.deb >/dev/null 2>&1; then
  mkdir -p "$prefix"
  for d in .deb/*.deb; do dpkg -x "$d" "$prefix"; done
  # The unpacked pkg-config files say prefix=/usr: point them at the unpacked tree (stb).
  find "$prefix" -name '*.pc' -exec sed -i "s|^prefix=/usr\$|prefix=$prefix/usr|" {} +
fi
torch_prefix="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"
arch_lib="$prefix/usr/lib/$(uname -m)-linux-gnu"
export PKG_CONFIG_PATH="$arch_lib/pkgconfig:$prefix/usr/share/pkgconfig:$prefix/usr/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$arch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ ! -f build-gpu/build.ninja ]; then
  cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DDDM_CUDA=ON \
    -DCMAKE_PREFIX_PATH="$torch_prefix;$prefix/usr" ${DDM_CMAKE_ARGS:-}
fi
cmake --build build-gpu
[ "${1:-}" = "--no-test" ] && exit 0
cd build-gpu && ctest --output-on-failure -j4
