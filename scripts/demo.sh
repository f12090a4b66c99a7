#!/usr/bin/env bash
# The main job on the embedded default data set (Fashion-MNIST from Debian's
# dataset-fashion-mnist): set up if needed, build, then run the decentralized pipeline and say
# what it did. `--profile quick` (default: about 30 minutes on 2 CPU cores) or `--profile full`
# (configs/fashion_mnist.yaml: 15 minutes per expert on CPU; meant for a GPU).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
profile=quick
if [ "${1:-}" = "--profile" ]; then profile="${2:?--profile quick|full}"; shift 2; fi
case "$profile" in
  quick) config=configs/fashion_mnist_quick.yaml; run=runs/fashion_mnist_quick ;;
  full) config=configs/fashion_mnist.yaml; run=runs/fashion_mnist ;;
  *) echo "demo: unknown profile '$profile' (quick or full)" >&2; exit 2 ;;
esac
scripts/setup.sh
scripts/build.sh ddm
ddm="${DDM_BUILD_DIR:-build}/src/ddm"
start=$SECONDS
step() { printf '\n== %s (%s elapsed)\n' "$*" "$(date -u -d @$((SECONDS - start)) +%M:%S)"; }

step "1. partition Fashion-MNIST into 10 label shards (one per expert)"
"$ddm" prepare --config "$config" -q "$@"
"$ddm" info "$run/shards.json" | head -3

step "2. train 10 experts, each on its own shard only, and the all-data baseline"
for k in 0 1 2 3 4 5 6 7 8 9 all; do
  "$ddm" train-expert --config "$config" --shard "$k" -q "$@"
done

step "3. train the routers: MoG-a (alpha) and MoG-da (d alpha/dt, three interval networks)"
"$ddm" train-router --config "$config" --kind mog-a -q "$@"
"$ddm" train-router --config "$config" --kind mog-da -q "$@"

step "4. sample with each routing rule"
"$ddm" sample --config "$config" --baseline -q "$@"
"$ddm" sample --config "$config" --rule fixed -q "$@"
"$ddm" sample --config "$config" --rule top1 --alpha router -q "$@"
"$ddm" sample --config "$config" --rule switch --alpha router -q "$@"
"$ddm" sample --config "$config" --rule switch --alpha integrated -q "$@"
"$ddm" sample --config "$config" --rule mixture --alpha router -q "$@"

step "done"
echo "run folder $run: experts in expert-*/, routers in router-*/ (eval.json), samples in samples/*/grid.png"
