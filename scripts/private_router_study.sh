#!/usr/bin/env bash
# docs/results/private_routers.md: MoG-a trained with exact targets (the pooled data's posterior),
# labels (shard labels alone; what the federated router computes) and samples (the experts' own
# samples, no data), on the same experts. Resumable cells: each writes its results beside its run
# folder and appends one row to docs/results/private-routers-<date>.jsonl; a cell whose result is
# there is skipped.
#   scripts/private_router_study.sh [cell ...]
#   cells: experts routers time check table cost pool short (default: all but cost, pool and short)
#   PROFILE=quick|full   the experts (configs/fashion_mnist_quick.yaml or fashion_mnist.yaml)
#   STEPS=1200           router steps of the equal-steps rows
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ddm="${DDM:-${DDM_BUILD_DIR:-build}/src/ddm}"
profile="${PROFILE:-quick}"
config=configs/fashion_mnist_quick.yaml
[ "$profile" = full ] && config=configs/fashion_mnist.yaml
base=runs/$(basename "$config" .yaml)
study=runs/private_routers_$profile
steps="${STEPS:-1200}"
rows="docs/results/private-routers-$(date +%F).jsonl"
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
flags="$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512f|avx512_bf16|amx_bf16)$' | paste -sd' ' -)"
cells=("$@")
[ ${#cells[@]} -eq 0 ] && cells=(experts routers time check table)

# A run folder that shares a base run's (default: the profile's) manifest, experts and feature
# classifier.
variant() {
  local dir="$study/$1" from="${2:-$base}"
  mkdir -p "$dir"
  cp "$from/shards.json" "$dir/"
  for e in "$from"/expert-* "$base/classifier"; do
    [ -e "$e" ] && [ ! -e "$dir/$(basename "$e")" ] && ln -s "$root/$e" "$dir/$(basename "$e")"
  done
  echo "$dir"
}

# Runs a command under /usr/bin/time and appends {cell, variant, wall_s, cpu_s, peak_mib, ...}.
timed() {
  local cell="$1" name="$2"
  shift 2
  local t
  t="$(mktemp)"
  /usr/bin/time -f '%e %U %S %M' -o "$t" "$@"
  read -r wall user sys rss < "$t"
  rm -f "$t"
  printf '{"cell": "%s", "variant": "%s", "profile": "%s", "wall_s": %s, "cpu_s": %s, "peak_mib": %s, "cpu": "%s", "flags": "%s", "command": "%s"}\n' \
    "$cell" "$name" "$profile" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))" "$cpu" "$flags" "$*" >> "$rows"
}

train() {  # variant targets steps [flags...]; BASE=run folder of other experts
  local name="$1" targets="$2" n="$3"
  shift 3
  local dir
  dir="$(variant "$name" "${BASE:-$base}")"
  [ -f "$dir/router-mog-a/ckpt-$(printf %010d "$n").ddm" ] && return 0
  timed train "$name" "$ddm" train-router --config "$config" -q --set run.dir="$dir" --targets "$targets" \
    --set router.steps="$n" --set train.checkpoint_every="$n" "$@" --restart > "$dir/train.txt"
}

check() {  # router-check of a variant's newest MoG-a (TV and argmax agreement to the exact alpha)
  local dir="$study/$1"
  [ -f "$dir/router-check/router-check.json" ] && return 0
  "$ddm" router-check --config "$config" -q --set run.dir="$dir" --paths 128 --steps 10,25 \
    --routers "$(ls "$dir"/router-mog-a/ckpt-*.ddm | tail -1)" > /dev/null
}

