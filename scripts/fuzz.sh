#!/usr/bin/env bash
# Fuzzes every reader of outside bytes that has a libFuzzer target (fuzz/), with
# AddressSanitizer and UBSan, for SECONDS each (default 60), starting from the committed seed
# corpora (fuzz/corpus/<target>/; what a run finds is kept in build-fuzz/corpus/). Needs Debian's
# clang and libclang-rt-14-dev. Prints one summary line per target; exits 1 on any finding, whose
# reproducer libFuzzer leaves in build-fuzz/findings/.
#   scripts/fuzz.sh [SECONDS]        (FUZZ_JOBS=2 fuzzes two targets at a time)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-60}"
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
torch_dir="$(cat build/torch_dir.txt 2>/dev/null || true)"
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDM_FUZZ=ON -DDDM_BUILD_TESTS=OFF \
    -DDDM_CUDA=OFF ${torch_dir:+-DTorch_DIR="$torch_dir"} >/dev/null
fi
targets=(json npy npz safetensors config idx cifar image manifest checkpoint torch_bin)
cmake --build build-fuzz --target "${targets[@]/#/fuzz_}" >/dev/null
rm -f build-fuzz/fuzz_*.summary
mkdir -p build-fuzz/findings
jobs="${FUZZ_JOBS:-1}"  # targets fuzzed at once (each is one process on one core)

# fuzz_one TARGET: runs it, then writes its summary line to build-fuzz/fuzz_TARGET.summary.
fuzz_one() {
  local t=$1 work="build-fuzz/corpus/$1" log="build-fuzz/fuzz_$1.log" rc=0
  mkdir -p "$work"
  LSAN_OPTIONS="suppressions=$root/scripts/sanitize/lsan.supp:print_suppressions=0" \
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 build-fuzz/fuzz/fuzz_"$t" "$work" "fuzz/corpus/$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/findings/$t-" > "$log" 2>&1 || rc=$?
  local execs rss cov corpus result=ok
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corpus=$(find "$work" -type f | wc -l)
  [ "$rc" -ne 0 ] && result="FINDING (see $log)"
  printf '%-12s %10s %8s %8s %12s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "$corpus" "${rss:-?}" "$result" > "build-fuzz/fuzz_$t.summary"
}

for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  fuzz_one "$t" &
done
wait
failed=0
printf '%-12s %10s %8s %8s %12s  %s\n' target executions cov corpus rss_mb result
for t in "${targets[@]}"; do
  cat "build-fuzz/fuzz_$t.summary"
  grep -q FINDING "build-fuzz/fuzz_$t.summary" && failed=1
done
exit "$failed"
