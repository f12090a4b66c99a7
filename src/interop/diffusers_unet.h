// ddm's U-Net as diffusers' UNet2DModel and back. The two compute the same function for every
// UNet2DModel option this file accepts: the positional time embedding of the timestep 1000 t with
// either order (flip_sin_to_cos) and any freq_shift, any norm_eps, single- or multi-head attention
// (attention_head_dim), default or scale-shift time conditioning, conv down-sampling with padding
// 0 (TensorFlow's SAME, ddm's `same`) or 1 (`symmetric`), nearest x2 + conv up-sampling; docs/
// interop.md lists them. Names map one to one; ddm's 1x1 attention convolutions are diffusers'
// linear layers ([C, C, 1, 1] <-> [C, C]).
#pragma once
#include <torch/nn/module.h>

#include <string>
#include <vector>

#include "config/model_config.h"
#include "util/json.h"
#include "util/safetensors.h"

namespace ddm {

// UNet2DModel's config.json for the U-Net that `model` and `sample_shape` [C, H, W] describe.
// Fails in one line when UNet2DModel cannot represent it: feature maps must halve exactly down
// the levels (UNet2DModel doubles them back; ddm up-samples to each skip's size, so its 28-pixel
// networks 28 -> 14 -> 7 -> 4 exist only in ddm).
Json unet2d_config(const ModelConfig& model, const std::vector<int64_t>& sample_shape);
// The model.* fields and sample shape a UNet2DModel config describes; anything ddm's U-Net cannot
// compute is refused with a one-line error naming the option and its value.
ModelConfig model_config_from_unet2d(const Json& config, const std::string& source, std::vector<int64_t>& sample_shape);

// diffusers' name of a ddm U-Net parameter ("down1_attn0.q.weight" ->
// "down_blocks.1.attentions.0.to_q.weight"); `levels` = the number of channel multipliers.
std::string diffusers_name(const std::string& ddm_name, int levels);
// The module's parameters under diffusers' names, float32, in ddm's order.
SafeTensors to_unet2d_weights(const torch::nn::Module& unet, int levels);
// Copies diffusers-named weights into the module: every parameter must be there with its shape
// (errors name `source` and the tensor), and no tensor may be left over.
void load_unet2d_weights(torch::nn::Module& unet, int levels, const SafeTensors& weights, const std::string& source);

}  // namespace ddm
