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
# Order: Torch_DIR / CMAKE_PREFIX_PATH, then python3's torch, else our own .venv.
torch_dir=""
if [ -n "${Torch_DIR:-}" ] && [ -f "${Torch_DIR}/TorchConfig.cmake" ]; then
  torch_dir="$Torch_DIR"
elif python3 -c 'import torch' >/dev/null 2>&1 && [ -z "${DDM_FORCE_VENV:-}" ]; then
  torch_dir="$(python3 -c 'import torch, os; print(os.path.join(torch.utils.cmake_prefix_path, "Torch"))')"
else
  if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    python3 -m venv .venv
  fi
  if ! .venv/bin/python -c 'import torch' >/dev/null 2>&1; then
    say "installing torch==2.13.0 into .venv (LibTorch headers and CMake files come with it)"
    .venv/bin/python -m pip install -q torch==2.13.0
  fi
  # Installed before torch is first imported for its path (torch warns without numpy).
  # numpy lets the tests check that numpy reads what we write (and the reverse); diffusers and
  # safetensors that UNet2DModel computes what ddm's U-Net computes. Optional: the
  # tests that need them skip with a message.
  if ! .venv/bin/python -c 'import numpy' >/dev/null 2>&1; then
    .venv/bin/python -m pip install -q numpy || say "numpy not installed (numpy interop tests will skip)"
  fi
  if ! .venv/bin/python -c 'import diffusers, safetensors' >/dev/null 2>&1; then
    .venv/bin/python -m pip install -q diffusers safetensors || say "diffusers not installed (the diffusers comparisons will skip)"
  fi
  torch_dir="$(.venv/bin/python -c 'import torch, os; print(os.path.join(torch.utils.cmake_prefix_path, "Torch"))')"
fi
mkdir -p build
echo "$torch_dir" > build/torch_dir.txt
say "LibTorch: $torch_dir"
