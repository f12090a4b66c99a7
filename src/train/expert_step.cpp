// The expert objective's training step (see expert_step.h).
#include "train/expert_step.h"

#include "config/config.h"
#include "diffusion/parameterization.h"
#include "models/cuda_speed.h"

namespace ddm {

ExpertStep::ExpertStep(const Config& cfg, const std::vector<int64_t>& sample_shape, torch::Device device)
    : schedule(Schedule::from_config(cfg.diffusion)),
      prediction(cfg.diffusion.prediction),
      t_min(cfg.diffusion.t_min),
      t_max(schedule.t_max()),
      train_(cfg.train),
      device_(device),
      autocast_(device.is_cuda() && cfg.train.bf16),
      channels_last_(device.is_cuda() && cfg.train.channels_last && sample_shape.size() == 3) {
  // The same seed gives the same initial weights, whatever the device.
  torch::manual_seed(cfg.train.seed);
  net = make_network(cfg.model, sample_shape);
  ema_net = make_network(cfg.model, sample_shape);
  net->to(device);
  ema_net->to(device);
  if (channels_last_) {
    to_channels_last(*net);
    to_channels_last(*ema_net);
  }
  ema_ = std::make_unique<Ema>(ema_net, cfg.train.ema_decay);
  ema_->reset(*net);
  opt_ = std::make_unique<Optimizer>(net->named_parameters(), cfg.train);
  net->train();
}

StepStats ExpertStep::step(const torch::Tensor& x0_in, int64_t step) {
  torch::Tensor x0 = channels_last_ ? x0_in.contiguous(torch::MemoryFormat::ChannelsLast) : x0_in;
  const int64_t b = x0.size(0);
  const auto opts = x0.options();
  const torch::Tensor t = torch::rand({b}, opts) * (t_max - t_min) + t_min;
  const torch::Tensor eps = torch::randn_like(x0);
  const torch::Tensor a = as_column(schedule.alpha(t), x0.dim()), s = as_column(schedule.sigma(t), x0.dim());
  const torch::Tensor xt = a * x0 + s * eps;
  torch::Tensor out;
  {
    AutocastScope autocast(autocast_);
    out = net->forward(xt, t);
  }
  const torch::Tensor loss = torch::mse_loss(out.to(torch::kFloat32), prediction_target(prediction, x0, eps, a, s));
  opt_->zero_grad();
  loss.backward();
  StepStats st;
  st.loss = loss.detach();
  st.grad_norm = opt_->clip_grad_norm();
  // A non-finite loss or gradient must not reach the weights: the caller stops on it.
  if (!std::isfinite(st.grad_norm)) return st;
  opt_->step(learning_rate(train_, step));
  if (train_.ema_decay > 0) ema_->update(*net, step);
  else ema_->reset(*net);
  return st;
}

void ExpertStep::save(Checkpoint& ckpt) const {
  ckpt.put_module("model.", *net);
  ckpt.put_module("ema.", *ema_net);
  opt_->save(ckpt, "opt.");
}

void ExpertStep::load(const Checkpoint& ckpt) {
  ckpt.load_module("model.", *net);
  ckpt.load_module("ema.", *ema_net);
  opt_->load(ckpt, "opt.");
}

}  // namespace ddm
