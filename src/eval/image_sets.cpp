// Image sets, statistics files and feature extractors of `ddm fid` (see image_sets.h).
#include "eval/image_sets.h"

#include <algorithm>
#include <filesystem>

#include "dist/batch_split.h"
#include "eval/inception.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/image.h"
#include "util/log.h"
#include "util/npy.h"

namespace ddm {
namespace {

torch::Tensor read_image_folder(const std::string& input, int64_t max_bytes) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(input)) {
    const std::string ext = to_lower(e.path().extension().string());
    if (ext == ".png" || ext == ".jpg" || ext == ".jpeg") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  require(!files.empty(), "{}: no PNG or JPEG images in this folder", input);
  std::vector<torch::Tensor> imgs;
  int w = 0, h = 0, c = 0;
  for (const auto& f : files) {
    const Image im = read_image(f, 0, max_bytes);
    if (imgs.empty()) w = im.width, h = im.height, c = im.channels;
    require(im.width == w && im.height == h, "{}: {}x{} pixels, but {} has {}x{}: images of mixed sizes", f, im.width,
            im.height, files[0], w, h);
    require(im.channels == c, "{}: {} channel(s), but {} has {}: images of mixed channels", f, im.channels, files[0],
            c);
    const torch::Tensor hwc = torch::from_blob(const_cast<uint8_t*>(im.pixels.data()), {h, w, c}, torch::kUInt8);
    imgs.push_back(hwc.permute({2, 0, 1}).slice(0, 0, c == 2 || c == 4 ? c - 1 : c).clone());
  }
  return to_model_space(torch::stack(imgs));
}

}  // namespace

torch::Tensor read_image_set(const std::string& input, int64_t max_bytes) {
  if (is_directory(input)) return read_image_folder(input, max_bytes);
  const auto arrays = read_npz(input, max_bytes);
  require(arrays.count("samples"),
          "{}: no 'samples' array (expected `ddm sample`'s samples.npz, or a statistics file with mu and sigma)",
          input);
  const NpyArray& a = arrays.at("samples");
  require(a.dtype == NpyType::kU8 && a.shape.size() == 4, "{}: 'samples' must be uint8 N x H x W x C images", input);
  const torch::Tensor u8 =
      torch::from_blob(const_cast<uint8_t*>(a.data<uint8_t>()), a.shape, torch::kUInt8).permute({0, 3, 1, 2}).clone();
  return to_model_space(u8);
}

bool is_stats_file(const std::string& input, int64_t max_bytes) {
  if (is_directory(input) || !to_lower(input).ends_with(".npz")) return false;
  const auto arrays = read_npz(input, max_bytes);
  return arrays.count("mu") || arrays.count("sigma");
}

FeatureExtractor inception_extractor(const std::string& weights, torch::Device device) {
  require(!weights.empty(),
          "--features inception needs --inception-weights FILE: pytorch-fid's {} from "
          "https://github.com/mseitzer/pytorch-fid/releases (no weights: --features classifier)",
          kInceptionWeightsName);
  auto net = std::make_shared<InceptionV3>();
  load_inception_weights(*net, weights);
  return {"FID", [net, device](const std::string& input, const torch::Tensor& images) {
            require(images.size(1) == 1 || images.size(1) == 3, "{}: {} channels; Inception takes grey or RGB images",
                    input, images.size(1));
            return inception_features(*net, images, device, 50, log::level() <= log::Level::kInfo);
          }};
}

FeatureExtractor classifier_extractor(std::shared_ptr<const TrainedClassifier> clf, const std::vector<int64_t>& shape,
                                      torch::Device device) {
  const std::string metric =
      format("classifier-feature FD (not FID; classifier held-out accuracy {:.3f})", clf->heldout_accuracy);
  return {metric, [clf, shape, device](const std::string& input, const torch::Tensor& images) {
            require(images.sizes().slice(1) == torch::IntArrayRef(shape),
                    "{}: images of shape {}, the classifier's data set has {}", input, images.sizes().slice(1),
                    torch::IntArrayRef(shape));
            return classifier_features(*clf->net, images, device);
          }};
}

FeatureStats image_stats(const std::string& input, const torch::Tensor& images, const FeatureExtractor& features,
                         const Dist& dist, int64_t batch) {
  std::vector<torch::Tensor> parts;
  split_batches(
      dist, images.size(0), batch,
      [&](int64_t, int64_t first, int64_t count) {
        return features.extract(input, images.slice(0, first, first + count));
      },
      [&](int64_t, const torch::Tensor& f) { parts.push_back(f); });
  return feature_stats(torch::cat(parts));
}

}  // namespace ddm
