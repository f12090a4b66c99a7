# Samples a `ddm export` folder with diffusers' DDIMPipeline (DDIMPipeline.from_pretrained: its
# UNet2DModel and DDIMScheduler, eta = 0) and writes the images as ddm's samples.npz does (uint8
# N x H x W x C, rounded as the pipeline's PIL output), so that `ddm fid` scores them like ddm's.
# Without NOISE the pipeline draws its own noise from a seeded torch.Generator; with NOISE (a
# float32 .npy such as `ddm sample --save-noise` writes) it starts from that noise and runs the
# pipeline's own loop (scheduler.step on its set_timesteps), which DDIMPipeline cannot be given.
# Used by scripts/sampler_check.sh.
# Usage: python diffusers_sample.py FOLDER STEPS NUM SEED OUT.npz [NOISE.npy]
import sys
import time

import numpy as np
import torch
from diffusers import DDIMPipeline

folder, steps, num, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
noise = torch.from_numpy(np.load(sys.argv[6])) if len(sys.argv) > 6 else None
batch = 250
pipe = DDIMPipeline.from_pretrained(folder)
pipe.unet.eval()
pipe.set_progress_bar_config(disable=True)
gen = torch.Generator().manual_seed(seed)


def own_loop(x):
    pipe.scheduler.set_timesteps(steps)
    with torch.no_grad():
        for t in pipe.scheduler.timesteps:
            x = pipe.scheduler.step(pipe.unet(x, t).sample, t, x, eta=0.0).prev_sample
    return (x / 2 + 0.5).clamp(0, 1).permute(0, 2, 3, 1).numpy()  # as DDIMPipeline's output


parts, start = [], time.time()
for first in range(0, num, batch):
    b = min(batch, num - first)
    if noise is None:
        images = pipe(batch_size=b, generator=gen, eta=0.0, num_inference_steps=steps, output_type="np").images
    else:
        images = own_loop(noise[first:first + b])
    parts.append(np.round(images * 255).clip(0, 255).astype(np.uint8))
np.savez(out, samples=np.concatenate(parts))
print(f"diffusers DDIM: {num} samples, {steps} steps, {'given' if noise is not None else 'own'} noise, {time.time() - start:.1f} s -> {out}")
