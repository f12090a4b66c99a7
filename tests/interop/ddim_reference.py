# An independent DDIM reference for ddm's sampler: loads a folder written by `ddm export` with
# diffusers' UNet2DModel and runs N DDIM steps with the semantics of diffusers'
# DDIMScheduler.step (eta = 0, clip_sample: the x0 estimate `pred_original_sample` is clipped,
# the noise `pred_epsilon` stays the network's raw output) on ddm's own continuous time grid:
# N evaluation times uniform from t = 1 to t_min, then the landing at t = 0 (abar = 1), with the
# linear VP schedule abar(t) = exp(-(b0 t + (b1 - b0) t^2 / 2)) written out here. The network at
# time t is UNet2DModel at timestep 1000 t. The final image is clamped to [-1, 1].
# Also runs the step that re-derives the noise from the clipped x0 (diffusers'
# use_clipped_model_output=True), to show which of the two ddm computes.
# Usage: python ddim_reference.py FOLDER NOISE.npy DDM_SAMPLES.npy STEPS T_MIN  -> one JSON line
import json
import math
import sys

import numpy as np
import torch
from unet2d_folder import load

folder, noise_file, ddm_file, steps, t_min = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
net, scheduler = load(folder)
cfg = scheduler.config
assert cfg["beta_schedule"] == "linear" and cfg["prediction_type"] == "epsilon", cfg
b0, b1 = cfg["beta_start"] * cfg["num_train_timesteps"], cfg["beta_end"] * cfg["num_train_timesteps"]


def abar(t):
    return math.exp(-(b0 * t + 0.5 * (b1 - b0) * t * t))


times = [1.0 + n / (steps - 1) * (t_min - 1.0) for n in range(steps)] if steps > 1 else [1.0]
times[-1] = t_min if steps > 1 else 1.0
times.append(0.0)


def sample(x, clipped_eps):
    with torch.no_grad():
        for t, t_next in zip(times[:-1], times[1:]):
            a, s = math.sqrt(abar(t)), math.sqrt(1 - abar(t))
            a_next, s_next = math.sqrt(abar(t_next)), math.sqrt(1 - abar(t_next))
            eps = net(x, torch.full((x.shape[0],), 1000 * t)).sample.double()
            x0 = ((x.double() - s * eps) / a).clamp(-1, 1)  # pred_original_sample, clip_sample
            if clipped_eps:
                eps = (x.double() - a * x0) / s  # use_clipped_model_output=True
            x = (a_next * x0 + s_next * eps).float()
    return x.clamp(-1, 1)


noise = torch.from_numpy(np.load(noise_file))
ddm = torch.from_numpy(np.load(ddm_file))
ref, old = sample(noise, False), sample(noise, True)
print(json.dumps({
    "max_abs": (ddm - ref).abs().max().item(),
    "old_step_max_abs": (ddm - old).abs().max().item(),
    "reference_vs_old_max_abs": (ref - old).abs().max().item(),
    "evaluations": steps,
}))
