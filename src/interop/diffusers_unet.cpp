// ddm's U-Net <-> diffusers' UNet2DModel: config and names (see diffusers_unet.h; the layer
// correspondences are checked against diffusers' own forward pass by tests/interop).
#include "interop/diffusers_unet.h"

#include <cmath>
#include <regex>
#include <set>

#include "interop/torch_safetensors.h"
#include "util/error.h"

namespace ddm {
namespace {

// Feature-map size at each level under TensorFlow's SAME or symmetric padding (both ceil(r / 2)).
std::vector<int64_t> level_sizes(int64_t resolution, size_t levels) {
  std::vector<int64_t> r{resolution};
  while (r.size() < levels) r.push_back((r.back() + 1) / 2);
  return r;
}

// A whole number as a JSON integer (diffusers writes freq_shift as one), anything else as is.
Json number(double v) { return v == std::floor(v) ? Json(static_cast<int64_t>(v)) : Json(v); }

bool contains(const IntList& v, int64_t x) { return std::find(v.begin(), v.end(), static_cast<int>(x)) != v.end(); }

std::string resnet_leaf(const std::string& leaf) {
  if (leaf.rfind("temb_proj.", 0) == 0) return "time_emb_proj." + leaf.substr(10);
  if (leaf.rfind("skip.", 0) == 0) return "conv_shortcut." + leaf.substr(5);
  return leaf;  // norm1, conv1, norm2, conv2
}

std::string attention_leaf(const std::string& leaf) {
  static const std::vector<std::pair<std::string, std::string>> names = {
      {"norm.", "group_norm."}, {"q.", "to_q."}, {"k.", "to_k."}, {"v.", "to_v."}, {"proj.", "to_out.0."}};
  for (const auto& [ours, theirs] : names)
    if (leaf.rfind(ours, 0) == 0) return theirs + leaf.substr(ours.size());
  fail("unet: unknown attention parameter {}", leaf);
}

bool is_attention_projection(const std::string& diffusers) {
  static const std::regex re(R"(.*attentions\.\d+\.(to_q|to_k|to_v|to_out\.0)\.weight)");
  return std::regex_match(diffusers, re);
}

}  // namespace

std::string diffusers_name(const std::string& name, int levels) {
  static const std::regex block(R"((down|up)(\d+)_(block|attn)(\d+)\.(.+))"),
      sampler(R"((down|up)(\d+)_(downsample|upsample)\.(.+))");
  static const std::map<std::string, std::string> plain = {{"temb0.", "time_embedding.linear_1."},
                                                           {"temb1.", "time_embedding.linear_2."},
                                                           {"conv_in.", "conv_in."},
                                                           {"norm_out.", "conv_norm_out."},
                                                           {"conv_out.", "conv_out."},
                                                           {"mid_block1.", "mid_block.resnets.0."},
                                                           {"mid_block2.", "mid_block.resnets.1."},
                                                           {"mid_attn.", "mid_block.attentions.0."}};
  for (const auto& [ours, theirs] : plain) {
    if (name.rfind(ours, 0) != 0) continue;
    const std::string leaf = name.substr(ours.size());
    if (ours == "mid_attn.") return theirs + attention_leaf(leaf);
    return theirs + (ours.rfind("mid_block", 0) == 0 ? resnet_leaf(leaf) : leaf);
  }
  std::smatch m;
  auto level = [&](const std::string& dir, const std::string& i) {
    return dir == "down" ? std::stoi(i) : levels - 1 - std::stoi(i);
  };
  if (std::regex_match(name, m, block)) {
    const std::string base = format("{}_blocks.{}.", m[1].str(), level(m[1], m[2]));
    return m[3] == "block" ? base + "resnets." + m[4].str() + "." + resnet_leaf(m[5])
                           : base + "attentions." + m[4].str() + "." + attention_leaf(m[5]);
  }
  if (std::regex_match(name, m, sampler))
    return format("{}_blocks.{}.{}samplers.0.conv.{}", m[1].str(), level(m[1], m[2]), m[1].str(), m[4].str());
  fail("unet: no diffusers name for parameter {}", name);
}

SafeTensors to_unet2d_weights(const torch::nn::Module& unet, int levels) {
  SafeTensors st;
  for (const auto& p : unet.named_parameters()) {
    const std::string name = diffusers_name(p.key(), levels);
    torch::Tensor t = p.value().detach().to(torch::kFloat32);
    if (is_attention_projection(name)) t = t.flatten(1);  // 1x1 conv [C, C, 1, 1] -> linear [C, C]
    st.tensors.emplace_back(name, to_safe_tensor(t));
  }
  return st;
}

void load_unet2d_weights(torch::nn::Module& unet, int levels, const SafeTensors& weights, const std::string& source) {
  torch::NoGradGuard no_grad;
  std::set<std::string> used;
  for (auto& p : unet.named_parameters()) {
    const std::string name = diffusers_name(p.key(), levels);
    const SafeTensor* s = weights.find(name);
    require(s != nullptr, "{}: tensor {} is missing (ddm's {})", source, name, p.key());
    torch::Tensor t = from_safe_tensor(*s).to(torch::kFloat32);
    if (is_attention_projection(name) && t.dim() == 2) t = t.reshape(p.value().sizes());
    require(t.sizes() == p.value().sizes(), "{}: tensor {} has shape {}, the config's network needs {}", source, name,
            t.sizes(), p.value().sizes());
    p.value().copy_(t);
    used.insert(name);
  }
  for (const auto& [name, t] : weights.tensors)
    require(used.count(name) > 0, "{}: tensor {} has no place in the network its config describes", source, name);
}

Json unet2d_config(const ModelConfig& m, const std::vector<int64_t>& shape) {
  require(shape.size() == 3 && shape[1] == shape[2], "export: UNet2DModel takes square images [C, H, W], not {}",
          torch::IntArrayRef(shape));
  const auto sizes = level_sizes(shape[1], m.channel_mult.size());
  for (size_t i = 0; i + 1 < sizes.size(); ++i)
    require(sizes[i] % 2 == 0,
            "export: a {}-pixel U-Net has feature maps of {} at level {}: UNet2DModel halves and doubles exactly, ddm "
            "up-samples to "
            "each skip's size, so only ddm computes this network; train on 32x32 (data.pad: 2) to export",
            shape[1], sizes[i], i);
  Json down = Json::array(), up = Json::array(), out = Json::array();
  for (size_t i = 0; i < sizes.size(); ++i) {
    down.push_back(contains(m.attn_resolutions, sizes[i]) ? "AttnDownBlock2D" : "DownBlock2D");
    out.push_back(int64_t{m.channels} * m.channel_mult[i]);
  }
  for (size_t i = sizes.size(); i-- > 0;)
    up.push_back(contains(m.attn_resolutions, sizes[i]) ? "AttnUpBlock2D" : "UpBlock2D");
  Json c = Json::object();
  c["_class_name"] = "UNet2DModel";
  c["_diffusers_version"] = "0.42.1";  // the version its equivalence was tested against
  c["sample_size"] = shape[1];
  c["in_channels"] = shape[0];
  c["out_channels"] = shape[0];
  c["center_input_sample"] = false;
  c["time_embedding_type"] = "positional";
  c["time_embedding_dim"] = nullptr;
  c["freq_shift"] = number(m.time_freq_shift);
  c["flip_sin_to_cos"] = m.time_flip_sin_to_cos;
  c["mid_block_type"] = "UNetMidBlock2D";
  c["down_block_types"] = down;
  c["up_block_types"] = up;
  c["block_out_channels"] = out;
  c["layers_per_block"] = m.num_res_blocks;
  c["mid_block_scale_factor"] = 1;
  c["downsample_padding"] = m.downsample_padding == DownsamplePadding::kSame ? 0 : 1;
  c["downsample_type"] = "conv";
  c["upsample_type"] = "conv";
  c["dropout"] = m.dropout;
  c["act_fn"] = "silu";
  c["attention_head_dim"] = m.attn_head_dim == 0 ? Json(nullptr) : Json(m.attn_head_dim);
  c["norm_num_groups"] = m.groups;
  c["attn_norm_num_groups"] = nullptr;
  c["norm_eps"] = m.norm_eps;
  c["resnet_time_scale_shift"] = m.time_scale_shift ? "scale_shift" : "default";
  c["add_attention"] = true;
  c["class_embed_type"] = nullptr;
  c["num_class_embeds"] = nullptr;
  return c;
}

namespace {

// One UNet2DModel option: its value (UNet2DModel's default when absent) must be one ddm computes.
void expect_value(const Json& c, const std::string& key, const Json& want, const Json& fallback,
                  const std::string& source) {
  const Json& v = c.contains(key) ? c.at(key) : fallback;
  const bool same = v.is_number() && want.is_number() ? v.get<double>() == want.get<double>() : v == want;
  require(same, "{}: {} = {} is not supported: ddm's U-Net computes only {}", source, key, v.dump(), want.dump());
}

// The option checks of model_config_from_unet2d: every key it knows, and no unknown one with a value.
void check_unet2d_options(const Json& c, const std::string& source) {
  require(c.is_object(), "{}: not a JSON object", source);
  if (c.contains("_class_name"))
    require(c.at("_class_name") == "UNet2DModel", "{}: _class_name = {}: ddm imports UNet2DModel only", source,
            c.at("_class_name").dump());
  struct Fixed {
    std::string key;
    Json want, fallback;  // the value ddm computes; UNet2DModel's default (diffusers 0.42)
  };
  const std::vector<Fixed> fixed = {{"center_input_sample", false, false},
                                    {"time_embedding_type", "positional", "positional"},
                                    {"mid_block_type", "UNetMidBlock2D", "UNetMidBlock2D"},
                                    {"mid_block_scale_factor", 1, 1},
                                    {"downsample_type", "conv", "conv"},
                                    {"upsample_type", "conv", "conv"},
                                    {"act_fn", "silu", "silu"},
                                    {"add_attention", true, true},
                                    {"class_embed_type", nullptr, nullptr},
                                    {"num_class_embeds", nullptr, nullptr}};
  for (const auto& f : fixed) expect_value(c, f.key, f.want, f.fallback, source);
  // Options ddm computes at any value (read by read_time_and_attention).
  static const std::set<std::string> known = {"sample_size",
                                              "in_channels",
                                              "out_channels",
                                              "down_block_types",
                                              "up_block_types",
                                              "block_out_channels",
                                              "layers_per_block",
                                              "downsample_padding",
                                              "dropout",
                                              "norm_num_groups",
                                              "attn_norm_num_groups",
                                              "num_train_timesteps",
                                              "freq_shift",
                                              "flip_sin_to_cos",
                                              "norm_eps",
                                              "attention_head_dim",
                                              "resnet_time_scale_shift",
                                              "time_embedding_dim"};
  for (const auto& [key, v] : c.items()) {
    const bool checked = known.count(key) > 0 || key.rfind('_', 0) == 0 ||
                         std::any_of(fixed.begin(), fixed.end(), [&](const Fixed& f) { return f.key == key; });
    require(checked || v.is_null(), "{}: option {} = {} is not supported by ddm's U-Net", source, key, v.dump());
  }
  require(c.value("in_channels", 3) == c.value("out_channels", 3),
          "{}: in_channels {} and out_channels {} differ: a denoiser maps x to x", source, c.value("in_channels", 3),
          c.value("out_channels", 3));
}

// The time embedding, normalisation and attention options (absent: UNet2DModel's defaults);
// `attention_widths`: the channels of every attention block.
void read_time_and_attention(const Json& c, const std::string& source, const std::vector<int>& attention_widths,
                             ModelConfig& m) {
  m.time_flip_sin_to_cos = c.value("flip_sin_to_cos", true);
  m.time_freq_shift = c.value("freq_shift", 0.0);
  m.norm_eps = c.value("norm_eps", 1e-5);
  require(m.norm_eps > 0, "{}: norm_eps = {} must be positive", source, m.norm_eps);
  const std::string shift = c.value("resnet_time_scale_shift", std::string("default"));
  require(shift == "default" || shift == "scale_shift",
          "{}: resnet_time_scale_shift = {} is not supported (default, scale_shift)", source, shift);
  m.time_scale_shift = shift == "scale_shift";
  const Json head = c.contains("attention_head_dim") ? c.at("attention_head_dim") : Json(8);
  m.attn_head_dim = head.is_null() ? 0 : head.get<int>();
  require(m.attn_head_dim >= 0, "{}: attention_head_dim = {} must be positive", source, m.attn_head_dim);
  if (c.contains("time_embedding_dim") && !c.at("time_embedding_dim").is_null())
    expect_value(c, "time_embedding_dim", 4 * m.channels, nullptr, source);
  // The middle block's attention norm: diffusers' default is GroupNorm(norm_num_groups) with the
  // default time conditioning and none with scale-shift; ddm computes exactly those two.
  if (c.contains("attn_norm_num_groups") && !c.at("attn_norm_num_groups").is_null())
    require(!m.time_scale_shift && c.at("attn_norm_num_groups") == c.value("norm_num_groups", Json(32)),
            "{}: attn_norm_num_groups = {} is not supported: ddm's middle attention uses norm_num_groups, or no "
            "GroupNorm with resnet_time_scale_shift = scale_shift",
            source, c.at("attn_norm_num_groups").dump());
  for (int w : attention_widths)
    require(m.attn_head_dim == 0 || w % m.attn_head_dim == 0,
            "{}: attention_head_dim = {} does not divide an attention block's {} channels", source, m.attn_head_dim, w);
}

// block_out_channels, block types and sizes -> channels, channel_mult and attn_resolutions;
// returns the channels of every attention block (the middle one's first).
std::vector<int> read_levels(const Json& c, const std::string& source, int64_t resolution, ModelConfig& m) {
  const Json& out = c.at("block_out_channels");
  const Json& down = c.at("down_block_types");
  const Json& up = c.at("up_block_types");
  require(out.is_array() && !out.empty() && down.size() == out.size() && up.size() == out.size(),
          "{}: block_out_channels, down_block_types and up_block_types must have one entry per level", source);
  m.channels = out[0].get<int>();
  const auto sizes = level_sizes(resolution, out.size());
  m.channel_mult.clear();
  m.attn_resolutions.clear();
  std::vector<int> attention_widths{out.back().get<int>()};
  for (size_t i = 0; i < out.size(); ++i) {
    const int ch = out[i].get<int>();
    require(ch % m.channels == 0, "{}: block_out_channels[{}] = {} is not a multiple of {} (ddm's channel_mult)",
            source, i, ch, m.channels);
    m.channel_mult.push_back(ch / m.channels);
    const std::string d = down[i].get<std::string>(), u = up[out.size() - 1 - i].get<std::string>();
    require(d == "DownBlock2D" || d == "AttnDownBlock2D",
            "{}: down_block_types[{}] = {} is not supported (DownBlock2D, AttnDownBlock2D)", source, i, d);
    const bool attn = d == "AttnDownBlock2D";
    require(u == (attn ? "AttnUpBlock2D" : "UpBlock2D"),
            "{}: up_block_types[{}] = {} does not mirror down_block_types[{}] = {}", source, out.size() - 1 - i, u, i,
            d);
    if (attn) {
      m.attn_resolutions.push_back(static_cast<int>(sizes[i]));
      attention_widths.push_back(ch);
    }
  }
  return attention_widths;
}

}  // namespace

ModelConfig model_config_from_unet2d(const Json& c, const std::string& source, std::vector<int64_t>& shape) {
  check_unet2d_options(c, source);
  try {
    const Json& size = c.at("sample_size");
    const int64_t res = size.is_array() ? size.at(0).get<int64_t>() : size.get<int64_t>();
    require(!size.is_array() || (size.size() == 2 && size.at(1) == size.at(0)),
            "{}: sample_size {}: ddm's U-Net takes square images", source, size.dump());
    shape = {c.value("in_channels", int64_t{3}), res, res};
    ModelConfig m;
    m.arch = ModelArch::kUnet;
    read_time_and_attention(c, source, read_levels(c, source, res, m), m);
    m.num_res_blocks = c.value("layers_per_block", 2);
    m.groups = c.value("norm_num_groups", 32);
    m.dropout = c.value("dropout", 0.0);
    const int pad = c.value("downsample_padding", 1);
    require(pad == 0 || pad == 1, "{}: downsample_padding = {} is not supported (0: DDPM's SAME, 1: symmetric)", source,
            pad);
    m.downsample_padding = pad == 0 ? DownsamplePadding::kSame : DownsamplePadding::kSymmetric;
    require(m.channels % m.groups == 0, "{}: norm_num_groups = {} does not divide block_out_channels[0] = {}", source,
            m.groups, m.channels);
    return m;
  } catch (const Json::exception& e) {
    fail("{}: {}", source, json_error(e));
  }
}

}  // namespace ddm
