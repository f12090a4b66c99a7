#!/usr/bin/env bash
# Trains all K experts of a prepared run (`ddm prepare` first) as independent jobs: experts never
# communicate, so they can run side by side on one machine, one per node, or each data-parallel
# over several processes through torchrun.
#
#   scripts/train_experts.sh --config C [--run DIR] [--jobs N] [--nodes M --node-rank R]
#                            [--nproc-per-node P] [--baseline] [-- ddm options...]
#   --jobs N          N experts at a time on this machine (each gets cores / N threads)
#   --nodes M --node-rank R
#                     this node trains the shards k with k mod M = R (Slurm: one task per node,
#                     --nodes $SLURM_NNODES --node-rank $SLURM_NODEID)
#   --nproc-per-node P  each expert data-parallel over P processes (torchrun), one after another
#   --baseline        also the all-data baseline (--shard all), on node 0
#   --run DIR         the run folder holding shards.json (default runs/<config stem>; pass it when
#                     the config or --set changes run.dir)
# Any option after `--` goes to every `ddm train-expert` (e.g. --set train.steps=1000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ddm="${DDM:-$root/${DDM_BUILD_DIR:-build}/src/ddm}"
config="" run="" jobs=1 nodes=1 node_rank=0 nproc=1 baseline=0
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config="$2"; shift 2 ;;
    --run) run="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --nodes) nodes="$2"; shift 2 ;;
    --node-rank) node_rank="$2"; shift 2 ;;
    --nproc-per-node) nproc="$2"; shift 2 ;;
    --baseline) baseline=1; shift ;;
    --) shift; break ;;
    *) echo "train_experts: unknown option $1 (see the comment atop $0)" >&2; exit 2 ;;
  esac
done
[ -n "$config" ] || { echo "train_experts: --config FILE is required" >&2; exit 2; }
[ -x "$ddm" ] || { echo "train_experts: $ddm not found (scripts/build.sh)" >&2; exit 1; }
run="${run:-runs/$(basename "${config%.*}")}"
[ -f "$run/shards.json" ] || { echo "train_experts: $run/shards.json not found: run \`ddm prepare --config $config\` first (or pass --run)" >&2; exit 1; }
k=$("$ddm" info "$run/shards.json" | sed -n 's/.*K = \([0-9]*\).*/\1/p' | head -1)
[ -n "$k" ] || { echo "train_experts: cannot read K from $run/shards.json" >&2; exit 1; }

shards=()
for ((s = node_rank; s < k; s += nodes)); do shards+=("$s"); done
[ "$baseline" = 1 ] && [ "$node_rank" = 0 ] && shards+=(all)
threads=$(( $(nproc) / jobs )); [ "$threads" -ge 1 ] || threads=1
echo "[train_experts] node $node_rank of $nodes: shards ${shards[*]} of K = $k; $jobs at a time, $nproc process(es) each"

train() {  # train <index> <shard> [ddm options]: one expert; its log in <run>/expert-<shard>/train.out
  local port=$(( ${DDM_PORT_BASE:-29500} + $1 )) s="$2" out="$run/expert-$2"
  shift 2
  mkdir -p "$out"
  if [ "$nproc" -gt 1 ]; then
    OMP_NUM_THREADS=$(( threads / nproc > 0 ? threads / nproc : 1 )) "$root/scripts/torchrun.sh" --nproc-per-node="$nproc" \
      --master-port="$port" -- "$ddm" train-expert --config "$config" --shard "$s" -q "$@" > "$out/train.out" 2>&1
  else
    "$ddm" train-expert --config "$config" --shard "$s" --set run.threads="$threads" -q "$@" > "$out/train.out" 2>&1
  fi
}
failed=0 pids=() names=()
for i in "${!shards[@]}"; do
  s="${shards[$i]}"
  train "$i" "$s" "$@" & pids+=($!) names+=("$s")
  if [ "${#pids[@]}" -ge "$jobs" ]; then
    wait "${pids[0]}" || { echo "[train_experts] expert ${names[0]} failed: see $run/expert-${names[0]}/train.out" >&2; failed=1; }
    pids=("${pids[@]:1}") names=("${names[@]:1}")
  fi
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { echo "[train_experts] expert ${names[$i]} failed: see $run/expert-${names[$i]}/train.out" >&2; failed=1; }
done
for s in "${shards[@]}"; do tail -n 1 "$run/expert-$s/train.out"; done
exit "$failed"
