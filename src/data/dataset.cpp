// Loading data sets by config, and the uint8 <-> [-1, 1] mapping.
#include "data/dataset.h"

#include <torch/types.h>

#include <algorithm>
#include <filesystem>

#include "data/cifar.h"
#include "data/idx.h"
#include "data/image_folder.h"
#include "data/toy.h"
#include "util/error.h"
#include "util/fs.h"

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

namespace {

// The sorted immediate subfolders of `dir`.
std::vector<std::string> subfolders(const std::string& dir) {
  require(is_directory(dir), "data.path = {}: no such folder (shards.method=folders reads its subfolders)", dir);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_directory()) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  require(!names.empty(), "data.path = {}: shards.method=folders needs one subfolder per party, found none", dir);
  return names;
}

// The parties' data sets one after another; they must agree on shape, type and labelling.
Dataset concatenate_parties(std::vector<Dataset>& parts, const std::vector<std::string>& names,
                            const std::string& dir) {
  Dataset d = parts[0];
  std::vector<torch::Tensor> xs, ys;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Dataset& p = parts[i];
    require(p.size() > 0, "{}: party folder {} holds no examples", dir, names[i]);
    require(p.sample_shape() == d.sample_shape() && p.data.scalar_type() == d.data.scalar_type(),
            "{}: party folder {} has examples of shape {}, {} has {}", dir, names[i],
            torch::IntArrayRef(p.sample_shape()), names[0], torch::IntArrayRef(d.sample_shape()));
    require(p.has_labels() == d.has_labels(), "{}: party folder {} {} labels, {} {}", dir, names[i],
            p.has_labels() ? "has" : "has no", names[0], d.has_labels() ? "has" : "has none");
    xs.push_back(p.data);
    if (p.has_labels()) ys.push_back(p.labels);
    d.part_sizes.push_back(p.size());
  }
  d.data = torch::cat(xs);
  if (d.has_labels()) d.labels = torch::cat(ys);
  d.parts = names;
  d.name = format("{} in {} folders", d.name, names.size());
  return d;
}

}  // namespace

Dataset load_dataset(const DataConfig& cfg, ShardMethod method) {
  require(method != ShardMethod::kCounts,
          "shards.method=counts: this run has no data set (only example counts); the command needs one");
  if (method != ShardMethod::kFolders) return load_dataset(cfg);
  const std::vector<std::string> names = subfolders(cfg.path);
  std::vector<Dataset> parts;
  for (const auto& n : names) {
    DataConfig c = cfg;
    c.path = path_join(cfg.path, n);
    parts.push_back(load_dataset(c));
  }
  return concatenate_parties(parts, names, cfg.path);
}

}  // namespace ddm
