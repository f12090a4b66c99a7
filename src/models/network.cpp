// The network factory and the architecture record (see network.h).
#include "models/network.h"

#include <algorithm>

#include "config/config.h"
#include "models/mlp.h"
#include "models/unet.h"
#include "util/error.h"

namespace ddm {

ModelArch resolve_arch(ModelArch arch, const std::vector<int64_t>& sample_shape) {
  const bool image = sample_shape.size() == 3;
  if (arch == ModelArch::kAuto) return image ? ModelArch::kUnet : ModelArch::kMlp;
  if (arch == ModelArch::kUnet)
    require(image, "model.arch=unet needs image data [C, H, W]; this data has {} dimension(s): use model.arch=mlp",
            sample_shape.size());
  if (arch == ModelArch::kMlp)
    require(!image, "model.arch=mlp is for point data; this data is images: use model.arch=unet");
  return arch;
}

Json architecture_json(const ModelConfig& cfg, const std::vector<int64_t>& sample_shape) {
  Json j = Json::object();
  const ModelArch arch = resolve_arch(cfg.arch, sample_shape);
  j["arch"] = to_string(arch);
  j["sample_shape"] = Json(sample_shape);
  if (arch == ModelArch::kUnet) {
    j["channels"] = cfg.channels;
    j["channel_mult"] = Json(cfg.channel_mult);
    j["num_res_blocks"] = cfg.num_res_blocks;
    j["attn_resolutions"] = Json(cfg.attn_resolutions);
    j["groups"] = cfg.groups;
    j["downsample_padding"] = to_string(cfg.downsample_padding);
    j["norm_eps"] = cfg.norm_eps;
    j["attn_head_dim"] = cfg.attn_head_dim;
    j["time_flip_sin_to_cos"] = cfg.time_flip_sin_to_cos;
    j["time_freq_shift"] = cfg.time_freq_shift;
    j["time_scale_shift"] = cfg.time_scale_shift;
  } else {
    j["mlp_width"] = cfg.mlp_width;
    j["mlp_depth"] = cfg.mlp_depth;
  }
  j["dropout"] = cfg.dropout;
  return j;
}

Json normalized_architecture(Json a) {
  if (a.value("arch", "") != "unet") return a;
  // Keys a U-Net record gained later, at the values the networks written before them computed.
  const std::pair<const char*, Json> older[] = {
      {"downsample_padding", "symmetric"}, {"norm_eps", 1e-6},       {"attn_head_dim", 0},
      {"time_flip_sin_to_cos", false},     {"time_freq_shift", 1.0}, {"time_scale_shift", false}};
  for (const auto& [key, value] : older)
    if (!a.contains(key)) a[key] = value;
  return a;
}

ModelConfig model_config_from_architecture(const Json& architecture, const std::string& source) {
  Json model = Json::object();
  const Json record = normalized_architecture(architecture);  // iterated below: must outlive the loop
  for (const auto& [key, value] : record.items()) {
    const std::string full = "model." + key;
    const auto& fields = config_fields();
    if (std::any_of(fields.begin(), fields.end(), [&](const ConfigField& f) { return f.key == full; }))
      model[key] = value;
  }
  Json j = Json::object();
  j["model"] = model;
  return config_from_json(j, source).model;
}

std::shared_ptr<Network> make_network(const ModelConfig& cfg, const std::vector<int64_t>& shape) {
  if (resolve_arch(cfg.arch, shape) == ModelArch::kMlp) {
    require(shape.size() == 1, "mlp: expected points [D], got a sample shape of {} dimensions", shape.size());
    return std::make_shared<MlpNet>(shape[0], cfg.mlp_width, cfg.mlp_depth);
  }
  return std::make_shared<UNet>(unet_options(cfg, shape));
}

UNetOptions unet_options(const ModelConfig& cfg, const std::vector<int64_t>& shape) {
  require(shape.size() == 3 && shape[1] == shape[2], "unet: images must be square [C, H, W], got {}",
          torch::IntArrayRef(shape));
  UNetOptions o;
  o.in_channels = shape[0];
  o.resolution = shape[1];
  o.channels = cfg.channels;
  o.channel_mult = cfg.channel_mult;
  o.num_res_blocks = cfg.num_res_blocks;
  o.attn_resolutions = cfg.attn_resolutions;
  o.dropout = cfg.dropout;
  o.groups = cfg.groups;
  o.downsample_padding = cfg.downsample_padding;
  o.norm_eps = cfg.norm_eps;
  o.attn_head_dim = cfg.attn_head_dim;
  o.time = {cfg.time_flip_sin_to_cos, cfg.time_freq_shift};
  o.time_scale_shift = cfg.time_scale_shift;
  return o;
}

int64_t parameter_count(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

}  // namespace ddm
