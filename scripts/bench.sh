#!/usr/bin/env bash
# The benchmark suite (docs/results/performance.md): `ddm bench sample` for rules fixed/switch/mixture at N = 10
# and 50 and batch 1/64/256, and `ddm bench train`, for the fashion_mnist U-Net (on 32x32, as
# the peer's diffusers UNet2DModel needs) and DDPM's 35.7M CIFAR-10 U-Net. Writes
# bench/results/<date>-<device>.json (one JSON object per row) and prints a table.
#   scripts/bench.sh           the suite (on a CPU, the subset a CPU finishes: see below)
#   scripts/bench.sh --peer    also runs bench/peer/peer.py (diffusers, eager and torch.compile,
#                              the compiled one warmed up at the timed batch) for each row and
#                              prints ddm / peer
# On a CPU the CIFAR-10 network's rows and N = 50 take hours, so only the fashion_mnist network
# at N = 10 is run there (DDM_BENCH_FULL=1 runs everything anyway).
# This machine's timings vary by several per cent from run to run (a shared VM), so each row
# is the best of DDM_BENCH_REPEATS runs (default 3; 1 for the long mixture rows at batch >= 64),
# all of them kept in the row ("images_per_s_runs"): ddm's and the training rows as separate
# processes, the peer's sampling rows in one process after one warm-up (peer.py --repeats), so
# that torch.compile compiles once per row.
# The suite is resumable: each finished row is appended to bench/results/<date>-<device>.rows.jsonl
# under its "cell" name, and a rerun skips the cells already there (DDM_BENCH_DATE=YYYY-MM-DD
# resumes a suite begun on another day). The summary .json is written when every cell is done.
# Every row runs in fp32 and in bf16 (ddm's sample.bf16/train.bf16 = off/on, the peer
# with and without torch.autocast) and records the CPU's model and bf16 flags; bench/peak.py adds
# the machine's measured fp32 and bf16 convolution peaks as reference rows.
#   DDM_BENCH_RULES="fixed" DDM_BENCH_BATCHES="64 256" DDM_BENCH_PRECISIONS="fp32 bf16"  narrow the suite
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
peer=0
[ "${1:-}" = "--peer" ] && peer=1
scripts/setup.sh >/dev/null
scripts/build.sh ddm >/dev/null
ddm="${DDM_BUILD_DIR:-build}/src/ddm"
source "$(dirname "${BASH_SOURCE[0]}")/python.sh"
py="$(ddm_python)"
if [ "$peer" = 1 ] && ! "$py" -c 'import diffusers' 2>/dev/null; then
  echo "[bench] installing diffusers for the peer into .venv"
  "$py" -m pip install -q diffusers
fi
device=cpu
"$ddm" --version | grep -q "CUDA: available" && device=cuda
out="bench/results/${DDM_BENCH_DATE:-$(date +%F)}-$device.json"
mkdir -p bench/results
rows="${out%.json}.rows.jsonl"
touch "$rows"
# The fashion_mnist network as the peer builds it: 32x32 (pad 2), attention at 8x8.
fashion=(--config configs/fashion_mnist.yaml --set data.pad=2 --set 'model.attn_resolutions=[8]')
# Fashion-MNIST from the carried Debian package where the system has none (scripts/gpu_build.sh).
carried=.deb/prefix/usr/share/datasets/fashion-mnist
[ ! -d /usr/share/datasets/fashion-mnist ] && [ -d "$carried" ] && fashion+=(--set "data.path=$carried")
cifar=(--config configs/cifar10.yaml)
declare -A shape=([fashion]=1,32,32 [cifar]=3,32,32)
nets=(fashion)
steps=(10)
read -r -a rules <<< "${DDM_BENCH_RULES:-fixed switch mixture}"
read -r -a batches <<< "${DDM_BENCH_BATCHES:-1 64 256}"
read -r -a precisions <<< "${DDM_BENCH_PRECISIONS:-fp32 bf16}"
declare -A ddm_bf16=([fp32]=off [bf16]=on) peer_bf16=([fp32]= [bf16]=--bf16)
if [ "$device" = cuda ] || [ -n "${DDM_BENCH_FULL:-}" ]; then nets=(fashion cifar); steps=(10 50); fi

# row_of CELL: CELL's row in the rows file (none: fails); done_cell CELL: whether there is one.
row_of() { grep -F "\"cell\": \"$1\"" "$rows"; }
done_cell() { row_of "$1" >/dev/null; }

