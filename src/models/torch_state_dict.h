// A state dict that torch.save wrote (diffusers' `diffusion_pytorch_model.bin`, pytorch-fid's
// Inception `.pth`), read with LibTorch's own zip reader and unpickler behind ddm's checks (see
// the .cpp: LibTorch alone reads past a storage or allocates what a corrupt field claims). Only a
// flat dict of names to tensors is accepted, in the file's order.
#pragma once
#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace ddm {

using TensorList = std::vector<std::pair<std::string, torch::Tensor>>;

// Every failure (not a torch.save zip file, truncated, a value that is not a dense tensor) is a
// one-line ddm::Error that starts with `source`.
TensorList parse_torch_state_dict(const std::string& bytes, const std::string& source);
TensorList read_torch_state_dict(const std::string& path);

}  // namespace ddm
