// A data set in memory as a tensor: uint8 images [N, C, H, W] (mapped to [-1, 1] floats only
// when a batch is taken) or float points [N, D], with int64 labels when the data has them.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

#include "config/data_config.h"
#include "config/enums.h"
#include "data/raw.h"

namespace ddm {

struct Dataset {
  std::string name;      // "fashion-mnist/train"
  torch::Tensor data;    // uint8 [N, C, H, W] or float32 [N, D]
  torch::Tensor labels;  // int64 [N], undefined when unlabelled
  std::vector<std::string> class_names;
  // Read with shards.method=folders: the subfolder names (one party each, in name order) and how
  // many consecutive examples each gave. Empty otherwise.
  std::vector<std::string> parts;
  std::vector<int64_t> part_sizes;

  int64_t size() const { return data.size(0); }
  bool is_image() const { return data.dim() == 4; }
  bool has_labels() const { return labels.defined(); }
  int num_classes() const;                    // max label + 1 (0 when unlabelled)
  std::vector<int64_t> sample_shape() const;  // {C, H, W} or {D}
  // Examples in model space: images as floats in [-1, 1], points as they are.
  torch::Tensor batch(const torch::Tensor& indices) const;
  torch::Tensor all() const;
  Dataset subset(const torch::Tensor& indices) const;
};

// Reads the data set that `cfg` names (and pads it when data.pad > 0).
Dataset load_dataset(const DataConfig& cfg);
// The run's data set: with shards.method=folders the union of data.path's immediate subfolders in
// name order (each read as data.dataset, data.limit applying per folder), else load_dataset(cfg).
// shards.method=counts has no data: asking for it is an error naming the method.
Dataset load_dataset(const DataConfig& cfg, ShardMethod method);
Dataset dataset_from_raw(RawData&& raw, std::string name);

// uint8 [0, 255] <-> model space [-1, 1].
torch::Tensor to_model_space(const torch::Tensor& u8);
torch::Tensor to_uint8(const torch::Tensor& x);

}  // namespace ddm
