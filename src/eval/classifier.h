// A small CNN classifier on the data set's labels whose penultimate (128-d) features stand in for
// InceptionV3 when its weights are absent: `ddm fid --features classifier`. The distance it gives
// is a Frechet distance on these features, not FID, and is labelled so.
// Fitting one is eval/classifier_trainer.h.
#pragma once
#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

#include "config/enums.h"
#include "data/dataset.h"
#include "models/layers.h"

namespace ddm {

class Classifier : public torch::nn::Module {
 public:
  Classifier(int64_t channels, int64_t classes);
  torch::Tensor features(const torch::Tensor& x);       // [B, 128]
  torch::Tensor forward(const torch::Tensor& x);        // logits [B, classes]
  torch::Tensor logits(const torch::Tensor& features);  // the head alone: [B, 128] -> [B, classes]
  static constexpr int64_t kFeatures = 128;

 private:
  std::shared_ptr<nn::Conv2d> c1_, c2_, c3_, c4_;
  std::shared_ptr<nn::Linear> head_;
};

struct TrainedClassifier {
  std::shared_ptr<Classifier> net;
  double heldout_accuracy = 0;
  std::string path;
};

// An untrained classifier for `data` (image data with labels; it fails naming the data set
// otherwise), initialised from the global generator.
std::shared_ptr<Classifier> make_classifier(const Dataset& data);
// Reads a classifier saved by eval/classifier_trainer.h onto `device`; fails when it was trained on
// another data set. Loading needs no training code, so evaluation links the trainer only to fit one.
TrainedClassifier load_classifier(const std::string& path, const Dataset& data, torch::Device device);
// Features of images in model space [N, C, H, W], in batches.
torch::Tensor classifier_features(Classifier& net, const torch::Tensor& images, torch::Device device,
                                  int64_t batch = 500);

// What the classifier says of a set of generated images (the routing check of `ddm evaluate`): the
// share of samples it puts in each class and its mean confidence (max softmax probability).
struct ClassReport {
  std::vector<double> share;  // per class, sums to 1
  double mean_confidence = 0;
  // Total variation distance between `share` and the given class proportions.
  double tv_from(const std::vector<double>& proportions) const;
};
ClassReport class_report(Classifier& net, const torch::Tensor& features);

}  // namespace ddm
