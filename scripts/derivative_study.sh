#!/usr/bin/env bash
# Does knowing d alpha/dt make a better router (docs/results/derivative_routers.md)? Routers on the
# quick profile's Fashion-MNIST label shards, each trained in its own run folder
# runs/derivative_study/<variant>/ from the same seed, then `ddm router-check` (256 exact PF-ODE
# paths, N = 10 and 25) and `ddm evaluate --experts exact` (switch with each alpha source, routing
# error alone). Each cell is skipped when its output exists, so an interrupted study resumes;
# every finished router appends its rows to runs/derivative_study/results.jsonl.
#   scripts/derivative_study.sh [variant ...]     (default: the list below, in order)
# Variants (3,500 router steps unless named otherwise; MoG-da: 2,000 + 3 x 500):
#   mog-a              MoG-a with today's defaults (cosine lr, EMA 0.999)
#   sobolev            the Sobolev router
#   mog-da-alpha       MoG-da with today's defaults (alpha weights, log-SNR scale, kept optimiser)
#   mog-a-compute      MoG-a given the Sobolev router's compute: STEPS_COMPUTE steps (default 7000: the
#                      Sobolev router trained at 194 examples/s, MoG-a at 339, a ratio of 1.75)
#   mog-a-old          MoG-a as before: constant lr, no EMA
#   mog-da-old         MoG-da as before: no scale, constant lr, no EMA
#   mog-da-separate    MoG-da with a separate derivative encoder (the paper's form)
#   mog-da-alpha-noscale  MoG-da with no log-SNR scale
# The page's mixed-weight rows (cells mog-da and mog-da-noscale) were run at e2273cd, before the
# mixed weights were retired; `git checkout e2273cd` reproduces them.
# EXACT=0 skips the exact-expert FD cell (router-check only).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ddm="${DDM:-${DDM_BUILD_DIR:-build}/src/ddm}"
source scripts/python.sh
py="$(ddm_python)"
config=configs/fashion_mnist_quick.yaml
study=runs/derivative_study
variants=("$@")
[ ${#variants[@]} -eq 0 ] && variants=(mog-a sobolev mog-da-alpha mog-a-compute mog-da-alpha-noscale mog-da-separate mog-da-old mog-a-old)
da=(--set router.steps=2000 --set router.stage2_steps=500)
old=(--set router.lr_schedule=constant --set router.ema=0)
settings() {  # kind and --set flags of a variant
  case "$1" in
    mog-a) echo "mog-a --set router.steps=3500" ;;
    sobolev) echo "sobolev --set router.steps=3500" ;;
    mog-a-compute) echo "mog-a --set router.steps=${STEPS_COMPUTE:-7000}" ;;
    mog-a-old) echo "mog-a --set router.steps=3500 ${old[*]}" ;;
    mog-da-old) echo "mog-da ${da[*]} ${old[*]} --set router.velocity_scale=none" ;;
    mog-da-separate) echo "mog-da ${da[*]} --set router.derivative_net=separate" ;;
    mog-da-alpha) echo "mog-da ${da[*]}" ;;
    mog-da-alpha-noscale) echo "mog-da ${da[*]} --set router.velocity_scale=none" ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}
"$ddm" prepare --config "$config" -q --set run.dir="$study/shared"
mkdir -p "$study"
for v in "${variants[@]}"; do
  read -r -a parts <<< "$(settings "$v")"
  kind=${parts[0]}
  flags=("${parts[@]:1}")
  dir="$study/$v"
  mkdir -p "$dir"
  cp "$study/shared/shards.json" "$dir/"
  # The FD classifier of the quick demo's run (trained there by `ddm evaluate`), shared.
  [ -e "$dir/classifier" ] || ln -s "$root/runs/fashion_mnist_quick/classifier" "$dir/classifier"
  set_dir=(--set run.dir="$dir")
  if [ ! -f "$dir/router-$kind/eval.json" ]; then
    start=$SECONDS
    "$ddm" train-router --config "$config" --kind "$kind" --targets exact -q "${set_dir[@]}" "${flags[@]}"
    echo $((SECONDS - start)) > "$dir/train_seconds"
  fi
  if [ ! -f "$dir/router-check/router-check.json" ]; then
    "$ddm" router-check --config "$config" --paths 256 --steps 10,25 -q "${set_dir[@]}" --out "$dir/router-check" \
      --routers "$(ls "$dir/router-$kind"/ckpt-*.ddm | tail -1)"
  fi
  if [ "${EXACT:-1}" != 0 ] && [ ! -f "$dir/evaluation-exact/evaluation.json" ]; then
    case "$kind" in
      mog-a) rows=switch-router,top1-router ;;
      sobolev) rows=switch-sobolev,top1-sobolev ;;
      mog-da) rows=switch-integrated,switch-integrated-corrected ;;
    esac
    "$ddm" evaluate --config "$config" --experts exact --steps 10,25 --num 500 --seeds 3 --rows "$rows" -q "${set_dir[@]}" \
      --out "$dir/evaluation-exact"
  fi
  "$py" - "$v" "$dir" "$kind" >> "$study/results.jsonl" <<'PY'
import json, os, sys
v, d, kind = sys.argv[1:]
check = json.load(open(f"{d}/router-check/router-check.json"))
ev = json.load(open(f"{d}/evaluation-exact/evaluation.json")) if os.path.exists(f"{d}/evaluation-exact/evaluation.json") else None
out = {"variant": v, "kind": kind, "train_seconds": int(open(f"{d}/train_seconds").read()),
       "eval": json.load(open(f"{d}/router-{kind}/eval.json")),
       "router_check": [{k: r[k] for k in ("source", "steps", "tv_final", "tv_mean", "argmax_agree")} for r in check["rows"]],
       "exact_fd": ev.get("cells", ev.get("rows")) if ev else []}
print(json.dumps(out))
PY
done
