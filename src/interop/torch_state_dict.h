// A state dict that torch.save wrote (diffusers' `diffusion_pytorch_model.bin`, as older Hub
// folders ship their weights), read with LibTorch's own unpickler: ddm parses no pickle itself.
// Only a flat dict of names to tensors is accepted; the tensors come back as safetensors entries
// so that import applies one set of checks to both formats.
#pragma once
#include <string>

#include "util/safetensors.h"

namespace ddm {

// Every failure (not a torch.save zip file, truncated, a value that is not a tensor, a tensor
// type safetensors cannot hold) is a one-line ddm::Error that starts with `source`.
SafeTensors parse_torch_state_dict(const std::string& bytes, const std::string& source);
SafeTensors read_torch_state_dict(const std::string& path);

}  // namespace ddm
