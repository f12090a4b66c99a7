// Loading data sets by config, and the uint8 <-> [-1, 1] mapping.
#include "data/dataset.h"

#include <torch/types.h>

#include "data/cifar.h"
#include "data/idx.h"
#include "data/image_folder.h"
#include "data/toy.h"
#include "util/error.h"

namespace ddm {

int Dataset::num_classes() const {
  return has_labels() && size() > 0 ? static_cast<int>(labels.max().item<int64_t>()) + 1 : 0;
}

std::vector<int64_t> Dataset::sample_shape() const {
  const auto s = data.sizes();
  return std::vector<int64_t>(s.begin() + 1, s.end());
}

torch::Tensor Dataset::batch(const torch::Tensor& indices) const {
  const torch::Tensor x = data.index_select(0, indices.to(torch::kLong));
  return is_image() ? to_model_space(x) : x;
}

torch::Tensor Dataset::all() const { return is_image() ? to_model_space(data) : data; }

Dataset Dataset::subset(const torch::Tensor& indices) const {
  Dataset d = *this;
  const torch::Tensor idx = indices.to(torch::kLong);
  d.data = data.index_select(0, idx);
  if (has_labels()) d.labels = labels.index_select(0, idx);
  return d;
}

torch::Tensor to_model_space(const torch::Tensor& u8) { return u8.to(torch::kFloat32).div(127.5).sub(1.0); }

torch::Tensor to_uint8(const torch::Tensor& x) {
  return x.detach().to(torch::kFloat32).add(1.0).mul(127.5).round().clamp(0, 255).to(torch::kUInt8);
}

Dataset dataset_from_raw(RawData&& raw, std::string name) {
  Dataset d;
  d.name = std::move(name);
  std::vector<int64_t> shape{raw.n};
  shape.insert(shape.end(), raw.sample_shape.begin(), raw.sample_shape.end());
  if (raw.is_image()) {
    auto* buf = new std::vector<uint8_t>(std::move(raw.pixels));
    d.data = torch::from_blob(
        buf->data(), shape, [buf](void*) { delete buf; }, torch::kUInt8);
  } else {
    auto* buf = new std::vector<float>(std::move(raw.points));
    d.data = torch::from_blob(
        buf->data(), shape, [buf](void*) { delete buf; }, torch::kFloat32);
  }
  if (!raw.labels.empty()) d.labels = torch::tensor(raw.labels, torch::kLong);
  d.class_names = std::move(raw.class_names);
  return d;
}

Dataset load_dataset(const DataConfig& cfg) {
  const bool train = cfg.split == Split::kTrain;
  RawData raw;
  switch (cfg.dataset) {
    case DatasetKind::kFashionMnist:
    case DatasetKind::kMnist: {
      const std::string prefix = train ? "train" : "t10k";
      raw = read_idx(find_idx_file(cfg.path, prefix + "-images-idx3-ubyte"),
                     find_idx_file(cfg.path, prefix + "-labels-idx1-ubyte"), cfg.max_bytes);
      if (cfg.dataset == DatasetKind::kFashionMnist)
        raw.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                           "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
      else
        for (int i = 0; i < 10; ++i) raw.class_names.push_back(std::to_string(i));
      break;
    }
    case DatasetKind::kCifar10:
      raw = read_cifar10(cfg.path, train);
      break;
    case DatasetKind::kImageFolder: {
      ImageFolderOptions opt;
      opt.dir = cfg.path;
      opt.resolution = cfg.resolution;
      opt.channels = cfg.channels;
      opt.labels = cfg.labels;
      opt.attribute = cfg.attribute;
      opt.limit = cfg.limit;
      opt.max_bytes = cfg.max_bytes;
      raw = read_image_folder(opt);
      break;
    }
    case DatasetKind::kToy2d: {
      ToyOptions opt;
      opt.shape = cfg.toy_shape;
      opt.components = cfg.toy_components;
      opt.samples = cfg.toy_samples;
      opt.radius = cfg.toy_radius;
      opt.std = cfg.toy_std;
      opt.seed = static_cast<uint64_t>(cfg.toy_seed);
      raw = make_toy2d(opt);
      break;
    }
  }
  Dataset d = dataset_from_raw(
      std::move(raw),
      format("{}/{}", to_string(cfg.dataset), cfg.dataset == DatasetKind::kToy2d ? "generated" : to_string(cfg.split)));
  if (cfg.limit > 0 && d.size() > cfg.limit) d = d.subset(torch::arange(cfg.limit));
  if (cfg.pad > 0) {
    require(d.is_image(), "data.pad applies to images, not to {}", d.name);
    d.data = torch::constant_pad_nd(d.data, {cfg.pad, cfg.pad, cfg.pad, cfg.pad}, 0);
  }
  return d;
}

}  // namespace ddm
