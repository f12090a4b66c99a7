// The precompiled header shared by every module that uses LibTorch (see src/CMakeLists.txt).
// Deliberately not <torch/torch.h>: GCC's load time grows with the header's size (an empty
// translation unit took 10 s with torch.h's 718 MB PCH, 5 s with this one), and ddm needs only
// tensors, autograd and nn::Module (layers are written on ATen's functional ops).
// Sources still include what they use; this only makes those includes cheap.
#pragma once
#include <torch/nn/module.h>
#include <torch/types.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>
