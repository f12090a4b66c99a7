#!/usr/bin/env python3
"""Splits Fashion-MNIST (or MNIST) IDX files into one folder per party, by label, so that a
federation can be simulated on one machine: party r gets the training examples whose label is
in its group, as its own gzipped IDX files in <out>/party-<r>/. Standard library only.

  scripts/split_parties.py --out parties --groups 0-4,5-9 [--src /usr/share/datasets/fashion-mnist] [--limit N]
"""
import argparse
import gzip
import os
import struct


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return shape, data[4 + 4 * dims :]


def write_idx(path, kind, shape, payload):
    with gzip.open(path, "wb") as f:
        f.write(bytes([0, 0, 8, kind]) + struct.pack(">" + "I" * len(shape), *shape) + payload)


def labels_of(group):
    lo, _, hi = group.partition("-")
    return set(range(int(lo), int(hi or lo) + 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out", required=True)
    ap.add_argument("--groups", default="0-4,5-9", help="label groups, one per party: 0-4,5-9")
    ap.add_argument("--limit", type=int, default=0, help="at most N examples per party (0: all)")
    a = ap.parse_args()
    (n, rows, cols), pixels = read_idx(os.path.join(a.src, "train-images-idx3-ubyte.gz"))
    _, labels = read_idx(os.path.join(a.src, "train-labels-idx1-ubyte.gz"))
    size = rows * cols
    for r, group in enumerate(a.groups.split(",")):
        keep = [i for i in range(n) if labels[i] in labels_of(group)]
        if a.limit:
            keep = keep[: a.limit]
        folder = os.path.join(a.out, f"party-{r}")
        os.makedirs(folder, exist_ok=True)
        write_idx(os.path.join(folder, "train-images-idx3-ubyte.gz"), 3, (len(keep), rows, cols),
                  b"".join(pixels[i * size : (i + 1) * size] for i in keep))
        write_idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"), 1, (len(keep),), bytes(labels[i] for i in keep))
        print(f"{folder}: {len(keep)} examples with labels {group}")


if __name__ == "__main__":
    main()
