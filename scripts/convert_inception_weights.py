#!/usr/bin/env python3
"""Converts pytorch-fid's Inception weights (pt_inception-2015-12-05-6726825d.pth, from
https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/) into an .npz that
`ddm fid --inception-weights FILE.npz` reads. Needed once when LibTorch cannot read the .pth
itself (files in torch.save's legacy, pre-zip format). Needs python3 with torch and numpy,
e.g. the project's .venv: .venv/bin/python scripts/convert_inception_weights.py IN.pth OUT.npz"""
import sys

import numpy as np
import torch


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: convert_inception_weights.py pt_inception-2015-12-05-6726825d.pth OUT.npz")
    state = torch.load(sys.argv[1], map_location="cpu", weights_only=True)
    arrays = {k: v.detach().float().numpy() for k, v in state.items() if torch.is_tensor(v) and v.is_floating_point()}
    np.savez(sys.argv[2], **arrays)
    print(f"{sys.argv[2]}: {len(arrays)} tensors")


if __name__ == "__main__":
    main()
