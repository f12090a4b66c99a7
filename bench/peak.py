#!/usr/bin/env python3
"""This machine's convolution peak: the reference row of the benchmark suite. Times a
plain 64-channel 3x3 conv2d (padding 1, forward only) on a 64x64x32x32 batch, the layer shape
that dominates the U-Nets' work, in fp32 and bf16 (bf16 tensors, and fp32 tensors under CPU
autocast, as the peer's --bf16 runs), each in NCHW and channels-last. Prints one JSON line per
variant; a sampler's GFLOP/s over this row is its share of what the hardware does on its main op.

  peak.py [--threads N] [--device cpu|cuda]   the rows (N defaults to os.cpu_count())
  peak.py --cpu-info                          just {"cpu": ..., "cpu_flags": [...]}, for
                                              scripts/bench.sh to stamp onto its rows"""
import argparse
import json
import os
import platform
import time

# The ISA features that decide which kernels oneDNN can pick: AVX2 and AVX-512 for fp32,
# AVX512-BF16 / AMX for bf16 (without them bf16 is emulated and slower than fp32).
FLAGS = ("avx512_bf16", "amx_bf16", "amx_tile", "avx512f", "avx2", "avx512_vnni")
BATCH, CHANNELS, SIZE = 64, 64, 32
GFLOP = 2 * BATCH * CHANNELS * SIZE * SIZE * CHANNELS * 9 / 1e9


def cpu_info():
    """The CPU's model name and the subset of FLAGS it has, from /proc/cpuinfo (Linux)."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    model = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
                if model and flags:
                    break
    except OSError:
        pass
    return {"cpu": model, "cpu_flags": [f for f in FLAGS if f in flags]}


def best_ms(fn, sync, budget_s=1.5, repeats=200):
    """Best of timed calls after a warm-up (oneDNN picks and JITs its kernel on the first call of
    a shape). The best, not the mean, and as many calls as `budget_s` allows: this shared VM's
    neighbours slow single calls by up to 2x, and the fast bf16 variants need many tries to see
    an undisturbed one; the budget keeps six variants near 10 s, even where bf16 is emulated."""
    for _ in range(3):
        fn()
    sync()
    best, spent = float("inf"), 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
        if spent > budget_s:
            break
    return 1000 * best


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--device", default="cpu")
    p.add_argument("--cpu-info", action="store_true")
    a = p.parse_args()
    info = cpu_info()
    if a.cpu_info:
        print(json.dumps(info))
        return
    import torch  # only here: --cpu-info is called once per suite and should not pay for it

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    conv = torch.nn.Conv2d(CHANNELS, CHANNELS, 3, padding=1).to(dev)
    x = torch.randn(BATCH, CHANNELS, SIZE, SIZE, device=dev)
    # (precision, autocast): bf16 tensors measure the kernel alone; autocast adds the per-call
    # cast of the fp32 input, which is what a mixed-precision network pays.
    variants = [("fp32", False), ("bf16", False), ("bf16", True)]
    with torch.no_grad():
        for layout, fmt in (("nchw", torch.contiguous_format), ("channels_last", torch.channels_last)):
            for precision, autocast in variants:
                dtype = torch.bfloat16 if precision == "bf16" and not autocast else torch.float32
                conv.to(dtype=dtype, memory_format=fmt)  # in place; the weights' values do not matter
                inp = x.to(dtype=dtype, memory_format=fmt)

                def forward():
                    with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=autocast):
                        conv(inp)

                ms = best_ms(forward, sync)
                print(json.dumps({"impl": "peak", "op": "conv3x3_64", "precision": precision, "autocast": autocast,
                                  "layout": layout, "device": dev.type, "threads": torch.get_num_threads(), "ms": ms,
                                  "gflop_per_s": GFLOP / (ms / 1000), **info, "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
