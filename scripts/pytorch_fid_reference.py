#!/usr/bin/env python3
"""Reference outputs of pytorch-fid's InceptionV3 for ddm's tests (needs torch, torchvision,
numpy and pytorch-fid; no weights download: the weights are random and seeded).

  pytorch_fid_reference.py keys OUT.txt   one line per state_dict tensor: name and shape
  pytorch_fid_reference.py forward DIR    DIR/state_dict.pth and weights.pth (random weights,
                                          torch.save of the state_dict and of a plain dict),
                                          DIR/io.npz (uint8 input images, 2048-d features)

tests/eval/data/pytorch_fid_inception_keys.txt was written by the first form; the second runs
inside the InceptionReference test when DDM_FID_PYTHON names a python that has pytorch-fid."""
import os
import sys
from importlib.metadata import version

import glob
import importlib.util

import numpy as np
import torch


def declare_torchvision_ops_if_missing():
    """PyPI's torchvision wheels are built for PyPI's CUDA torch: with ddm's CPU torch their C++
    ops cannot load, and `import torchvision` then fails on the two fake (meta) registrations it
    makes unconditionally, for nms and qnms. pytorch-fid's InceptionV3 uses no torchvision op, so
    declaring those two schemas (without kernels) lets it import; when the ops load, nothing is
    declared."""
    spec = importlib.util.find_spec("torchvision")
    extension = glob.glob(os.path.join(spec.submodule_search_locations[0], "_C*.so")) if spec else []
    try:
        torch.ops.load_library(extension[0])
        return None
    except (IndexError, OSError, RuntimeError):
        lib = torch.library.Library("torchvision", "DEF")
        for op in ("nms", "qnms"):
            lib.define(f"{op}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        return lib  # kept alive for the process


_torchvision_ops = declare_torchvision_ops_if_missing()
import pytorch_fid.inception as fid  # noqa: E402  (after the declaration above)


def random_fid_inception(seed):
    """fid_inception_v3() with seeded random weights instead of the downloaded ones."""
    real_load = torch.nn.Module.load_state_dict
    fid.load_state_dict_from_url = lambda *a, **k: None
    torch.nn.Module.load_state_dict = lambda self, *a, **k: None
    try:
        net = fid.fid_inception_v3()
    finally:
        torch.nn.Module.load_state_dict = real_load
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in net.state_dict().items():
            if not t.is_floating_point():
                continue
            if name.endswith("conv.weight"):
                fan_in = t[0].numel()
                t.copy_(torch.randn(t.shape, generator=g) * (2.0 / fan_in) ** 0.5)
            elif name.endswith("running_var"):
                t.copy_(0.5 + torch.rand(t.shape, generator=g))
            elif name.endswith("bn.weight"):
                t.copy_(0.5 + torch.rand(t.shape, generator=g))
            else:
                t.copy_(0.1 * torch.randn(t.shape, generator=g))
    return net.eval()


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("keys", "forward"):
        sys.exit(__doc__)
    net = random_fid_inception(1234)
    if sys.argv[1] == "keys":
        with open(sys.argv[2], "w") as f:
            f.write("# pytorch-fid %s (torchvision %s) fid_inception_v3() state_dict: name shape "
                    "(scripts/pytorch_fid_reference.py keys)\n" % (version("pytorch-fid"), version("torchvision")))
            for name, t in net.state_dict().items():
                f.write("%s %s\n" % (name, "x".join(str(s) for s in t.shape) or "scalar"))
        return
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    # As torch.save writes a state_dict (an OrderedDict with metadata, which LibTorch cannot read),
    # and as a plain dict of tensors (which it can).
    torch.save(net.state_dict(), os.path.join(out, "state_dict.pth"))
    torch.save(dict(net.state_dict()), os.path.join(out, "weights.pth"))
    fid.fid_inception_v3 = lambda: net
    model = fid.InceptionV3([fid.InceptionV3.BLOCK_INDEX_BY_DIM[2048]], resize_input=True, normalize_input=True).eval()
    g = torch.Generator().manual_seed(7)
    images = torch.randint(0, 256, (3, 3, 40, 36), generator=g, dtype=torch.uint8)
    with torch.no_grad():
        feats = model(images.float() / 255.0)[0].squeeze(-1).squeeze(-1)
    np.savez(os.path.join(out, "io.npz"), images=images.numpy(), features=feats.double().numpy())


if __name__ == "__main__":
    main()
