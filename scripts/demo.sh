#!/usr/bin/env bash
# The main job on the embedded default data set (Fashion-MNIST from Debian's
# dataset-fashion-mnist): set up if needed, build, then run the pipeline and say what it did.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh
scripts/build.sh ddm
ddm="${DDM_BUILD_DIR:-build}/src/ddm"
config=configs/fashion_mnist.yaml
run=runs/fashion_mnist

echo "== 1. partition Fashion-MNIST into 10 label shards (one per expert)"
"$ddm" prepare --config "$config" "$@"
"$ddm" info "$run/shards.json"

echo
echo "done: shard manifest $run/shards.json, preview $run/shards_preview.png, log $run/log.txt"
echo "(expert training, routing, sampling and evaluation join this pipeline as they land)"
