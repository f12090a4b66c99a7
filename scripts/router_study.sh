#!/usr/bin/env bash
# The MoG-da figures of docs/results/routers.md, reproduced on Fashion-MNIST (quick profile experts): both routers
# with checkpoints every 500 steps, `ddm router-check` over those checkpoints (final TV against
# training steps) and on the newest ones (every N), the quick experts, then `ddm evaluate` with
# exact experts (routing error alone; 500 samples, 3 seeds) and with the trained experts (Table 1,
# the demo's protocol plus the exact-alpha and corrected rows). Roughly two hours on 2 CPU cores
# (the stages were run here one by one, sharing the cores; not timed end to end).
#   scripts/router_study.sh [stage ...]    stages: routers variants check exact experts learned (default: all), long
# `long` (not in the default list; about 50 minutes alone) trains MoG-da 4x past the budget
# (8,000 stage-1 steps, 2,000 per interval network) in runs/fashion_mnist_quick_long and checks
# its checkpoints every 2,000 steps.
# `variants` trains, for comparison, MoG-da with uniform training times (run folder
# runs/fashion_mnist_quick_uniform) and checks it against training steps. The page's raw-head rows
# (the first MoG-da form) came from this stage before that head was retired; `git checkout e2273cd`
# reproduces them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ddm="${DDM:-${DDM_BUILD_DIR:-build}/src/ddm}"
config=configs/fashion_mnist_quick.yaml
run=runs/fashion_mnist_quick
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(routers variants check exact experts learned)
keep=(--set train.checkpoint_every=500 --set train.keep_checkpoints=20)
ckpts() { ls "$run/$1"/ckpt-*.ddm | paste -sd, -; }
newest() { ls "$run/$1"/ckpt-*.ddm | tail -1; }

"$ddm" prepare --config "$config" -q
for stage in "${stages[@]}"; do
  case "$stage" in
    routers)  # MoG-da: 2000 stage-1 steps, 500 per interval network; MoG-a: as many steps in all
      "$ddm" train-router --config "$config" --kind mog-da --targets exact --restart -q --set router.steps=2000 --set router.stage2_steps=500 "${keep[@]}"
      "$ddm" train-router --config "$config" --kind mog-a --targets exact --restart -q --set router.steps=3500 "${keep[@]}" ;;
    variants)
      uniform=runs/fashion_mnist_quick_uniform
      mkdir -p "$uniform" && cp "$run/shards.json" "$uniform/"
      "$ddm" train-router --config "$config" --kind mog-da --targets exact --restart -q --set router.t_sampling=uniform --set run.dir="$uniform" \
        --set router.steps=2000 --set router.stage2_steps=500 "${keep[@]}"
      "$ddm" router-check --config "$config" --paths 256 --steps 10,25 --out "$run/router-check-uniform" -q \
        --routers "$(ls "$uniform"/router-mog-da/ckpt-*.ddm | paste -sd, -)" ;;
    check)
      "$ddm" router-check --config "$config" --paths 256 --steps 10,25 --routers "$(ckpts router-mog-a),$(ckpts router-mog-da)" \
        --out "$run/router-check-curve" -q
      routers="$(newest router-mog-a),$(newest router-mog-da)"
      "$ddm" router-check --config "$config" --paths 256 --steps 10,25,50,100 --routers "$routers" -q ;;
    experts)
      for k in 0 1 2 3 4 5 6 7 8 9 all; do "$ddm" train-expert --config "$config" --shard "$k" -q; done ;;
    exact)
      "$ddm" evaluate --config "$config" --experts exact --steps 10,25,50 --num 500 --seeds 3 -q \
        --rows switch-router,switch-integrated,switch-integrated-corrected,switch-oracle,top1-router,fixed
      cp -r "$run/classifier" runs/fashion_mnist_quick_uniform/  # the same feature classifier for both tables
      "$ddm" evaluate --config "$config" --experts exact --steps 10,25,50 --num 500 --seeds 3 -q \
        --set run.dir=runs/fashion_mnist_quick_uniform --rows switch-integrated,switch-integrated-corrected ;;
    learned)
      "$ddm" evaluate --config "$config" --steps 10,25 --num 200 -q --out "$run/evaluation-table1" \
        --rows baseline,fixed,top1-router,switch-router,switch-integrated,switch-integrated-corrected,mixture-router,switch-oracle ;;
    long)
      long=runs/fashion_mnist_quick_long
      mkdir -p "$long" && cp "$run/shards.json" "$long/"
      "$ddm" train-router --config "$config" --kind mog-da --targets exact --restart -q --set run.dir="$long" --set router.steps=8000 \
        --set router.stage2_steps=2000 --set train.checkpoint_every=2000 --set train.keep_checkpoints=20
      "$ddm" router-check --config "$config" --paths 256 --steps 10,25 --set run.dir="$long" -q \
        --routers "$(ls "$long"/router-mog-da/ckpt-*.ddm | paste -sd, -)" --out "$long/router-check-curve" ;;
    *) echo "router_study: unknown stage '$stage' (routers variants check exact experts learned long)" >&2; exit 2 ;;
  esac
done
