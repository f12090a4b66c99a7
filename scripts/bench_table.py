#!/usr/bin/env python3
"""Prints a results file of scripts/bench.sh as a table (Markdown with --md): ddm's images/s per
row, the peer's (eager and torch.compile) and ddm / peer; the model FLOP rate ddm reaches (the
expert forward's FLOPs, counted on the peer's identical network, times network evaluations per
second; a training step's forward and backward) and its share of a measured peak: on CUDA the
bf16 matrix-multiply peak, on a CPU the fastest 3x3 convolution of the row's precision. Rows
come in fp32 and bf16; bench/peak.py's convolution peaks follow the table.
  scripts/bench_table.py bench/results/<date>-<device>.json [--md]"""
import json
import sys


def main():
    path = sys.argv[1]
    md = "--md" in sys.argv[2:]
    d = json.load(open(path))
    rows = d["rows"]
    flops = {r["net"]: r for r in rows if r.get("bench") == "flops"}
    key = lambda r: (r.get("bench"), r.get("net"), r.get("rule"), r.get("steps"), r.get("batch"), r.get("precision", "fp32"))
    peers = {(r["impl"],) + key(r): r for r in rows if r.get("impl", "").startswith("peer")}
    ours_fp32 = {key(r)[:-1]: r for r in rows if r.get("impl") == "ddm" and r.get("precision", "fp32") == "fp32"}
    # Without a CUDA matrix-multiply peak, the share is of bench/peak.py's fastest 3x3 convolution
    # in the row's precision (either layout, weights already in that precision).
    conv_peak = {}
    for p in (r for r in rows if r.get("impl") == "peak" and not r.get("autocast")):
        conv_peak[p["precision"]] = max(conv_peak.get(p["precision"], 0), p["gflop_per_s"])
    head = ["net", "bench", "prec", "rule", "N", "batch", "ddm img/s", "peer eager", "ddm/eager", "peer compiled", "ddm/compiled",
            "ddm GFLOP/s", "share of peak", "bf16/fp32"]
    table = []
    for r in rows:
        if r.get("impl") != "ddm":
            continue
        e, c = peers.get(("peer-eager",) + key(r)), peers.get(("peer-compiled",) + key(r))
        f = flops.get(r["net"], {})
        rate = share = None
        if r["bench"] == "sample" and "forward_gflop_per_image" in f:
            # Expert evaluations per image ("nfe"; rows from before N = NFE made N + 1 per step count).
            evals = r["nfe"] if "nfe" in r else r["evaluations_per_sample_step"] * (r["steps"] + 1)
            rate = r["images_per_s"] * evals * f["forward_gflop_per_image"]
        if r["bench"] == "train" and "train_gflop_per_image" in f:
            rate = r["images_per_s"] * f["train_gflop_per_image"]
        if rate is not None and "bf16_matmul_peak_tflops" in f:
            share = rate / (1000 * f["bf16_matmul_peak_tflops"])
        elif rate is not None and conv_peak.get(key(r)[-1]):
            share = rate / conv_peak[key(r)[-1]]
        num = lambda v, p=2: "-" if v is None else f"{v:.{p}f}"
        ratio = lambda p: "-" if p is None else f"{r['images_per_s'] / p['images_per_s']:.2f}"
        table.append([r["net"], r["bench"], r.get("precision", "fp32"), r.get("rule", "-"), str(r.get("steps", "-")), str(r["batch"]),
                      num(r["images_per_s"]), num(e and e["images_per_s"]), ratio(e), num(c and c["images_per_s"]), ratio(c),
                      num(rate, 1), "-" if share is None else f"{100 * share:.0f}%",
                      ratio(ours_fp32.get(key(r)[:-1])) if r.get("precision") == "bf16" else "-"])
    print(f"{d['date']}  {d['device']}  ({d['cpu']}, {d['cores']} cores, flags: {' '.join(d.get('cpu_flags', [])) or '-'})")
    if md:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for t in table:
            print("| " + " | ".join(t) + " |")
    else:
        widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(head)] if table else [len(h) for h in head]
        print("  ".join(h.rjust(w) for h, w in zip(head, widths)))
        for t in table:
            print("  ".join(v.rjust(w) for v, w in zip(t, widths)))
    for p in (r for r in rows if r.get("impl") == "peak"):
        kind = "autocast" if p.get("autocast") else p["precision"]
        print(f"peak: {p['op']} {kind} {p['layout']}, {p['threads']} threads: {p['gflop_per_s']:.0f} GFLOP/s")
    print(f"({path})")


if __name__ == "__main__":
    main()
