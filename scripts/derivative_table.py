#!/usr/bin/env python3
"""The derivative-router study's table (docs/results/derivative_routers.md) from
runs/derivative_study/results.jsonl (scripts/derivative_study.sh): per variant its training
throughput (the median of the fastest tenth of its logged steps, the uncontended rate), final TV
to the exact alpha along 256 exact PF-ODE paths at N = 10 / 25 for each alpha source, and the
exact-expert FD of its rows.
    scripts/derivative_table.py [RESULTS.jsonl]"""
import json
import statistics
import sys


def throughput(variant, kind):
    rates = []
    with open(f"runs/derivative_study/{variant}/router-{kind}/metrics.jsonl") as f:
        for line in f:
            r = json.loads(line)
            if "examples_per_s" in r:
                rates.append(r["examples_per_s"])
    rates.sort(reverse=True)
    top = rates[: max(1, len(rates) // 10)]
    return statistics.median(top)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "runs/derivative_study/results.jsonl"
    rows = {}
    for line in open(path):
        j = json.loads(line)
        rows[j["variant"]] = j  # the last line of a variant wins (a rerun appends)
    print("| variant | steps | examples/s | source | TV N=10 | TV N=25 | argmax N=10 / 25 | exact-expert FD (switch) N=10 / 25 |")
    print("|---|---:|---:|---|---:|---:|---|---|")
    for v, j in rows.items():
        rate = throughput(v, j["kind"])
        tv = {}
        for r in j["router_check"]:
            if r["source"] in ("prior", "integrated-exact"):
                continue
            tv.setdefault(r["source"], {})[r["steps"]] = r
        fd = {}
        for row in j["exact_fd"]:
            fd[row["name"]] = {c["steps"]: c["fd"] for c in row["cells"]}
        for src, by_n in tv.items():
            alpha = {"mog-a": "router", "mog-da-head": "router", "sobolev": "sobolev"}.get(src, src)
            f = fd.get(f"switch-{alpha}", {})
            fd_s = " / ".join(f"{f[n]:.2f}" for n in (10, 25) if n in f) or "-"
            print(f"| {v} | {j['eval']['step']} | {rate:.0f} | {src} | {by_n[10]['tv_final']:.3f} | {by_n[25]['tv_final']:.3f} | "
                  f"{by_n[10]['argmax_agree']:.2f} / {by_n[25]['argmax_agree']:.2f} | {fd_s} |")


if __name__ == "__main__":
    main()
