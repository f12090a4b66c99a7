// The project's choices, as enums with their command-line/YAML names. They live in the lowest
// layer so that configs can name them; each is used by the module named in its comment.
#pragma once
#include "config/enum_names.h"

namespace ddm {

// data/: which loader reads data.path.
enum class DatasetKind { kFashionMnist, kMnist, kCifar10, kImageFolder, kToy2d };
enum class Split { kTrain, kTest };
enum class ToyShape { kGaussians, kRings };
// data/shards: how `ddm prepare` partitions the data into K shards.
enum class ShardMethod { kLabel, kKmeans, kRandom };
// Where tensors live. auto = CUDA when LibTorch can use it, else CPU.
enum class DeviceKind { kAuto, kCpu, kCuda };

}  // namespace ddm

DDM_ENUM_NAMES(ddm::DatasetKind, {ddm::DatasetKind::kFashionMnist, "fashion-mnist"},
               {ddm::DatasetKind::kMnist, "mnist"}, {ddm::DatasetKind::kCifar10, "cifar10"},
               {ddm::DatasetKind::kImageFolder, "image-folder"}, {ddm::DatasetKind::kToy2d, "toy2d"});
DDM_ENUM_NAMES(ddm::Split, {ddm::Split::kTrain, "train"}, {ddm::Split::kTest, "test"});
DDM_ENUM_NAMES(ddm::ToyShape, {ddm::ToyShape::kGaussians, "gaussians"}, {ddm::ToyShape::kRings, "rings"});
DDM_ENUM_NAMES(ddm::ShardMethod, {ddm::ShardMethod::kLabel, "label"}, {ddm::ShardMethod::kKmeans, "kmeans"},
               {ddm::ShardMethod::kRandom, "random"});
DDM_ENUM_NAMES(ddm::DeviceKind, {ddm::DeviceKind::kAuto, "auto"}, {ddm::DeviceKind::kCpu, "cpu"},
               {ddm::DeviceKind::kCuda, "cuda"});
