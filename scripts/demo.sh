#!/usr/bin/env bash
# The main job on the embedded default data set (Fashion-MNIST from Debian's
# dataset-fashion-mnist): set up if needed, build, then run the decentralized pipeline and say
# what it did: partition, 10 experts and the baseline, both routers, then `ddm evaluate` (the
# reference paper's Table 1 with a feature classifier, and the routing check). `--profile quick`
# (default: 13 minutes on 2 CPU cores, README) or `--profile full` (configs/fashion_mnist.yaml:
# 15 minutes per expert on CPU, the full table at N = 10, 25, 50, 100; meant for a GPU).
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
"$ddm" train-router --config "$config" --kind mog-da --targets exact -q "$@"

step "4. evaluate: Table 1 (classifier-feature FD per rule and N) and the routing check"
"$ddm" evaluate --config "$config" -q "$@"

step "done"
echo "run folder $run: experts in expert-*/, routers in router-*/ (eval.json), the table in evaluation/table.md,"
echo "samples of every row and N in evaluation/grids/*.png (64 each)"
