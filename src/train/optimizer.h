// The optimiser of every ddm training loop: LibTorch's torch::optim::Adam or AdamW (decoupled
// weight decay), DDPM's learning-rate warm-up set through its param group, and
// torch::nn::utils::clip_grad_norm_. Its state (step, exp_avg, exp_avg_sq per parameter) goes
// into ddm's checkpoints under the parameter's name, so a resumed run continues bit for bit.
#pragma once
#include <torch/optim/optimizer.h>
#include <torch/ordered_dict.h>
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "config/train_config.h"
#include "models/checkpoint.h"

namespace ddm {

class Optimizer {
 public:
  // `params`: a module's named_parameters(); the names key the state in checkpoints.
  Optimizer(const torch::OrderedDict<std::string, torch::Tensor>& params, const TrainConfig& cfg);
  // Clips the gradients' global L2 norm to cfg.grad_clip (0: no clipping); returns the norm
  // before clipping (non-finite when a gradient is).
  double clip_grad_norm();
  // One update with learning rate `lr` from the parameters' .grad().
  void step(double lr);
  void zero_grad() { opt_->zero_grad(); }

  // "<prefix><parameter>.step|exp_avg|exp_avg_sq" for every parameter that has state.
  void save(Checkpoint& ckpt, const std::string& prefix) const;
  // Also reads the state of ddm's own Adam from before torch::optim ("<prefix>step",
  // "<prefix>m.<i>", "<prefix>v.<i>" in parameter order): the same three quantities.
  void load(const Checkpoint& ckpt, const std::string& prefix);

 private:
  std::vector<std::string> names_;
  std::vector<torch::Tensor> params_;
  OptimizerKind kind_;
  double grad_clip_;
  std::unique_ptr<torch::optim::Optimizer> opt_;
};

// Linear warm-up from 0 to lr over `warmup` steps, then `schedule` from lr down to 0 at step
// `total` (constant: lr throughout). `step` counts from 0.
double scheduled_lr(double lr, int64_t warmup, LrSchedule schedule, int64_t step, int64_t total);

// Linear warm-up from 0 to cfg.lr over cfg.warmup steps, then constant (DDPM). `step` counts
// from 0.
double learning_rate(const TrainConfig& cfg, int64_t step);

}  // namespace ddm
