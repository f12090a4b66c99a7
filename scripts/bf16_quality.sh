#!/usr/bin/env bash
# The quality check of bf16 on the CPU (docs/results/bf16.md): does bf16 cost quality beyond run-to-run spread?
#   1. the same expert (the quick profile's all-data baseline) sampled in fp32 and in bf16 from
#      the same seeds: classifier-feature FD between the two sets, and the mean per-pixel
#      difference of the final images;
#   2. experts trained in fp32 and in bf16 for the same steps, each with two training seeds (the
#      spread): their loss curves (metrics.jsonl) and the FD of their samples to the data.
# Writes runs/bf16_quality/summary.json and prints it.
#   scripts/bf16_quality.sh [STEPS] [SAMPLES]     (defaults 600 training steps, 1000 samples)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
steps="${1:-600}"
num="${2:-1000}"
scripts/build.sh ddm >/dev/null
ddm="${DDM_BUILD_DIR:-build}/src/ddm"
source "$(dirname "${BASH_SOURCE[0]}")/python.sh"
py="$(ddm_python)"
out="${DDM_QUALITY_OUT:-runs/bf16_quality}"
mkdir -p "$out"
common=(--config configs/fashion_mnist_quick.yaml -q --set train.steps="$steps" --set train.checkpoint_every="$steps" --set train.log_every=10)
declare -A train_secs
for prec in fp32 bf16; do
  for seed in 0 1; do
    run="$out/$prec-seed$seed"
    flag=off
    [ "$prec" = bf16 ] && flag=on
    "$ddm" prepare "${common[@]}" --set run.dir="$run"
    start=$SECONDS
    "$ddm" train-expert "${common[@]}" --set run.dir="$run" --set train.seed="$seed" --set train.bf16=$flag --shard all
    train_secs["$prec-seed$seed"]=$((SECONDS - start))
    for sprec in fp32 bf16; do
      # Sampling precision: fp32 for every expert, and bf16 too for the seed-0 ones (part 1).
      [ "$sprec" = bf16 ] && [ "$seed" != 0 ] && continue
      sflag=off
      [ "$sprec" = bf16 ] && sflag=on
      "$ddm" sample "${common[@]}" --set run.dir="$run" --baseline --num "$num" --seed 7 --set sample.bf16=$sflag \
        --set sample.images=false --out "$run/samples-$sprec" >/dev/null
    done
  done
done
# Every FD with one classifier (trained once, in $out/fid/classifier) and one data statistics file.
fid() { "$ddm" fid "${common[@]}" --set run.dir="$out/fid" "$@" | tail -1 | awk '{print $NF}'; }
[ -f "$out/fid/data_stats.npz" ] || "$ddm" fid "${common[@]}" --set run.dir="$out/fid" data --save-stats "$out/fid/data_stats.npz" >/dev/null
{
  echo "{\"steps\": $steps, \"samples\": $num, \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\","
  echo " \"fd_fp32_vs_bf16_sampling\": $(fid "$out/fp32-seed0/samples-fp32/samples.npz" "$out/fp32-seed0/samples-bf16/samples.npz"),"
  echo " \"fd_to_data\": {"
  sep=""
  for r in fp32-seed0 fp32-seed1 bf16-seed0 bf16-seed1; do
    printf '%s  "%s": %s' "$sep" "$r" "$(fid "$out/$r/samples-fp32/samples.npz" "$out/fid/data_stats.npz")"
    sep=$',\n'
  done
  printf '%s  "fp32-seed0 sampled in bf16": %s\n },\n' "$sep" "$(fid "$out/fp32-seed0/samples-bf16/samples.npz" "$out/fid/data_stats.npz")"
  echo " \"train_seconds\": {\"fp32-seed0\": ${train_secs[fp32-seed0]}, \"fp32-seed1\": ${train_secs[fp32-seed1]}, \"bf16-seed0\": ${train_secs[bf16-seed0]}, \"bf16-seed1\": ${train_secs[bf16-seed1]}},"
  "$py" - "$out" <<'PY'
import json, sys, zipfile, io
import numpy as np
out = sys.argv[1]
a = np.load(f"{out}/fp32-seed0/samples-fp32/samples.npz")["samples"].astype(np.float64)
b = np.load(f"{out}/fp32-seed0/samples-bf16/samples.npz")["samples"].astype(np.float64)
res = {"mean_abs_pixel_diff_fp32_vs_bf16_sampling": float(np.abs(a - b).mean()),
       "max_abs_pixel_diff": float(np.abs(a - b).max())}
# Loss curves: mean loss over each quarter of training, per run.
curves = {}
for r in ("fp32-seed0", "fp32-seed1", "bf16-seed0", "bf16-seed1"):
    rows = [json.loads(l) for l in open(f"{out}/{r}/expert-all/metrics.jsonl") if '"loss"' in l]
    losses = [x["loss"] for x in rows]
    q = max(1, len(losses) // 4)
    curves[r] = [round(float(np.mean(losses[i:i + q])), 5) for i in range(0, len(losses), q)][:4]
res["loss_by_quarter"] = curves
print(json.dumps(res)[1:-1])
PY
  echo "}"
} > "$out/summary.json"
"$py" -m json.tool "$out/summary.json"
