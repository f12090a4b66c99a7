#!/usr/bin/env python3
"""The PyTorch peer of `ddm bench sample` (issue 7): the same U-Net as Hugging Face diffusers'
UNet2DModel, K experts, the same routing rules over the same number of DDIM steps (diffusers'
DDIMScheduler), with randomly initialised weights (speed does not depend on them). Prints one
JSON line per run, with the fields of `ddm bench sample`.

  peer.py --net fashion|cifar --rule fixed|switch|mixture|single --steps N --batch B [--iters I]
          [--device cpu|cuda] [--compile] [--bf16]

Networks: `fashion` is configs/fashion_mnist.yaml's U-Net on 32x32 grey images (channels 32,
multipliers 1,2,2,2, 2 blocks, attention at 8x8; ddm bench runs it with data.pad=2 and
model.attn_resolutions=[8]); `cifar` is DDPM's 35.7M CIFAR-10 U-Net. The router of `switch` and
`mixture` is, as in ddm's MoG-a, the expert U-Net's down path and middle block, pooled, with a
linear head; rows are grouped by expert and each expert runs once per step on its rows."""
import argparse
import json
import os
import resource
import time

import torch
from diffusers import DDIMScheduler, UNet2DModel

NETS = {
    # channels, multipliers, attention level, image channels, resolution
    "fashion": dict(block_out_channels=(32, 64, 64, 64), attn_level=2, in_channels=1, size=32),
    "cifar": dict(block_out_channels=(128, 256, 256, 256), attn_level=1, in_channels=3, size=32),
}


def make_unet(net):
    spec = NETS[net]
    down = ["DownBlock2D"] * 4
    down[spec["attn_level"]] = "AttnDownBlock2D"
    up = ["UpBlock2D"] * 4
    up[3 - spec["attn_level"]] = "AttnUpBlock2D"
    return UNet2DModel(sample_size=spec["size"], in_channels=spec["in_channels"], out_channels=spec["in_channels"],
                       layers_per_block=2, block_out_channels=spec["block_out_channels"], down_block_types=tuple(down),
                       up_block_types=tuple(up), norm_num_groups=32, downsample_padding=0, flip_sin_to_cos=False,
                       freq_shift=1, attention_head_dim=None, dropout=0.0)


class Router(torch.nn.Module):
    """MoG-a's network: the U-Net's down path and middle block, mean-pooled, a linear head."""

    def __init__(self, net, k):
        super().__init__()
        u = make_unet(net)
        self.conv_in, self.time_proj, self.time_embedding = u.conv_in, u.time_proj, u.time_embedding
        self.down_blocks, self.mid_block = u.down_blocks, u.mid_block
        self.head = torch.nn.Linear(u.config.block_out_channels[-1], k)

    def forward(self, x, t):
        emb = self.time_embedding(self.time_proj(t).to(x.dtype))
        h = self.conv_in(x)
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
    p.add_argument("--device", default="cpu")
    p.add_argument("--compile", action="store_true")
    p.add_argument("--bf16", action="store_true")
    a = p.parse_args()
    torch.manual_seed(0)
    dev = torch.device(a.device)
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

    def eps_of(e, x, t):
        return fns[e](x, t).sample

    def run_batch():
        sched.set_timesteps(a.steps)
        x = torch.randn(shape, device=dev)
        fixed = torch.multinomial(priors, a.batch, replacement=True)
        for t in sched.timesteps:
            tt = torch.full((a.batch,), int(t), device=dev)
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

    ctx = torch.autocast(dev.type, dtype=torch.bfloat16) if a.bf16 else torch.autocast(dev.type, enabled=False)
    with torch.inference_mode(), ctx:
        run_batch()  # warm-up (and compilation)
        if dev.type == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        for _ in range(a.iters):
            run_batch()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() / 2**20 if dev.type == "cuda" else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"bench": "sample", "impl": "peer" + ("-compiled" if a.compile else "-eager"), "net": a.net, "device": dev.type,
                      "threads": torch.get_num_threads(), "experts": k, "rule": a.rule, "steps": a.steps, "batch": a.batch,
                      "parameters": params, "images_per_s": a.batch * a.iters / seconds, "peak_memory_mb": peak,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
