// Network-level comparisons of two ways of running one sampling model (bf16 against fp32,
// channels-last against NCHW, CUDA against CPU). A fresh DDPM U-Net predicts exactly 0 (conv_out
// and the last layer of every residual branch start at zero), and final samples of tiny untrained
// networks are mostly clamped to +-1, so comparing either would compare little: every expert
// parameter here is moved off its initial value first, and the comparison is of the experts' and
// the router's outputs at fixed inputs, relative to their size. The bounds live here so that the
// CPU stand-in of each comparison (unit.SamplingComparison: the same outputs with one layer 5% off)
// shows that they catch a wrong layer.
#pragma once
#include <torch/torch.h>

#include <string>

#include "models/speed_settings.h"
#include "router/router.h"
#include "sample/sampler.h"

namespace ddm::test {

// fp32 on another device or layout: TF32 convolutions on CUDA round at ~1e-3 relative (the same
// model on the CPU, NCHW against channels-last, differs by 0).
inline constexpr double kFp32MaxRelative = 1e-2;
// bf16 autocast (8-bit mantissa) with channels-last weights: a rounding of every layer, 1.3e-2
// mean relative on the CPU (2026-12-07); a layer 5% off is 5e-2.
inline constexpr double kBf16MeanRelative = 2.5e-2;

// Adds N(0, std^2) to every parameter of every expert (seeded): GroupNorm scales stay near 1, the
// zero-initialised layers become small and random, and every layer shapes the output.
inline void randomize_experts(SamplingModel& m, double std = 0.05, uint64_t seed = 7) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  for (auto& e : m.experts)
    for (auto& p : e.net->parameters()) p.add_(torch::randn_like(p) * std);
}

// Every expert's network output (and the router's logits, when there is a router) at `x`, `t`
// on `device`, under bf16 autocast when `bf16`, as one float32 CPU tensor: the network level.
inline torch::Tensor network_outputs(const SamplingModel& m, const torch::Tensor& x, const torch::Tensor& t,
                                     torch::Device device, bool bf16) {
  torch::NoGradGuard no_grad;
  const AutocastScope autocast(bf16, device);
  const torch::Tensor xd = x.to(device), td = t.to(device);
  std::vector<torch::Tensor> out;
  for (const auto& e : m.experts) out.push_back(e.net->forward(xd, td).to(torch::kFloat32).cpu().flatten());
  if (m.router)
    for (const auto& n : m.router->nets) out.push_back(n->forward(xd, td).logits.to(torch::kFloat32).cpu().flatten());
  return torch::cat(out);
}

// max |other - reference| / max |reference|.
inline double max_relative(const torch::Tensor& reference, const torch::Tensor& other) {
  return ((other.to(torch::kFloat32) - reference).abs().max() / reference.abs().max()).item<double>();
}

// mean |other - reference| / mean |reference|.
inline double mean_relative(const torch::Tensor& reference, const torch::Tensor& other) {
  return ((other.to(torch::kFloat32) - reference).abs().mean() / reference.abs().mean()).item<double>();
}

// The kind of bug a comparison must catch: one layer of the architecture computing `relative` off
// its scale, in every expert (as a bug in that layer's code would).
inline void perturb_one_layer(SamplingModel& m, const std::string& name = "conv_out.weight", double relative = 0.05) {
  torch::NoGradGuard no_grad;
  for (auto& e : m.experts)
    for (auto& p : e.net->named_parameters())
      if (p.key() == name) p.value().mul_(1 + relative);
}

}  // namespace ddm::test
