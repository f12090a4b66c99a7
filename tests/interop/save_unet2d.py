# Writes a UNet2DModel folder with the installed diffusers' own save_pretrained, as a party that
# trained its expert with diffusers would have it, with random weights everywhere (diffusers
# zero-initialises nothing, but random weights make every layer count), and UNet2DModel's output
# on fixed inputs. Used by tests/interop/test_diffusers.cpp.
# Usage: python save_unet2d.py VARIANT FOLDER IO.safetensors
#   ddpm         the DDPM paper's options (freq_shift 1, flip_sin_to_cos false, norm_eps 1e-6,
#                single-head attention) with scheduler_config.json beside config.json
#   default      UNet2DModel's defaults (flip_sin_to_cos, freq_shift 0, norm_eps 1e-5,
#                attention_head_dim 8: multi-head attention)
#   pipeline     the defaults saved by DDIMPipeline.save_pretrained (model_index.json, unet/, scheduler/)
#   scale_shift  the defaults with resnet_time_scale_shift "scale_shift"
#   bin          the DDPM options with torch.save weights (diffusion_pytorch_model.bin)
# IO holds x [2, 1, 16, 16], t (ddm's time in [0, 1]) and `out`, UNet2DModel(x, 1000 t).
import sys

import torch
from diffusers import DDIMPipeline, DDIMScheduler, UNet2DModel
from safetensors.torch import save_file

variant, folder, io = sys.argv[1], sys.argv[2], sys.argv[3]
shape = dict(sample_size=16, in_channels=1, out_channels=1, block_out_channels=(16, 32), layers_per_block=1,
             norm_num_groups=8, down_block_types=("DownBlock2D", "AttnDownBlock2D"),
             up_block_types=("AttnUpBlock2D", "UpBlock2D"))
ddpm = dict(freq_shift=1, flip_sin_to_cos=False, norm_eps=1e-6, attention_head_dim=None, downsample_padding=0)
options = {"ddpm": ddpm, "bin": ddpm, "default": {}, "pipeline": {}, "scale_shift": {"resnet_time_scale_shift": "scale_shift"}}
torch.manual_seed(5)
net = UNet2DModel(**shape, **options[variant]).eval()
with torch.no_grad():
    for p in net.parameters():
        p.normal_(0, 0.05 if variant != "default" else 0.1)
scheduler = DDIMScheduler(beta_schedule="linear", beta_start=1e-4, beta_end=0.02, clip_sample=True, steps_offset=1)
if variant == "pipeline":
    DDIMPipeline(unet=net, scheduler=scheduler).save_pretrained(folder)
else:
    net.save_pretrained(folder, safe_serialization=variant != "bin")
    scheduler.save_pretrained(folder)
x = torch.randn(2, 1, 16, 16)
t = torch.tensor([0.05, 0.7])
with torch.no_grad():
    out = net(x, t * 1000).sample
save_file({"x": x, "t": t, "out": out.contiguous()}, io)
print(f"wrote {folder} ({sum(p.numel() for p in net.parameters())} parameters)")
