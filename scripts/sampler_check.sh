#!/usr/bin/env bash
# The sampler against a real client, and every solver and grid, on one trained network
# (docs/results/sampler.md):
#   1. one Fashion-MNIST expert (the quick profile's 0.69M-parameter U-Net, shard 0: T-shirts),
#      trained for TRAIN_STEPS and exported (`ddm export`);
#   2. ddm's DDIM and diffusers' DDIM on the exported folder from the same noise (ddm's
#      --save-noise; diffusers runs DDIMPipeline's loop on it), seeds 0-2, at N = 10 and 50: ddm
#      with its uniform grid and with diffusers' leading spacing; and DDIMPipeline itself with its
#      own noise (seed 0);
#   3. ddm's four solvers with sample.clip_x0 on and off at N = 10, 25, 50 (seed 0).
# Every set is scored by its classifier-feature FD to the class's test images (one classifier,
# trained once). Each cell appends one JSON line to $out/results.jsonl and is skipped when it is
# there already, so the check resumes where it stopped.
#   scripts/sampler_check.sh [TRAIN_STEPS] [SAMPLES]    (defaults 2500 and 1000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
steps="${1:-2500}"
num="${2:-1000}"
scripts/setup.sh >/dev/null
scripts/build.sh ddm >/dev/null
ddm="${DDM_BUILD_DIR:-build}/src/ddm"
source "$(dirname "${BASH_SOURCE[0]}")/python.sh"
py="$(ddm_python)"
out="${DDM_SAMPLER_OUT:-runs/sampler_check}"
results="$out/results.jsonl"
common=(--config configs/fashion_mnist_quick.yaml -q --set run.dir="$out" --set train.steps="$steps"
        --set train.checkpoint_every=500 --set eval.classifier_steps=2000)
mkdir -p "$out"
touch "$results"
say() { printf '[sampler_check %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# 1. The network, its export, the reference images (class 0 of the test split) and their statistics.
[ -f "$out/shards.json" ] || "$ddm" prepare "${common[@]}"
say "training expert 0 for $steps steps (resumes)"
"$ddm" train-expert "${common[@]}" --shard 0
ckpt=$(ls "$out"/expert-0/ckpt-*.ddm | sort | tail -1)
[ -f "$out/hf/model_index.json" ] || "$ddm" export "$ckpt" --out "$out/hf" "${common[@]}"
if [ ! -f "$out/reference_stats.npz" ]; then
  "$py" - "$out/reference.npz" <<'PY'
import gzip, sys
import numpy as np
d = "/usr/share/datasets/fashion-mnist"
images = np.frombuffer(gzip.open(f"{d}/t10k-images-idx3-ubyte.gz").read()[16:], np.uint8).reshape(-1, 28, 28, 1)
labels = np.frombuffer(gzip.open(f"{d}/t10k-labels-idx1-ubyte.gz").read()[8:], np.uint8)
np.savez(sys.argv[1], samples=images[labels == 0])
PY
  "$ddm" fid "${common[@]}" "$out/reference.npz" --save-stats "$out/reference_stats.npz" >/dev/null
fi
fd() { "$ddm" fid "${common[@]}" "$1" "$out/reference_stats.npz" | tail -1 | awk '{print $NF}'; }
done_cell() { grep -q "\"cell\": \"$1\"" "$results"; }
record() {  # cell sampler solver clip steps nfe seconds samples.npz
  local f
  f=$(fd "$8")
  echo "{\"cell\": \"$1\", \"sampler\": \"$2\", \"solver\": \"$3\", \"clip_x0\": \"$4\", \"steps\": $5, \"nfe\": $6, \"seconds\": $7, \"samples\": $num, \"train_steps\": $steps, \"fd\": $f}" >> "$results"
  say "$1: FD $f"
}
ddm_cell() {  # cell solver clip steps spacing seed
  done_cell "$1" && return 0
  local dir="$out/samples/$1" s=$SECONDS
  "$ddm" sample "${common[@]}" --expert 0 --steps "$4" --num "$num" --seed "$6" --set sample.solver="$2" --set sample.clip_x0="$3" \
    --set sample.spacing="$5" --set sample.images=false --set sample.batch_size=250 --save-noise --out "$dir" >/dev/null
  local nfe
  nfe=$("$py" -c "import json; print(round(json.load(open('$dir/summary.json'))['nfe'], 3))")
  record "$1" "ddm-$5" "$2" "$3" "$4" "$nfe" $((SECONDS - s)) "$dir/samples.npz"
}
diffusers_cell() {  # cell steps seed [noise.npy]
  done_cell "$1" && return 0
  local s=$SECONDS clip
  "$py" scripts/diffusers_sample.py "$out/hf" "$2" "$num" "$3" "$out/$1.npz" ${4:-}
  clip=$("$py" -c "import json; print(json.load(open('$out/hf/scheduler/scheduler_config.json'))['clip_sample'])")
  record "$1" "diffusers-${4:+same-noise}${4:-DDIMPipeline}" ddim "clip_sample=$clip" "$2" "$2" $((SECONDS - s)) "$out/$1.npz"
}

# 2. ddm against diffusers on the same network.
for n in 10 50; do
  for seed in 0 1 2; do
    ddm_cell "ddm-ddim-uniform-$n-s$seed" ddim auto "$n" uniform "$seed"
    diffusers_cell "diffusers-ddim-$n-s$seed" "$n" "$seed" "$out/samples/ddm-ddim-uniform-$n-s$seed/noise.npy"
    ddm_cell "ddm-ddim-leading-$n-s$seed" ddim auto "$n" leading "$seed"
  done
  diffusers_cell "diffusers-ddim-$n" "$n" 0
done
# 3. Every solver, clip on and off.
for n in 10 25 50; do
  for solver in ddim euler heun dpmpp2m; do
    for clip in on off; do ddm_cell "ddm-$solver-$clip-$n" "$solver" "$clip" "$n" uniform 0; done
  done
done
say "done: $results"
cat "$results"
