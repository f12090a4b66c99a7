# DDIMPipeline's loop with diffusers' own classes on a UNet2DModel folder, from a given noise file
# (DDIMPipeline draws its own): UNet2DModel and DDIMScheduler.from_pretrained(FOLDER),
# set_timesteps(STEPS), then scheduler.step(unet(x, t), t, x, eta=0) for every timestep, and the
# image clamped to [-1, 1] as the pipeline's (x / 2 + 0.5).clamp(0, 1) does. Compares with ddm's
# samples of the imported folder. Used by tests/interop/test_diffusers.cpp.
# Usage: python ddim_pipeline_reference.py FOLDER NOISE.npy DDM_SAMPLES.npy STEPS  -> one JSON line
import json
import sys

import numpy as np
import torch
from diffusers import DDIMScheduler, UNet2DModel

folder, noise_file, ddm_file, steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
net = UNet2DModel.from_pretrained(folder).eval()
scheduler = DDIMScheduler.from_pretrained(folder)
scheduler.set_timesteps(steps)
x = torch.from_numpy(np.load(noise_file))
with torch.no_grad():
    for t in scheduler.timesteps:
        x = scheduler.step(net(x, t).sample, t, x, eta=0.0).prev_sample
x = x.clamp(-1, 1)
ddm = torch.from_numpy(np.load(ddm_file))
print(json.dumps({"max_abs": (ddm - x).abs().max().item(), "timesteps": scheduler.timesteps.tolist(),
                  "spacing": scheduler.config.timestep_spacing, "set_alpha_to_one": scheduler.config.set_alpha_to_one}))
