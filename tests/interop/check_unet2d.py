# Loads a folder written by `ddm export` with diffusers (DDIMPipeline's UNet2DModel and DDIMScheduler) and compares
# UNet2DModel's output with ddm's on the same inputs: ddm's network at time t is UNet2DModel at
# timestep 1000 t. Prints one JSON line. Used by tests/interop/test_diffusers.cpp.
# Usage: python check_unet2d.py FOLDER IO.safetensors   (IO holds x, t and ddm's output `out`)
import json
import sys

import torch
from safetensors.torch import load_file
from unet2d_folder import load

folder, io = sys.argv[1], sys.argv[2]
net, sched = load(folder)
d = load_file(io)
with torch.no_grad():
    y = net(d["x"], d["t"] * 1000).sample
scale = d["out"].abs().max().item()
print(json.dumps({
    "max_rel": (y - d["out"]).abs().max().item() / scale,
    "scale": scale,
    "parameters": sum(p.numel() for p in net.parameters()),
    "beta_start": float(sched.config.beta_start),
    "beta_end": float(sched.config.beta_end),
    "prediction_type": sched.config.prediction_type,
}))
