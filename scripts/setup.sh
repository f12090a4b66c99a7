#!/usr/bin/env bash
# Idempotent one-time setup: system packages (Debian), LibTorch (pip wheel in .venv) and the
# embedded default data set. scripts/test.sh and scripts/demo.sh call this first; running it
# again when everything is present takes about a second.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { printf '[setup] %s\n' "$*"; }

# --- 1. Debian packages ----------------------------------------------------------------------
pkgs=(build-essential cmake ninja-build ccache pkg-config zlib1g-dev
      libcxxopts-dev libspdlog-dev libfmt-dev libyaml-cpp-dev nlohmann-json3-dev libgloo-dev clang clang-format libclang-rt-14-dev libgtest-dev libgmock-dev libstb-dev libpng-dev libjpeg-dev
      dataset-fashion-mnist)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 2. LibTorch ---------------------------------------------------------------------------
# The first that has TorchConfig.cmake: Torch_DIR, CMAKE_PREFIX_PATH (each entry, as CMake searches
# it), python3's torch (unless DDM_FORCE_VENV), else torch==2.13.0 pip-installed into .venv.
# build/torch_dir.txt tells scripts/build.sh what to pass: nothing for CMAKE_PREFIX_PATH, which
# CMake reads from the environment itself.
prefix_torch() {
  local p d
  local IFS=:
  for p in ${CMAKE_PREFIX_PATH:-}; do
    for d in "$p/share/cmake/Torch" "$p/lib/cmake/Torch" "$p/Torch" "$p"; do
      [ -f "$d/TorchConfig.cmake" ] && { echo "$d"; return; }
    done
  done
}
python_torch() { python3 -c 'import torch, os; print(os.path.join(torch.utils.cmake_prefix_path, "Torch"))' 2>/dev/null; }
torch_dir="" torch_from=""
if [ -n "${Torch_DIR:-}" ] && [ -f "${Torch_DIR}/TorchConfig.cmake" ]; then
  torch_dir="$Torch_DIR" torch_from="Torch_DIR"
elif [ -n "$(prefix_torch)" ]; then
  torch_dir="" torch_from="CMAKE_PREFIX_PATH ($(prefix_torch))"
elif [ -z "${DDM_FORCE_VENV:-}" ] && [ -n "$(python_torch)" ]; then
  torch_dir="$(python_torch)" torch_from="python3's torch"
else
  if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    python3 -m venv .venv
  fi
  if ! .venv/bin/python -c 'import torch' >/dev/null 2>&1; then
    say "installing torch==2.13.0 into .venv (LibTorch headers and CMake files come with it)"
    .venv/bin/python -m pip install -q torch==2.13.0
  fi
  # numpy before torch is first imported for its path (torch warns without it).
  .venv/bin/python -c 'import numpy' >/dev/null 2>&1 || .venv/bin/python -m pip install -q numpy || true
  torch_dir="$(.venv/bin/python -c 'import torch, os; print(os.path.join(torch.utils.cmake_prefix_path, "Torch"))')"
  torch_from=".venv"
fi
mkdir -p build
echo "$torch_dir" > build/torch_dir.txt
say "LibTorch from $torch_from${torch_dir:+: $torch_dir}"

# --- 3. The test python's packages -----------------------------------------------------------
# numpy (numpy reads what ddm writes, and the reverse), diffusers and safetensors (UNet2DModel
# computes what ddm's U-Net computes), pytorch-fid (ddm's Inception forward). They go into .venv:
# made with python3's site packages when python3 has torch, so torch is not installed twice.
# pytorch-fid and torchvision go into .venv/fid-site, on the path of the pytorch-fid comparison
# only: PyPI's torchvision is built for PyPI's CUDA torch and breaks diffusers' import beside the
# CPU torch. Without a python torch (a C++ LibTorch from Torch_DIR or CMAKE_PREFIX_PATH) nothing is
# installed and those tests skip. A failed install is a message, or an error when
# DDM_REQUIRE_TEST_DEPS is set (CI).
need() {
  if [ -n "${DDM_REQUIRE_TEST_DEPS:-}" ]; then echo "setup: $*" >&2; exit 1; fi
  say "$* (the tests that need it will skip)"
}
if [ ! -x .venv/bin/python ] && [ "$torch_from" = "python3's torch" ]; then
  say "creating .venv for the test packages (with python3's site packages: its torch)"
  python3 -m venv --system-site-packages .venv
fi
if [ -x .venv/bin/python ] && .venv/bin/python -c 'import torch' >/dev/null 2>&1; then
  .venv/bin/python -c 'import numpy' >/dev/null 2>&1 || .venv/bin/python -m pip install -q numpy ||
    need "numpy did not install"
  .venv/bin/python -c 'import diffusers, safetensors' >/dev/null 2>&1 ||
    .venv/bin/python -m pip install -q diffusers safetensors || need "diffusers and safetensors did not install"
  [ -d .venv/fid-site/pytorch_fid ] ||
    .venv/bin/python -m pip install -q --no-deps --target .venv/fid-site pytorch-fid==0.3.0 torchvision==0.28.0 ||
    need "pytorch-fid did not install"
else
  need "no python with torch for the test packages"
fi
