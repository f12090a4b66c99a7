#!/usr/bin/env bash
# Fails, listing each place, when a C++ source differs from what clang-format makes of it
# (.clang-format at the root). `scripts/check_format.sh --fix` formats them in place instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tool="$(command -v clang-format-14 || command -v clang-format || true)"
[ -n "$tool" ] || { echo "check_format: clang-format not found (scripts/setup.sh installs it)" >&2; exit 1; }
mapfile -t files < <(find src tests fuzz bench -name '*.cpp' -o -name '*.h' -o -name '*.cu' -o -name '*.cuh' | sort)
if [ "${1:-}" = "--fix" ]; then
  exec "$tool" -i "${files[@]}"
fi
"$tool" --dry-run -Werror "${files[@]}" || {
  echo "check_format: the sources above are not formatted; run scripts/check_format.sh --fix" >&2
  exit 1
}
