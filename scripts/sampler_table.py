# Markdown tables from scripts/sampler_check.sh's results.jsonl (docs/results/sampler.md):
# ddm against diffusers on the same noise (mean and standard deviation over seeds, and the mean
# of the paired ratios), and every solver with the x0 clip on and off.
# Usage: python sampler_table.py runs/sampler_check/results.jsonl
import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
cells = {r["cell"]: r for r in rows}


def stat(values):
    if not values:
        return "-"
    sd = f" ± {statistics.stdev(values):.2f}" if len(values) > 1 else ""
    return f"{statistics.mean(values):.2f}{sd} ({len(values)})"


print("| N | ddm, uniform grid | ddm, leading grid | diffusers DDIM, same noise | ddm uniform / diffusers | ddm leading / diffusers | DDIMPipeline, own noise |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for n in sorted({r["steps"] for r in rows if r["cell"].startswith("diffusers-")}):
    seeds = [s for s in range(10) if f"diffusers-ddim-{n}-s{s}" in cells]
    fd = lambda name: [cells[name.format(n=n, s=s)]["fd"] for s in seeds if name.format(n=n, s=s) in cells]
    uni, lead, ref = fd("ddm-ddim-uniform-{n}-s{s}"), fd("ddm-ddim-leading-{n}-s{s}"), fd("diffusers-ddim-{n}-s{s}")
    ratio = lambda a: stat([x / y for x, y in zip(a, ref)]) if len(a) == len(ref) else "-"
    own = cells.get(f"diffusers-ddim-{n}", {}).get("fd")
    print(f"| {n} | {stat(uni)} | {stat(lead)} | {stat(ref)} | {ratio(uni)} | {ratio(lead)} | {own if own is not None else '-'} |")
print()
print("| solver | clip_x0 | N = 10 | N = 25 | N = 50 |")
print("|---|---|---:|---:|---:|")
for solver in ["ddim", "euler", "heun", "dpmpp2m"]:
    for clip in ["on", "off"]:
        out = []
        for n in [10, 25, 50]:
            r = cells.get(f"ddm-{solver}-{clip}-{n}")
            out.append(f"{r['fd']:.2f} ({r['nfe']:g} NFE)" if r else "-")
        print(f"| {solver} | {clip} | " + " | ".join(out) + " |")
