// The expert objective's training step (see expert_step.h).
#include "train/expert_step.h"

#include "diffusion/parameterization.h"
#include "models/speed_settings.h"

namespace ddm {

ExpertStep::ExpertStep(const ModelConfig& model, const DiffusionConfig& diffusion, const TrainConfig& train,
                       const std::vector<int64_t>& sample_shape, torch::Device device, Dist dist)
    : schedule(Schedule::from_config(diffusion)),
      prediction(diffusion.prediction),
      t_min(diffusion.t_min),
      t_max(schedule.t_max()),
      train_(train),
      device_(device),
      autocast_(use_bf16(train.bf16, device, "train.bf16")),
      channels_last_(device.is_cuda() && train.channels_last && sample_shape.size() == 3),
      dist_(std::move(dist)) {
  // The same seed gives the same initial weights, whatever the device.
  torch::manual_seed(train.seed);
  net = make_network(model, sample_shape);
  ema_net = make_network(model, sample_shape);
  net->to(device);
  ema_net->to(device);
  if (channels_last_) {
    to_channels_last(*net);
    to_channels_last(*ema_net);
  }
  broadcast_tensors(dist_, net->parameters());
  broadcast_tensors(dist_, net->buffers());
  ema_ = std::make_unique<Ema>(ema_net, train.ema_decay);
  ema_->reset(*net);
  opt_ = std::make_unique<Optimizer>(net->named_parameters(), train);
  sync_ = std::make_unique<GradientSync>(dist_, net->parameters());
  net->train();
}

StepStats ExpertStep::step(const torch::Tensor& x0_in, int64_t step) {
  torch::Tensor x0 = channels_last_ ? x0_in.contiguous(torch::MemoryFormat::ChannelsLast) : x0_in;
  // The global batch's t and eps, from the generator every rank shares; this rank's rows.
  const int64_t b = x0.size(0), w = dist_.world();
  const BatchShare share = batch_share(b * w, dist_, "train.batch_size");
  const auto opts = x0.options();
  const torch::Tensor t = share.take(torch::rand({b * w}, opts) * (t_max - t_min) + t_min);
  std::vector<int64_t> shape = x0.sizes().vec();
  shape[0] = b * w;
  const torch::Tensor eps = share.take(torch::randn(shape, opts));
  const torch::Tensor a = as_column(schedule.alpha(t), x0.dim()), s = as_column(schedule.sigma(t), x0.dim());
  const torch::Tensor xt = a * x0 + s * eps;
  torch::Tensor out;
  {
    const AutocastScope autocast(autocast_, device_);
    out = net->forward(xt, schedule.network_time(t));
  }
  const torch::Tensor loss = torch::mse_loss(out.to(torch::kFloat32), prediction_target(prediction, x0, eps, a, s));
  opt_->zero_grad();
  loss.backward();
  StepStats st;
  st.loss = sync_->average(loss.detach().reshape({1})).reshape({});
  st.grad_norm = opt_->clip_grad_norm();
  // A non-finite loss or gradient must not reach the weights: the caller stops on it.
  if (!std::isfinite(st.grad_norm)) return st;
  opt_->step(learning_rate(train_, step));
  if (train_.ema_decay > 0)
    ema_->update(*net, step);
  else
    ema_->reset(*net);
  return st;
}

std::vector<torch::Tensor> ExpertStep::state_tensors() const {
  std::vector<torch::Tensor> all = net->parameters();
  for (const auto& p : ema_net->parameters()) all.push_back(p);
  return all;
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