for cell in "${cells[@]}"; do
  case "$cell" in
    experts)  # the K experts and the baseline (resumable: train-expert resumes)
      "$ddm" prepare --config "$config" -q
      for k in 0 1 2 3 4 5 6 7 8 9 all; do "$ddm" train-expert --config "$config" --shard "$k" -q; done ;;
    routers)  # equal steps; the samples pool is generated (and timed) first, then cached
      train exact exact "$steps"
      train labels labels "$steps"
      dir="$(variant samples)"
      [ -f "$dir/router-pool/expert-9/pool.json" ] && [ -f "$dir/pool_done" ] || {
        timed pool samples "$ddm" train-router --config "$config" -q --set run.dir="$dir" --targets samples \
          --set router.steps=1 --restart > /dev/null && touch "$dir/pool_done"; }
      train samples samples "$steps" ;;
    time)  # equal router CPU time: as many labels / samples steps as exact's CPU seconds buy
      per() { python3 -c "import json,sys; r=[json.loads(l) for l in open('$rows')]; \
r=[x for x in r if x['cell']=='train' and x['variant']=='$1' and x['profile']=='$profile']; print(r[-1]['cpu_s'])"; }
      exact_cpu="$(per exact)"
      for t in labels samples; do
        n="$(python3 -c "print(int(round($steps * $exact_cpu / $(per "$t") / 100.0)) * 100)")"
        dir="$(variant "$t-time")"
        [ -e "$dir/router-pool" ] || { [ "$t" = samples ] && ln -s "$root/$study/samples/router-pool" "$dir/router-pool"; } || true
        train "$t-time" "$t" "$n"
      done ;;
    check)  # TV and argmax agreement to the exact alpha along exact PF-ODE paths
      for v in exact labels samples labels-time samples-time; do
        [ -d "$study/$v/router-mog-a" ] && check "$v"
      done ;;
    table)  # Table 1's routed rows, 3 sampling seeds
      [ -d "$base/classifier" ] || "$ddm" evaluate --config "$config" -q --rows fixed --steps 10 --num 50 \
        --out "$base/evaluation-classifier" > /dev/null
      for v in exact labels samples labels-time samples-time; do
        dir="$(variant "$v")"
        [ -d "$dir/router-mog-a" ] || continue
        [ -f "$dir/evaluation/evaluation.json" ] && continue
        "$ddm" evaluate --config "$config" -q --set run.dir="$dir" --rows top1-router,switch-router,mixture-router \
          --steps 10,25 --num 200 --seeds 3 > /dev/null
      done ;;
    cost)  # router step time and memory against data size (toy2d, K = 8): labels flat, exact growing
      for n in 10000 100000 1000000; do
        dir="$study/cost-$n"
        mkdir -p "$dir"
        set_toy=(--set data.dataset=toy2d --set data.toy_samples="$n" --set shards.k=8 --set data.toy_components=8
          --set model.arch=mlp --set run.dir="$dir")
        "$ddm" prepare --config "$config" -q "${set_toy[@]}"
        for t in labels exact; do
          timed cost "$t-$n" "$ddm" train-router --config "$config" -q "${set_toy[@]}" --targets "$t" \
            --set router.steps=200 --set router.batch_size=256 --set router.eval_samples=64 --restart > "$dir/$t.txt"
          tail -1 "$dir/router-mog-a/metrics.jsonl" > "$dir/$t.metrics.json"  # the loop's own time
        done
      done ;;
    pool)  # the samples router against pool size (1,000 is the routers cell's)
      for p in 250 3000; do
        train "samples-pool$p" samples "$steps" --set router.pool="$p"
        check "samples-pool$p"
      done ;;
    short)  # the samples router on experts trained half as long (100 steps): against expert quality
      short="$study/experts-100"
      "$ddm" prepare --config "$config" -q --set run.dir="$short"
      for k in 0 1 2 3 4 5 6 7 8 9; do
        "$ddm" train-expert --config "$config" --shard "$k" -q --set run.dir="$short" --set train.steps=100 \
          --set train.checkpoint_every=100 > /dev/null
      done
      BASE="$short" train samples-experts100 samples "$steps"
      check samples-experts100 ;;
    *) echo "private_router_study: unknown cell '$cell' (experts routers time check table cost pool short)" >&2; exit 2 ;;
  esac
done
