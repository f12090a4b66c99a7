# Shared by the interop test scripts: a UNet2DModel and its scheduler from either layout diffusers
# writes (a pipeline folder with model_index.json, or a UNet2DModel folder with
# scheduler_config.json beside config.json), and DDIMPipeline's denoising loop on given noise.
import os

import torch
from diffusers import DDIMPipeline, DDIMScheduler, UNet2DModel


def load(folder):
    """(UNet2DModel in eval mode, DDIMScheduler) of a pipeline or UNet2DModel folder."""
    if os.path.exists(os.path.join(folder, "model_index.json")):
        pipe = DDIMPipeline.from_pretrained(folder)
        return pipe.unet.eval(), DDIMScheduler.from_config(pipe.scheduler.config)
    return UNet2DModel.from_pretrained(folder).eval(), DDIMScheduler.from_pretrained(folder)


def ddim_loop(unet, scheduler, x, steps):
    """DDIMPipeline's loop from the noise x (eta = 0), clamped to [-1, 1] as the pipeline's
    (x / 2 + 0.5).clamp(0, 1) does."""
    scheduler.set_timesteps(steps)
    with torch.no_grad():
        for t in scheduler.timesteps:
            x = scheduler.step(unet(x, t).sample, t, x, eta=0.0).prev_sample
    return x.clamp(-1, 1)
