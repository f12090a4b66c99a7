#!/usr/bin/env bash
# torchrun for ddm: the launcher of the scripts' python (scripts/python.sh: the project's .venv,
# which has the build's torch or python3's, else python3), run as `python -m
# torch.distributed.run --no-python`. Put `--` before the ddm binary, or torchrun's parser takes
# ddm's options (--num matches its --numa-binding):
#   scripts/torchrun.sh --nproc-per-node=2 -- build/src/ddm train-expert --shard 0 --config C
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/python.sh"
py="$(ddm_python)"
"$py" -c 'import torch.distributed.run' >/dev/null 2>&1 || { echo "torchrun.sh: no python with torch (run scripts/setup.sh)" >&2; exit 1; }
exec "$py" -m torch.distributed.run --no-python "$@"
