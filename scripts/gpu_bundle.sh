#!/usr/bin/env bash
# Run on a machine with Debian's package archive (this one): downloads, into the ignored .deb/,
# the Debian packages ddm builds against, for a GPU machine that has LibTorch (in python3's
# torch), nvcc, CMake and ninja but no internet and none of these libraries (docs/gpu.md).
# Carry .deb/ there and run scripts/gpu_build.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$root/.deb"
cd "$root/.deb"
pkgs=(libcxxopts-dev nlohmann-json3-dev libgloo-dev libspdlog-dev libspdlog1.10 libfmt-dev libfmt9 libyaml-cpp-dev libyaml-cpp0.7
      libgtest-dev libgmock-dev libstb-dev libstb0 libpng-dev libpng16-16 libjpeg62-turbo-dev libjpeg62-turbo zlib1g-dev dataset-fashion-mnist)
apt-get download "${pkgs[@]}" >/dev/null 2>&1 || apt-get download "${pkgs[@]}"
ls -1 *.deb
echo "[gpu_bundle] $(ls -1 *.deb | wc -l) packages in $root/.deb ($(du -sh . | cut -f1)); carry .deb to the GPU machine"