# best CELL REPEATS IMPL NET CMD...: unless CELL is done, runs CMD (printing one JSON line last)
# REPEATS times and appends the fastest run as CELL's row, with every run's images/s (a run that
# times several itself brings its own "images_per_s_runs").
best() {
  local cell=$1 reps=$2 impl=$3 net=$4 lines=""
  shift 4
  if done_cell "$cell"; then echo "[bench] $cell: done" >&2; return; fi
  for _ in $(seq "$reps"); do lines+="$("$@" | tail -1)"$'\n'; done
  printf '%s' "$lines" | "$py" -c '
import json, sys
runs = [json.loads(l) for l in sys.stdin if l.strip()]
r = max(runs, key=lambda r: r["images_per_s"])
r = {"cell": sys.argv[1], "impl": sys.argv[2], "net": sys.argv[3], **{k: v for k, v in r.items() if k not in ("impl", "net")}}
r["images_per_s_runs"] = [v for x in runs for v in x.get("images_per_s_runs", [x["images_per_s"]])]
print(json.dumps(r))' "$cell" "$impl" "$net" >> "$rows"
  tail -1 "$rows" | cut -c1-160 >&2
}

# once CELL CMD...: CMD's JSON lines as CELL's rows, unless CELL is done.
once() {
  local cell=$1
  shift
  done_cell "$cell" && return
  "$@" | "$py" -c 'import json, sys; [print(json.dumps({"cell": sys.argv[1], **json.loads(l)})) for l in sys.stdin if l.strip()]' \
    "$cell" >> "$rows"
}

once peak "$py" bench/peak.py --threads "$(nproc)"
for net in "${nets[@]}"; do
  if [ "$net" = fashion ]; then args=("${fashion[@]}"); else args=("${cifar[@]}"); fi
  if [ "$peer" = 1 ]; then once "flops/$net" "$py" bench/peer/peer.py --net "$net" --flops --device $device; fi
  for prec in "${precisions[@]}"; do
    for n in "${steps[@]}"; do
      for rule in "${rules[@]}"; do
        for batch in "${batches[@]}"; do
          iters=1
          [ "$batch" = 1 ] && iters=8
          reps="${DDM_BENCH_REPEATS:-3}"
          [ "$rule" = mixture ] && [ "$batch" -ge 64 ] && reps=1
          cell="$net/$prec/$rule/N$n/b$batch"
          best "ddm/$cell" "$reps" ddm "$net" "$ddm" bench sample "${args[@]}" --shape "${shape[$net]}" --set sample.rule=$rule \
            --set sample.alpha=router --steps $n --batch $batch --set sample.solver=ddim --set sample.bf16=${ddm_bf16[$prec]} \
            --iters $iters -q
          if [ "$peer" = 1 ]; then
            for mode in eager compiled; do
              best "peer-$mode/$cell" 1 "peer-$mode" "$net" "$py" bench/peer/peer.py --net $net --rule $rule --steps $n \
                --batch $batch --iters $iters --repeats "$reps" --device $device ${peer_bf16[$prec]} \
                $([ $mode = compiled ] && echo --compile)
            done
          fi
        done
      done
    done
    # One training step at the config's batch size (the fashion_mnist network on its data set,
    # Debian's, always present; CIFAR-10's network on its own data only where it is on disk).
    if [ "$net" = fashion ] || [ -e "$(grep -m1 '^  path:' configs/cifar10.yaml | awk '{print $2}')" ]; then
      best "ddm/$net/$prec/train" 3 ddm "$net" "$ddm" bench train "${args[@]}" --set train.bf16=${ddm_bf16[$prec]} --iters 5 -q
      batch_size="$(row_of "ddm/$net/$prec/train" | "$py" -c 'import json, sys; print(json.loads(sys.stdin.read())["batch"])')"
      if [ "$peer" = 1 ]; then
        best "peer-eager/$net/$prec/train" 3 peer-eager "$net" "$py" bench/peer/peer.py --net $net --train --batch "$batch_size" --iters 5 --device $device \
          ${peer_bf16[$prec]}
      fi
    fi
  done
done

{
  # The CPU's model and bf16 flags from one reading (bench/peak.py --cpu-info), like the rows'.
  echo "{\"date\": \"$(date -u +%FT%TZ)\", \"device\": \"$device\", $("$py" bench/peak.py --cpu-info | cut -c2- | sed 's/}$//'),"
  echo " \"cores\": $(nproc), \"rows\": ["
  sed '$!s/$/,/' "$rows"
  echo "]}"
} > "$out"
"$py" scripts/bench_table.py "$out"
