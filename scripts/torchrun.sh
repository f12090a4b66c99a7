#!/usr/bin/env bash
# torchrun for ddm: the launcher of the python whose torch the build uses (scripts/setup.sh's
# order: python3 when it has torch, else the project's .venv), run as `python -m
# torch.distributed.run --no-python`. Put `--` before the ddm binary, or torchrun's parser takes
# ddm's options (--num matches its --numa-binding):
#   scripts/torchrun.sh --nproc-per-node=2 -- build/src/ddm train-expert --shard 0 --config C
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py=python3
if [ -n "${DDM_FORCE_VENV:-}" ] || ! python3 -c 'import torch.distributed.run' >/dev/null 2>&1; then
  py="$root/.venv/bin/python"
fi
[ -x "$(command -v "$py")" ] || { echo "torchrun.sh: no python with torch (run scripts/setup.sh)" >&2; exit 1; }
exec "$py" -m torch.distributed.run --no-python "$@"
