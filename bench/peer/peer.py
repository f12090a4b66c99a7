#!/usr/bin/env python3
"""The PyTorch peer of `ddm bench sample`: the same U-Net as Hugging Face diffusers'
UNet2DModel, K experts, the same routing rules over the same number of DDIM steps (diffusers'
DDIMScheduler), with randomly initialised weights (speed does not depend on them). Prints one
JSON line per run, with the fields of `ddm bench sample`, the precision, and the model work done
(`gflop_per_s`: the FLOPs of the network forwards a run makes, counted as --flops counts them,
per second). --repeats R times R runs after the one warm-up, in one process (so torch.compile
compiles once), and reports the fastest, with every run's images/s in `images_per_s_runs`.

  peer.py --net fashion|cifar --rule fixed|switch|mixture|single --steps N --batch B [--iters I]
          [--repeats R] [--device cpu|cuda] [--compile] [--bf16]
  peer.py --net fashion|cifar --train --batch B [--iters I] [--bf16]   (one training step, as `ddm bench train`)
  peer.py --net fashion|cifar --flops [--device cuda]  (FLOPs of one expert forward per image; on
          CUDA also the measured bf16 matrix-multiply peak, for the share of peak in the suite)

Networks: `fashion` is configs/fashion_mnist.yaml's U-Net on 32x32 grey images (channels 32,
multipliers 1,2,2,2, 2 blocks, attention at 8x8; ddm bench runs it with data.pad=2 and
model.attn_resolutions=[8]); `cifar` is DDPM's 35.7M CIFAR-10 U-Net. The router of `switch` and
`mixture` is, as in ddm's MoG-a, a U-Net down path and middle block, pooled, with a linear head,
of the width and input pooling of the net's ddm config (fashion: router.channels 16 on a 2x-pooled
image; cifar: the full encoder); rows are grouped by expert and each expert runs once per step on
its rows. The training step is ddm's: eps-prediction MSE at a uniform t, Adam, gradient norm
clipped to 1, an EMA of the weights.
--bf16 is mixed precision: every network forward runs under bf16 autocast, while the
weights, the optimiser and the solver stay fp32 (the network's output is cast back first)."""
import argparse
import json
import os
import resource
import time

import torch
from diffusers import DDIMScheduler, UNet2DModel

NETS = {
    # channels, multipliers, attention level, image channels, resolution; the router's base
    # channels and input pooling (configs/<net>.yaml's router.channels, router.downsample)
    "fashion": dict(block_out_channels=(32, 64, 64, 64), attn_level=2, in_channels=1, size=32, router=(16, 2)),
    "cifar": dict(block_out_channels=(128, 256, 256, 256), attn_level=1, in_channels=3, size=32, router=(128, 1)),
}


