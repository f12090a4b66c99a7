// A denoising network: (x_t, t) -> the prediction its parameterisation names (eps, x0 or v).
// The factory builds the U-Net or the MLP from the model config and the data's sample shape;
// `describe` and `architecture_json` record what was built, so a checkpoint can refuse to load
// into a different architecture.
#pragma once
#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>
#include <vector>

#include "config/model_config.h"
#include "util/json.h"

namespace ddm {

class Network : public torch::nn::Module {
 public:
  // x: [B, ...sample_shape], t: [B] in [0, 1]. Returns a tensor shaped like x.
  virtual torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t) = 0;
};

// The architecture actually built: arch, sample shape and every model.* field that matters.
Json architecture_json(const ModelConfig& cfg, const std::vector<int64_t>& sample_shape);
// An architecture record as this version writes it: records from before a key existed get the
// value their networks had (older U-Nets padded their down-sampling symmetrically).
Json normalized_architecture(Json architecture);
// The model settings an architecture record describes (its inverse, after normalising): what a
// checkpoint needs to rebuild its network without the configuration it was trained with. Keys
// that are not model.* fields (sample_shape, a router's own) are skipped.
ModelConfig model_config_from_architecture(const Json& architecture, const std::string& source);
ModelArch resolve_arch(ModelArch arch, const std::vector<int64_t>& sample_shape);
std::shared_ptr<Network> make_network(const ModelConfig& cfg, const std::vector<int64_t>& sample_shape);
int64_t parameter_count(const torch::nn::Module& m);

}  // namespace ddm
