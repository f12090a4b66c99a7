#!/usr/bin/env bash
# Fuzzes every reader of outside bytes that has a libFuzzer target (fuzz/, issue 18), with
# AddressSanitizer and UBSan, for SECONDS each (default 60), starting from the committed seed
# corpora (fuzz/corpus/<target>/; what a run finds is kept in build-fuzz/corpus/). Needs Debian's
# clang and libclang-rt-14-dev. Prints one summary line per target; exits 1 on any finding, whose
# reproducer libFuzzer leaves in build-fuzz/findings/.
#   scripts/fuzz.sh [SECONDS]
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
targets=(json npy npz safetensors config)
cmake --build build-fuzz --target "${targets[@]/#/fuzz_}" >/dev/null
mkdir -p build-fuzz/findings
failed=0
printf '%-12s %10s %8s %8s %12s  %s\n' target executions cov corpus rss_mb result
for t in "${targets[@]}"; do
  work="build-fuzz/corpus/$t"
  mkdir -p "$work"
  log="build-fuzz/fuzz_$t.log"
  rc=0
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 build-fuzz/fuzz/fuzz_"$t" "$work" "fuzz/corpus/$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/findings/$t-" > "$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corpus=$(find "$work" -type f | wc -l)
  result=ok
  if [ "$rc" -ne 0 ]; then result="FINDING (see $log)"; failed=1; fi
  printf '%-12s %10s %8s %8s %12s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "$corpus" "${rss:-?}" "$result"
done
exit "$failed"
