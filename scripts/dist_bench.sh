#!/usr/bin/env bash
# Data parallelism on this machine: the quick profile's expert trained and sampled by
# 1 rank x 2 threads and by 2 ranks x 1 thread (Gloo over loopback), with the time each step
# spends in the gradient all_reduce. On CPU this shows correctness and overhead, not speed-up.
#   scripts/dist_bench.sh [steps (default 100)] [samples (default 256)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
steps="${1:-100}" num="${2:-256}"
ddm="${DDM_BUILD_DIR:-build}/src/ddm"
cfg=configs/fashion_mnist_quick.yaml
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
common=(--config "$cfg" -q --set train.steps="$steps" --set train.log_every=10 --set train.preview_count=0 --set train.checkpoint_every="$steps")
for mode in one two; do
  "$ddm" prepare --config "$cfg" -q --set run.dir="$out/$mode" >/dev/null
done
OMP_NUM_THREADS=2 "$ddm" train-expert --shard 0 "${common[@]}" --set run.dir="$out/one" --set run.threads=2 >/dev/null
OMP_NUM_THREADS=1 scripts/torchrun.sh --nproc-per-node=2 --master-port=29650 -- \
  "$ddm" train-expert --shard 0 "${common[@]}" --set run.dir="$out/two" --set run.threads=1 2>/dev/null | grep -v '^\(W\|E\)[0-9]' || true
sample=(sample --expert 0 --config "$cfg" -q --set sample.num="$num" --set sample.batch_size=64 --set sample.steps=10 --set sample.images=false)
OMP_NUM_THREADS=2 "$ddm" "${sample[@]}" --set run.dir="$out/one" --set run.threads=2 --out "$out/s1" >/dev/null
OMP_NUM_THREADS=1 scripts/torchrun.sh --nproc-per-node=2 --master-port=29651 -- \
  "$ddm" "${sample[@]}" --set run.dir="$out/one" --set run.threads=1 --out "$out/s2" >/dev/null 2>&1
python3 - "$out" "$steps" <<'PY'
import json, sys, os
out, steps = sys.argv[1], int(sys.argv[2])
def rows(p): return [json.loads(l) for l in open(p) if l.strip()]
print(f"| mode | train examples/s (steps 11-{steps}) | all_reduce ms/step | final loss | sample images/s (N = 10, batch 64) |")
print("|---|---|---|---|---|")
for mode, label, s in (("one", "1 rank x 2 threads", "s1"), ("two", "2 ranks x 1 thread (Gloo)", "s2")):
    r = rows(f"{out}/{mode}/expert-0/metrics.jsonl")[1:]
    ex = sum(x["examples_per_s"] for x in r) / len(r)
    ar = sum(x.get("allreduce_s", 0) for x in r) / len(r) * 1e3
    img = json.load(open(f"{out}/{s}/summary.json"))["images_per_s"]
    print(f"| {label} | {ex:.1f} | {ar:.2f} | {r[-1]['loss']:.5f} | {img:.2f} |")
same = open(f"{out}/s1/samples.npz", "rb").read() == open(f"{out}/s2/samples.npz", "rb").read()
print(f"samples.npz identical between the two modes: {same}")
PY