def make_unet(net, base=None, size=None):
    spec = NETS[net]
    base = base or spec["block_out_channels"][0]
    channels = tuple(c * base // spec["block_out_channels"][0] for c in spec["block_out_channels"])
    down = ["DownBlock2D"] * 4
    down[spec["attn_level"]] = "AttnDownBlock2D"
    up = ["UpBlock2D"] * 4
    up[3 - spec["attn_level"]] = "AttnUpBlock2D"
    return UNet2DModel(sample_size=size or spec["size"], in_channels=spec["in_channels"], out_channels=spec["in_channels"],
                       layers_per_block=2, block_out_channels=channels, down_block_types=tuple(down),
                       up_block_types=tuple(up), norm_num_groups=min(32, base), downsample_padding=0, flip_sin_to_cos=False,
                       freq_shift=1, attention_head_dim=None, dropout=0.0)


class Router(torch.nn.Module):
    """MoG-a's network: the U-Net's down path and middle block, mean-pooled, a linear head."""

    def __init__(self, net, k):
        super().__init__()
        base, self.pool = NETS[net]["router"]
        u = make_unet(net, base, NETS[net]["size"] // self.pool)
        self.conv_in, self.time_proj, self.time_embedding = u.conv_in, u.time_proj, u.time_embedding
        self.down_blocks, self.mid_block = u.down_blocks, u.mid_block
        self.head = torch.nn.Linear(u.config.block_out_channels[-1], k)

    def forward(self, x, t):
        emb = self.time_embedding(self.time_proj(t).to(x.dtype))
        h = self.conv_in(torch.nn.functional.avg_pool2d(x, self.pool) if self.pool > 1 else x)
        for block in self.down_blocks:
            h, _ = block(h, emb)
        h = self.mid_block(h, emb)
        return self.head(h.mean((2, 3)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--net", choices=NETS, default="fashion")
    p.add_argument("--rule", choices=["single", "fixed", "switch", "mixture"], default="fixed")
    p.add_argument("--experts", type=int, default=10)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--iters", type=int, default=1)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--compile", action="store_true")
    p.add_argument("--bf16", action="store_true")
    p.add_argument("--train", action="store_true")
    p.add_argument("--flops", action="store_true")
    a = p.parse_args()
    torch.manual_seed(0)
    dev = torch.device(a.device)
    if a.train:
        return train_step(a, dev)
    if a.flops:
        return flops(a, dev)
    k = 1 if a.rule == "single" else a.experts
    experts = [make_unet(a.net).to(dev).eval() for _ in range(k)]
    params = sum(q.numel() for q in experts[0].parameters())
    router = Router(a.net, k).to(dev).eval() if a.rule in ("switch", "mixture") else None
    if router is not None:  # random heads spread rows over experts as a trained router does
        torch.nn.init.normal_(router.head.weight)
    fns = [torch.compile(e) if a.compile else e for e in experts]
    route = torch.compile(router) if (a.compile and router is not None) else router
    sched = DDIMScheduler(num_train_timesteps=1000, beta_schedule="linear", clip_sample=True, set_alpha_to_one=False)
    spec = NETS[a.net]
    shape = (a.batch, spec["in_channels"], spec["size"], spec["size"])
    priors = torch.full((k,), 1.0 / k, device=dev)

    def eps_of(e, x, t):  # fp32 for the solver whatever autocast computed it in (a no-op in fp32)
        return fns[e](x, t).sample.float()

    def run_batch(batch):
        sched.set_timesteps(a.steps)
        x = torch.randn((batch,) + shape[1:], device=dev)
        fixed = torch.multinomial(priors, batch, replacement=True)
        for t in sched.timesteps:
            tt = torch.full((batch,), int(t), device=dev)
            if a.rule == "single":
                eps = eps_of(0, x, tt)
            elif a.rule == "mixture":
                alpha = torch.softmax(route(x, tt).float(), 1)
                eps = sum(alpha[:, j, None, None, None] * eps_of(j, x, tt) for j in range(k))
            else:
                choice = fixed if a.rule == "fixed" else torch.multinomial(torch.softmax(route(x, tt).float(), 1), 1).squeeze(1)
                eps = torch.empty_like(x)
                for j in range(k):
                    rows = (choice == j).nonzero().squeeze(1)
                    if rows.numel():
                        eps[rows] = eps_of(j, x[rows], tt[rows]).to(x.dtype)
            x = sched.step(eps, t, x).prev_sample
        return x

    # Forwards per timed run, by network: each row goes through one expert a step (all k under
    # mixture), plus the router's forward where there is one.
    expert_forwards = a.iters * a.steps * a.batch * (k if a.rule == "mixture" else 1)
    router_forwards = a.iters * a.steps * a.batch if router is not None else 0
    with torch.inference_mode():
        gflop = expert_forwards * forward_gflop(experts[0], a.net, dev)
        gflop += router_forwards * forward_gflop(router, a.net, dev) if router is not None else 0
    # Under --bf16 the solver runs inside the autocast region too: its ops are elementwise, which
    # autocast leaves in the fp32 of their inputs. Autocast's weight cache is off under
    # inference_mode (torch 2.13), so every forward recasts its weights to bf16: part of the cost.
    ctx = torch.autocast(dev.type, dtype=torch.bfloat16) if a.bf16 else torch.autocast(dev.type, enabled=False)
    with torch.inference_mode(), ctx:
        # Warm-up: eager as ddm bench does (full size on CUDA, a small batch on a CPU); compiled at
        # the timed batch, because torch.compile specialises its graph on the batch size, and a
        # warm-up at another size leaves the timed run a recompilation (on a CPU: 11.8 images/s
        # timed that way against 32-34 warmed at the timed batch).
        run_batch(a.batch if (dev.type == "cuda" or a.compile) else min(a.batch, 16))
        if dev.type == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        runs = []
        for _ in range(a.repeats):
            start = time.perf_counter()
            for _ in range(a.iters):
                run_batch(a.batch)
            if dev.type == "cuda":
                torch.cuda.synchronize()
            runs.append(time.perf_counter() - start)
        seconds = min(runs)
    peak = torch.cuda.max_memory_allocated() / 2**20 if dev.type == "cuda" else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"bench": "sample", "impl": "peer" + ("-compiled" if a.compile else "-eager"), "net": a.net, "device": dev.type,
                      "threads": torch.get_num_threads(), "experts": k, "rule": a.rule, "steps": a.steps, "batch": a.batch,
                      "parameters": params,
                      "router_parameters": sum(q.numel() for q in router.parameters()) if router is not None else 0, "images_per_s": a.batch * a.iters / seconds, "images_per_s_runs": [a.batch * a.iters / s for s in runs],
                      "peak_memory_mb": peak, "torch": torch.__version__, "precision": precision(a), "gflop_per_s": gflop / seconds}))


