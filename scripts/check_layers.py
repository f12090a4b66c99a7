#!/usr/bin/env python3
"""Checks the library graph CMake generated (cmake --graphviz) against the rules that keep
inference apart from training: the libraries that load and run models (ddm_dist, ddm_models,
ddm_router, ddm_run, ddm_sample, ddm_eval, ddm_interop) must not reach ddm_train, directly or through another library. Exits 1
naming the path when one does.
    scripts/check_layers.py [BUILD_DIR (default: build)]"""
import re
import subprocess
import sys
import tempfile

INFERENCE = ["ddm_dist", "ddm_models", "ddm_router", "ddm_run", "ddm_sample", "ddm_eval", "ddm_interop"]
TRAINING = "ddm_train"


def graph(build_dir):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["cmake", f"--graphviz={tmp}/deps.dot", build_dir], check=True, capture_output=True)
        text = open(f"{tmp}/deps.dot").read()
    names = dict(re.findall(r'"(node\d+)" \[ label = "([^"]+)"', text))
    edges = {}
    for a, b in re.findall(r'"(node\d+)" -> "(node\d+)"', text):
        edges.setdefault(names[a], []).append(names[b])
    return edges


def path_to(edges, start, goal):
    """A dependency path start -> ... -> goal, or None."""
    stack, seen = [[start]], {start}
    while stack:
        p = stack.pop()
        for nxt in edges.get(p[-1], []):
            if nxt == goal:
                return p + [nxt]
            if nxt not in seen:
                seen.add(nxt)
                stack.append(p + [nxt])
    return None


def main():
    edges = graph(sys.argv[1] if len(sys.argv) > 1 else "build")
    bad = [p for lib in INFERENCE if (p := path_to(edges, lib, TRAINING))]
    for p in bad:
        print("inference links training code: " + " -> ".join(p), file=sys.stderr)
    missing = [lib for lib in INFERENCE if lib not in edges]
    for lib in missing:
        print(f"check_layers: {lib} is not in the CMake graph", file=sys.stderr)
    return 1 if bad or missing else 0


if __name__ == "__main__":
    sys.exit(main())
