# After ddm imported a folder that diffusers saved (save_unet2d.py) and exported it again: the
# original folder's DDIMPipeline loop against ddm's samples on the same noise, and the export
# loaded in one line with DDIMPipeline.from_pretrained, its UNet2DModel against the original's
# output on the same inputs, and the pipeline run for two steps. Prints one JSON line.
# Usage: python check_import.py ORIGINAL EXPORT IO.safetensors NOISE.npy DDM_SAMPLES.npy STEPS
import json
import sys

import numpy as np
import torch
from diffusers import DDIMPipeline
from safetensors.torch import load_file
from unet2d_folder import ddim_loop, load

original, export, io, noise_file, ddm_file, steps = sys.argv[1:6] + [int(sys.argv[6])]
net, scheduler = load(original)
reference = ddim_loop(net, scheduler, torch.from_numpy(np.load(noise_file)), steps)
ddm = torch.from_numpy(np.load(ddm_file))
pipe = DDIMPipeline.from_pretrained(export)
d = load_file(io)
with torch.no_grad():
    y = pipe.unet.eval()(d["x"], d["t"] * 1000).sample
images = pipe(batch_size=1, num_inference_steps=2, generator=torch.manual_seed(0), output_type="np").images
print(json.dumps({
    "ddim_max_abs": (ddm - reference).abs().max().item(),
    "export_max_rel": (y - d["out"]).abs().max().item() / d["out"].abs().max().item(),
    "pipeline_images": list(images.shape),
    "pipeline_finite": bool(np.isfinite(images).all()),
    "export_scheduler": type(pipe.scheduler).__name__,
}))
