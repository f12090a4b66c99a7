// What `ddm fid` compares: image sets (a samples .npz as `ddm sample` writes it, or a folder of
// PNG/JPEG images), statistics files (mu, sigma), and the feature extractors that turn images
// into the features whose Frechet distance is taken (design.md section 7).
#pragma once
#include <torch/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dist/process_group.h"
#include "eval/classifier.h"
#include "eval/frechet.h"

namespace ddm {

// Images in model space [N, C, H, W] from a samples .npz or an image folder. All images must share
// size and channel count; an alpha channel is dropped.
torch::Tensor read_image_set(const std::string& input, int64_t max_bytes);
// Whether `input` is a statistics .npz (mu, sigma) rather than images.
bool is_stats_file(const std::string& input, int64_t max_bytes);

// One feature extractor: what the distance is called and how an input's images become features.
struct FeatureExtractor {
  std::string metric;
  std::function<torch::Tensor(const std::string& input, const torch::Tensor& images)> extract;
};
// pytorch-fid's InceptionV3 from its weights file: the distance is FID.
FeatureExtractor inception_extractor(const std::string& weights, torch::Device device);
// A feature classifier trained on the data set's labels: a classifier-feature FD, not FID.
FeatureExtractor classifier_extractor(std::shared_ptr<const TrainedClassifier> clf,
                                      const std::vector<int64_t>& sample_shape, torch::Device device);

// The feature statistics of `images`, the ranks sharing them by whole batches.
FeatureStats image_stats(const std::string& input, const torch::Tensor& images, const FeatureExtractor& features,
                         const Dist& dist, int64_t batch);

}  // namespace ddm
