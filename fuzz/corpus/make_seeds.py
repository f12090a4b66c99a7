"""Writes the seed corpora of the LibTorch-era readers' fuzz targets: small files in the
real formats (IDX plain/gzip, CIFAR-10 records, PNG/JPEG/BMP, a shard manifest, a checkpoint
without its CRC, which fuzz_checkpoint appends). Run from the repository root with Pillow:
    .venv/bin/python fuzz/corpus/make_seeds.py
"""
import gzip
import io
import json
import os
import struct

from PIL import Image

root = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data)


def idx(magic_dims, dims, values):
    return struct.pack(">I", 0x0800 | magic_dims) + b"".join(struct.pack(">I", d) for d in dims) + bytes(values)


images = idx(3, [2, 3, 3], range(18))
labels = idx(1, [2], [4, 7])
put("idx", "plain", b"\x00" + images)
put("idx", "to-gzip", b"\x01" + images)
put("idx", "labels", b"\x02" + labels)
put("idx", "gzipped", b"\x03" + gzip.compress(images, mtime=0))

record = lambda label, salt: bytes([label]) + bytes((salt + i) % 256 for i in range(3072))
put("cifar", "two-records", record(3, 0) + record(9, 77))

picture = Image.new("RGB", (6, 5))
picture.putdata([(x * 40, y * 50, (x + y) * 20) for y in range(5) for x in range(6)])
for fmt, name, channels in (("PNG", "rgb.png", 0), ("JPEG", "rgb.jpg", 3), ("BMP", "rgb.bmp", 1)):
    buf = io.BytesIO()
    picture.save(buf, fmt)
    put("image", name, bytes([channels]) + buf.getvalue())
buf = io.BytesIO()
picture.convert("L").save(buf, "PNG")
put("image", "grey.png", b"\x00" + buf.getvalue())

manifest = {"format": "ddm-shards-v1", "dataset": "toy2d", "data": {"dataset": "toy2d", "pad": 0}, "k": 2,
            "method": "label", "seed": 0, "n": 5, "class_names": ["a", "b"],
            "shards": [{"shard": 0, "size": 3, "prior": 0.6, "label_counts": [3, 0], "indices": [0, 2, 4]},
                       {"shard": 1, "size": 2, "prior": 0.4, "label_counts": [0, 2], "indices": [1, 3]}]}
put("manifest", "shards.json", json.dumps(manifest).encode())

# A checkpoint: magic, u64 header length, header JSON, data at a 64-byte boundary (CRC left off).
tensors = [("w", "float32", [2, 3], struct.pack("<6f", *range(6))), ("step", "int64", [], struct.pack("<q", 40))]
table, data = [], b""
for name, dtype, shape, raw in tensors:
    table.append({"name": name, "dtype": dtype, "shape": shape, "offset": len(data), "nbytes": len(raw)})
    data += raw + b"\0" * (-len(raw) % 64)
header = json.dumps({"meta": {"kind": "expert", "step": 40}, "tensors": table, "data_bytes": len(data)}).encode()
start = 16 + len(header)
put("checkpoint", "small.ddm", b"DDMCKPT1" + struct.pack("<Q", len(header)) + header + b"\0" * (-start % 64) + data)

# diffusers' .bin weights: a small state dict as torch.save writes it (zip, pickle, storages),
# with a float16 tensor and one that is a view of another's storage.
import torch  # noqa: E402  (the other seeds need no torch)

w = torch.arange(6, dtype=torch.float32).reshape(2, 3)
state = {"conv_in.weight": w, "conv_in.bias": torch.tensor([0.5, -1.0], dtype=torch.float16), "row": w[1]}
buf = io.BytesIO()
torch.save(state, buf)
put("torch_bin", "state_dict.bin", buf.getvalue())
