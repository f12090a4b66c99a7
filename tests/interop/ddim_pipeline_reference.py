# DDIMPipeline's loop with diffusers' own classes on a UNet2DModel or pipeline folder, from a given
# noise file (DDIMPipeline draws its own): set_timesteps(STEPS), then scheduler.step(unet(x, t), t,
# x, eta=0) for every timestep, and the image clamped to [-1, 1]. Compares with ddm's samples of
# the imported folder. Used by tests/interop/test_diffusers.cpp.
# Usage: python ddim_pipeline_reference.py FOLDER NOISE.npy DDM_SAMPLES.npy STEPS  -> one JSON line
import json
import sys

import numpy as np
import torch
from unet2d_folder import ddim_loop, load

folder, noise_file, ddm_file, steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
net, scheduler = load(folder)
x = ddim_loop(net, scheduler, torch.from_numpy(np.load(noise_file)), steps)
ddm = torch.from_numpy(np.load(ddm_file))
print(json.dumps({"max_abs": (ddm - x).abs().max().item(), "timesteps": scheduler.timesteps.tolist(),
                  "spacing": scheduler.config.timestep_spacing, "set_alpha_to_one": scheduler.config.set_alpha_to_one}))
