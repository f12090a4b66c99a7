// The feature classifier (see classifier.h).
#include "eval/classifier.h"

#include "models/checkpoint.h"
#include "util/error.h"

namespace ddm {

Classifier::Classifier(int64_t channels, int64_t classes) {
  c1_ = register_module("c1", std::make_shared<nn::Conv2d>(channels, 32, 3));
  c2_ = register_module("c2", std::make_shared<nn::Conv2d>(32, 64, 3, 2, 1));
  c3_ = register_module("c3", std::make_shared<nn::Conv2d>(64, 128, 3, 2, 1));
  c4_ = register_module("c4", std::make_shared<nn::Conv2d>(128, kFeatures, 3));
  head_ = register_module("head", std::make_shared<nn::Linear>(kFeatures, classes));
}

torch::Tensor Classifier::features(const torch::Tensor& x) {
  torch::Tensor h = torch::silu(c1_->forward(x));
  h = torch::silu(c2_->forward(h));
  h = torch::silu(c3_->forward(h));
  h = torch::silu(c4_->forward(h));
  return h.mean({2, 3});
}

torch::Tensor Classifier::forward(const torch::Tensor& x) { return head_->forward(features(x)); }

torch::Tensor Classifier::logits(const torch::Tensor& features) { return head_->forward(features); }

ClassReport class_report(Classifier& net, const torch::Tensor& features) {
  torch::NoGradGuard no_grad;
  const torch::Tensor p =
      torch::softmax(net.logits(features.to(net.parameters()[0].device(), torch::kFloat32)), 1).cpu();
  const int64_t classes = p.size(1);
  const torch::Tensor counts =
      torch::bincount(p.argmax(1), {}, classes).to(torch::kFloat64) / static_cast<double>(p.size(0));
  ClassReport r;
  for (int64_t c = 0; c < classes; ++c) r.share.push_back(counts[c].item<double>());
  r.mean_confidence = std::get<0>(p.max(1)).to(torch::kFloat64).mean().item<double>();
  return r;
}

double ClassReport::tv_from(const std::vector<double>& proportions) const {
  require(proportions.size() == share.size(), "class report: {} classes, {} proportions", share.size(),
          proportions.size());
  double tv = 0;
  for (size_t c = 0; c < share.size(); ++c) tv += std::fabs(share[c] - proportions[c]);
  return tv / 2;
}

torch::Tensor classifier_features(Classifier& net, const torch::Tensor& images, torch::Device device, int64_t batch) {
  torch::NoGradGuard no_grad;
  net.eval();
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < images.size(0); i += batch)
    out.push_back(
        net.features(images.slice(0, i, i + batch).to(device, torch::kFloat32)).to(torch::kCPU, torch::kFloat64));
  return torch::cat(out);
}

std::shared_ptr<Classifier> make_classifier(const Dataset& data) {
  require(data.is_image(), "classifier features need image data, {} is not", data.name);
  require(data.has_labels(), "classifier features need a labelled data set to train on; {} has no labels", data.name);
  return std::make_shared<Classifier>(data.sample_shape()[0], data.num_classes());
}

TrainedClassifier load_classifier(const std::string& path, const Dataset& data, torch::Device device) {
  TrainedClassifier tc;
  tc.path = path;
  tc.net = make_classifier(data);
  const Checkpoint ckpt = load_checkpoint(path);
  const Json& m = ckpt.meta.value("classifier", Json::object());
  require(m.value("dataset", "") == data.name, "{}: a classifier for another data set; delete it to retrain", path);
  ckpt.load_module("net.", *tc.net);
  tc.heldout_accuracy = m.at("heldout_accuracy").get<double>();
  tc.net->to(device);
  return tc;
}

}  // namespace ddm