def precision(a):
    return "bf16" if a.bf16 else "fp32"


def forward_gflop(net, name, dev, backward=False):
    """GFLOP of one forward (and, with backward, its backward) of `net` on one image, by torch's
    FlopCounterMode (matrix multiplies, convolutions, attention; the per-image work is linear in
    the batch). On zeros and in fp32: the count depends on neither, and torch.randn would move
    the random stream the timed run draws from."""
    from torch.utils.flop_counter import FlopCounterMode
    spec = NETS[name]
    x = torch.zeros((1, spec["in_channels"], spec["size"], spec["size"]), device=dev)
    with FlopCounterMode(display=False) as counter:
        out = net(x, torch.tensor([500], device=dev))
        if backward:
            out.sample.sum().backward()
    return counter.get_total_flops() / 1e9


def flops(a, dev):
    with torch.inference_mode():
        gflop = forward_gflop(make_unet(a.net).eval(), a.net, torch.device("cpu"))
    # A training step's work per image: forward and backward (dropout changes no FLOP count).
    train = forward_gflop(make_unet(a.net).train(), a.net, torch.device("cpu"), backward=True)
    out = {"bench": "flops", "net": a.net, "forward_gflop_per_image": gflop, "train_gflop_per_image": train}
    if dev.type == "cuda":  # the device's measured bf16 matrix-multiply peak (best of 20 at 8192^3)
        m = torch.randn(8192, 8192, device=dev, dtype=torch.bfloat16)
        best = float("inf")
        for _ in range(20):
            torch.cuda.synchronize()
            start = time.perf_counter()
            m @ m
            torch.cuda.synchronize()
            best = min(best, time.perf_counter() - start)
        out["bf16_matmul_peak_tflops"] = 2 * 8192**3 / best / 1e12
    print(json.dumps(out))


def train_step(a, dev):
    net = make_unet(a.net).to(dev).train()
    ema = make_unet(a.net).to(dev).eval().requires_grad_(False)
    ema.load_state_dict(net.state_dict())
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    spec = NETS[a.net]
    x0 = torch.rand((a.batch, spec["in_channels"], spec["size"], spec["size"]), device=dev) * 2 - 1
    abar = torch.cumprod(1 - torch.linspace(1e-4, 0.02, 1000, device=dev), 0)
    # The step's work: forward and backward per image (its gradients are dropped by the first
    # step's zero_grad), times the batch.
    gflop_per_step = a.batch * forward_gflop(net, a.net, dev, backward=True)

    def step():
        t = torch.randint(0, 1000, (a.batch,), device=dev)
        eps = torch.randn_like(x0)
        ab = abar[t][:, None, None, None]
        # Only the forward under autocast (backward follows the forward's dtypes); the loss on
        # the fp32 output, and the weights, their gradients and Adam stay fp32.
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.bf16):
            out = net(ab.sqrt() * x0 + (1 - ab).sqrt() * eps, t).sample
        loss = torch.nn.functional.mse_loss(out.float(), eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            torch._foreach_lerp_(list(ema.parameters()), list(net.parameters()), 1 - 0.999)

    for _ in range(2):  # warm-up, as ddm bench train
        step()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(a.iters):
        step()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() / 2**20 if dev.type == "cuda" else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"bench": "train", "impl": "peer-eager", "net": a.net, "device": dev.type, "threads": torch.get_num_threads(),
                      "batch": a.batch, "iters": a.iters, "parameters": sum(q.numel() for q in net.parameters()),
                      "step_ms": 1000 * seconds / a.iters, "images_per_s": a.batch * a.iters / seconds, "peak_memory_mb": peak,
                      "torch": torch.__version__, "precision": precision(a), "gflop_per_s": gflop_per_step * a.iters / seconds}))


if __name__ == "__main__":
    main()
