#!/usr/bin/env bash
# The benchmark suite (issue 7): `ddm bench sample` for rules fixed/switch/mixture at N = 10
# and 50 and batch 1/64/256, and `ddm bench train`, for the fashion_mnist U-Net (on 32x32, as
# the peer's diffusers UNet2DModel needs) and DDPM's 35.7M CIFAR-10 U-Net. Writes
# bench/results/<date>-<device>.json (one JSON object per row) and prints a table.
#   scripts/bench.sh           the suite (on a CPU, the subset a CPU finishes: see below)
#   scripts/bench.sh --peer    also runs bench/peer/peer.py (diffusers, eager; on CUDA also
#                              torch.compile) for each sampling row and prints ddm / peer
# On a CPU the CIFAR-10 network's rows and N = 50 take hours, so only the fashion_mnist network
# at N = 10 is run there (DDM_BENCH_FULL=1 runs everything anyway).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
peer=0
[ "${1:-}" = "--peer" ] && peer=1
scripts/setup.sh >/dev/null
scripts/build.sh ddm >/dev/null
ddm="${DDM_BUILD_DIR:-build}/src/ddm"
py=.venv/bin/python
[ -x "$py" ] || py=python3
if [ "$peer" = 1 ] && ! "$py" -c 'import diffusers' 2>/dev/null; then
  echo "[bench] installing diffusers for the peer into .venv"
  "$py" -m pip install -q diffusers
fi
device=cpu
"$ddm" --version | grep -q "CUDA: available" && device=cuda
out="bench/results/$(date +%F)-$device.json"
mkdir -p bench/results
tmp="$(mktemp)"
fashion=(--config configs/fashion_mnist.yaml --set data.pad=2 --set 'model.attn_resolutions=[8]' --shape 1,32,32)
cifar=(--config configs/cifar10.yaml --shape 3,32,32)
nets=(fashion)
steps=(10)
if [ "$device" = cuda ] || [ -n "${DDM_BENCH_FULL:-}" ]; then nets=(fashion cifar); steps=(10 50); fi

row() { echo "$1" | tee -a "$tmp" >/dev/null; }
for net in "${nets[@]}"; do
  if [ "$net" = fashion ]; then args=("${fashion[@]}"); else args=("${cifar[@]}"); fi
  for n in "${steps[@]}"; do
    for rule in fixed switch mixture; do
      for batch in 1 64 256; do
        iters=1
        [ "$batch" = 1 ] && iters=8
        line="$("$ddm" bench sample "${args[@]}" --set sample.rule=$rule --set sample.alpha=router --set sample.steps=$n \
                --set sample.batch_size=$batch --iters $iters -q | tail -1)"
        row "$(echo "$line" | sed "s/^{/{\"impl\":\"ddm\",\"net\":\"$net\",/")"
        if [ "$peer" = 1 ]; then
          row "$("$py" bench/peer/peer.py --net $net --rule $rule --steps $n --batch $batch --iters $iters --device $device)"
          if [ "$device" = cuda ]; then
            row "$("$py" bench/peer/peer.py --net $net --rule $rule --steps $n --batch $batch --iters $iters --device cuda --compile)"
          fi
        fi
      done
    done
  done
done
# One training step (the fashion_mnist network needs its data set: Debian's, always present).
row "$("$ddm" bench train --config configs/fashion_mnist.yaml --iters 5 -q | tail -1 | sed 's/^{/{"impl":"ddm","net":"fashion",/')"

{
  echo "{\"date\": \"$(date -u +%FT%TZ)\", \"device\": \"$device\", \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\","
  echo " \"cores\": $(nproc), \"rows\": ["
  sed '$!s/$/,/' "$tmp"
  echo "]}"
} > "$out"
rm -f "$tmp"
"$py" - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["rows"]
print(f"{d['date']} {d['device']} ({d['cpu']}, {d['cores']} cores)")
print(f"{'net':8} {'rule':8} {'N':>4} {'batch':>5} {'ddm img/s':>10} {'peer eager':>11} {'ratio':>6} {'peer compiled':>14} {'ratio':>6}")
key = lambda r: (r.get("net"), r.get("rule"), r.get("steps"), r.get("batch"))
peers = {}
for r in rows:
    if r.get("impl", "").startswith("peer"):
        peers[(r["impl"],) + key(r)] = r["images_per_s"]
for r in rows:
    if r.get("impl") != "ddm" or r.get("bench") != "sample":
        continue
    e = peers.get(("peer-eager",) + key(r)); c = peers.get(("peer-compiled",) + key(r))
    fmt = lambda v: f"{v:10.2f}" if v else f"{'-':>10}"
    print(f"{r['net']:8} {r['rule']:8} {r['steps']:>4} {r['batch']:>5} {r['images_per_s']:10.2f} {fmt(e):>11} "
          f"{(r['images_per_s'] / e if e else float('nan')):6.2f} {fmt(c):>14} {(r['images_per_s'] / c if c else float('nan')):6.2f}")
for r in rows:
    if r.get("bench") == "train":
        print(f"train step ({r['net']}, batch {r['batch']}): {r['step_ms']:.1f} ms, {r['images_per_s']:.1f} images/s")
print(f"wrote {sys.argv[1]}")
PY
