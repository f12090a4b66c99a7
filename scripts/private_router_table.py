#!/usr/bin/env python3
"""Renders docs/results/private_routers.md's tables from scripts/private_router_study.sh's run
folders and its rows file (standard library only), and with --plot PNG the cost-against-data-size
figure (that needs matplotlib: `.venv/bin/python -m pip install matplotlib`).

  scripts/private_router_table.py ROWS.jsonl [--profile quick] [--plot docs/images/router_cost.png]
"""
import argparse
import json
import os
import statistics

VARIANTS = ["exact", "labels", "samples", "labels-time", "samples-time", "samples-pool250", "samples-pool3000",
            "samples-experts100"]


def load(path):
    return json.load(open(path)) if os.path.exists(path) else None


def rows_of(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def fd_cells(ev):
    cells = {}
    for row in ev["rows"]:
        for c in row["cells"]:
            cells.setdefault((row["name"], c["steps"]), []).append(c["fd"])
    return cells


def mean_sd(v):
    return f"{statistics.mean(v):.2f} ± {statistics.stdev(v):.2f}" if len(v) > 1 else f"{v[0]:.2f}"


def quality_table(study, variants):
    out = ["| router targets | steps | rule | FD, N = 10 | FD, N = 25 |", "|---|---:|---|---:|---:|"]
    for v in variants:
        ev = load(os.path.join(study, v, "evaluation", "evaluation.json"))
        if not ev:
            continue
        steps = load(os.path.join(study, v, "router-mog-a", "eval.json"))["step"]
        cells = fd_cells(ev)
        for rule in ["top1-router", "switch-router", "mixture-router"]:
            a, b = cells.get((rule, 10)), cells.get((rule, 25))
            if a and b:
                out.append(f"| {v} | {steps} | {rule.split('-')[0]} | {mean_sd(a)} | {mean_sd(b)} |")
    return "\n".join(out)


def router_table(study, rows, profile, variants):
    out = ["| router targets | steps | CPU s (wall s) | peak MiB | TV final N = 10 / 25 | argmax N = 10 / 25 | held-out CE (near data / transition / noise) |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for v in variants:
        chk = load(os.path.join(study, v, "router-check", "router-check.json"))
        ev = load(os.path.join(study, v, "router-mog-a", "eval.json"))
        t = [r for r in rows if r["cell"] == "train" and r["variant"] == v and r["profile"] == profile]
        if not (chk and ev and t):
            continue
        mine = {r["steps"]: r for r in chk["rows"] if r["source"] == "mog-a"}
        tv = " / ".join(f"{mine[n]['tv_final']:.3f}" for n in (10, 25))
        agree = " / ".join(f"{mine[n]['argmax_agree']:.3f}" for n in (10, 25))
        ce = " / ".join(f"{i['cross_entropy']:.3f}" for i in ev["heldout"])
        out.append(f"| {v} | {ev['step']} | {t[-1]['cpu_s']:.0f} ({t[-1]['wall_s']:.0f}) | {t[-1]['peak_mib']} | {tv} | {agree} | {ce} |")
    return "\n".join(out)


def cost_table(rows, study):
    out = ["| examples | targets | ms per step (B = 256) | command wall s (200 steps, setup, evaluation) | peak MiB |",
           "|---:|---|---:|---:|---:|"]
    for r in rows:
        if r["cell"] == "cost":
            targets, n = r["variant"].split("-")
            m = load(os.path.join(study, f"cost-{n}", f"{targets}.metrics.json"))
            per = f"{1000 * m['elapsed_s'] / m['step']:.1f}" if m else "-"
            out.append(f"| {int(n):,} | {targets} | {per} | {r['wall_s']:.1f} | {r['peak_mib']} |")
    return "\n".join(out)


def cost_plot(rows, study, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.6))
    for targets, style in (("labels", "o-"), ("exact", "s-")):
        pts = []
        for r in rows:
            if r["cell"] == "cost" and r["variant"].startswith(targets + "-"):
                n = int(r["variant"].split("-")[1])
                m = load(os.path.join(study, f"cost-{n}", f"{targets}.metrics.json"))
                pts.append((n, 1000 * m["elapsed_s"] / m["step"], r["peak_mib"]))
        pts.sort()
        a.plot([p[0] for p in pts], [p[1] for p in pts], style, label=targets)
        b.plot([p[0] for p in pts], [p[2] for p in pts], style, label=targets)
    for ax, what in ((a, "ms per router step (B = 256)"), (b, "peak memory, MiB")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("examples in the data set (toy2d, K = 8)")
        ax.set_ylabel(what)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle("MoG-a router cost against data size: exact targets against labels")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rows")
    ap.add_argument("--profile", default="quick")
    ap.add_argument("--plot", help="write the cost figure here (PNG)")
    a = ap.parse_args()
    rows = rows_of(a.rows)
    study = f"runs/private_routers_{a.profile}"
    print("## Table 1 rows\n\n" + quality_table(study, VARIANTS))
    print("\n## The routers\n\n" + router_table(study, rows, a.profile, VARIANTS))
    pools = [r for r in rows if r["cell"] == "pool" and r["profile"] == a.profile]
    if pools:
        print(f"\nGenerating the pool (1,000 samples per expert): {pools[-1]['cpu_s']:.0f} CPU s ({pools[-1]['wall_s']:.0f} s wall).")
    print("\n## Cost against data size\n\n" + cost_table(rows, study))
    if a.plot:
        cost_plot(rows, study, a.plot)
    cpus = {(r["cpu"], r["flags"]) for r in rows}
    print("\nMachines: " + "; ".join(f"{c} ({f})" for c, f in sorted(cpus)))


if __name__ == "__main__":
    main()
