// Fitting the feature classifier (see classifier_trainer.h).
#include "eval/classifier_trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include "dist/data_parallel.h"
#include "models/checkpoint.h"
#include "models/speed_settings.h"
#include "train/optimizer.h"
#include "util/fs.h"
#include "util/log.h"

namespace ddm {
namespace {

// `steps` Adam steps of cross-entropy on 90% of `data` (batches of 128, 100 warm-up steps);
// returns the accuracy on the 10% held out.
double fit_classifier(Classifier& net, const Dataset& data, int64_t steps, uint64_t seed, torch::Device device,
                      const Dist& dist) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const torch::Tensor perm = torch::randperm(data.size(), gen, torch::kInt64);
  const int64_t n_hold = std::max<int64_t>(1, data.size() / 10);
  const torch::Tensor hold = perm.slice(0, 0, n_hold), train = perm.slice(0, n_hold);
  TrainConfig cfg;
  cfg.lr = 2e-3;
  Optimizer opt(net.named_parameters(), cfg);
  broadcast_tensors(dist, net.parameters());
  GradientSync sync(dist, net.parameters());
  const BatchShare share = batch_share(128, dist, "the classifier's batch");
  net.train();
  log::info("training the feature classifier on {} ({} classes, {} steps)", data.name, data.num_classes(), steps);
  for (int64_t s = 0; s < steps; ++s) {
    const torch::Tensor idx =
        share.take(train.index_select(0, torch::randint(train.size(0), {128}, gen, torch::kInt64)));
    torch::Tensor logits;
    {
      const AutocastScope autocast(use_bf16(cfg.bf16, device, "the classifier's bf16"), device);  // auto: CUDA only
      logits = net.forward(data.batch(idx).to(device)).to(torch::kFloat32);
    }
    const torch::Tensor loss =
        torch::nll_loss(torch::log_softmax(logits, 1), data.labels.index_select(0, idx).to(device));
    opt.zero_grad();
    loss.backward();
    sync.average(loss.detach().reshape({1}));
    opt.step(cfg.lr * std::min(1.0, (s + 1) / 100.0));
  }
  torch::NoGradGuard no_grad;
  net.eval();
  const torch::Tensor pred = net.forward(data.batch(hold).to(device)).argmax(1).cpu();
  return (pred == data.labels.index_select(0, hold)).to(torch::kFloat64).mean().item<double>();
}

}  // namespace

TrainedClassifier load_or_train_classifier(const std::string& dir, const Dataset& data, int64_t steps, uint64_t seed,
                                           torch::Device device, const Dist& dist) {
  const std::string path = path_join(dir, "classifier.ddm");
  torch::manual_seed(static_cast<int64_t>(seed));
  if (dist.broadcast_value(dist.is_main() && path_exists(path) ? 1 : 0)) return load_classifier(path, data, device);
  TrainedClassifier tc;
  tc.path = path;
  tc.net = make_classifier(data);
  tc.net->to(device);
  tc.heldout_accuracy = fit_classifier(*tc.net, data, steps, seed, device, dist);
  if (!dist.is_main()) return tc;
  Checkpoint ckpt;
  ckpt.meta["classifier"]["dataset"] = data.name;
  ckpt.meta["classifier"]["classes"] = data.num_classes();
  ckpt.meta["classifier"]["steps"] = steps;
  ckpt.meta["classifier"]["heldout_accuracy"] = tc.heldout_accuracy;
  ckpt.put_module("net.", *tc.net);
  save_checkpoint(path, ckpt);
  log::info("feature classifier: held-out accuracy {:.4f}, saved to {}", tc.heldout_accuracy, path);
  return tc;
}

}  // namespace ddm
