// The `data` section of the run configuration: which data set, and how it is read.
// Included alone by code that needs only this section: a change to another section's fields
// does not rebuild it.
#pragma once
#include <cstdint>
#include <string>

#include "config/field.h"
#include "util/byte_limit.h"

namespace ddm {

#define DDM_DATA_FIELDS(X)                                                                                           \
  X(DatasetKind, dataset, DatasetKind::kFashionMnist, kAny, "data set kind")                                         \
  X(std::string, path, "/usr/share/datasets/fashion-mnist", kAny,                                                    \
    "folder holding the data set files (IDX, CIFAR-10 .bin, or images)")                                             \
  X(Split, split, Split::kTrain, kAny, "which split to read (IDX and CIFAR-10)")                                     \
  X(int, resolution, 0, (Range{0, 4096}), "image-folder: resize and centre-crop to this size")                       \
  X(int, channels, 3, (Range{1, 3}), "image-folder: 1 (grey) or 3 (RGB)")                                            \
  X(int, pad, 0, (Range{0, 64}), "zero pixels added on each side (2 turns 28x28 into 32x32)")                        \
  X(int64_t, limit, 0, kNonNegative, "use only the first N examples (0: all)")                                       \
  X(std::string, labels, "", kAny, "image-folder: label file ('<file> <label>' lines, or CelebA's attribute table)") \
  X(std::string, attribute, "", kAny, "image-folder: attribute column used as a 0/1 label")                          \
  X(ToyShape, toy_shape, ToyShape::kGaussians, kAny, "toy2d: K Gaussians on a circle, or K rings")                   \
  X(int, toy_components, 8, (Range{1, 1000}), "toy2d: number of mixture components K")                               \
  X(int64_t, toy_samples, 4000, (Range{1, 1e8}), "toy2d: number of points")                                          \
  X(double, toy_radius, 1.0, kPositive, "toy2d: circle radius (Gaussians) or outer ring radius")                     \
  X(double, toy_std, 0.05, kPositive, "toy2d: standard deviation of each component")                                 \
  X(int64_t, toy_seed, 0, kNonNegative, "toy2d: seed of the point sampler")                                          \
  X(int64_t, max_bytes, kDefaultMaxBytes, kPositive,                                                                 \
    "largest size one file may declare (gzip IDX, image, .npz member); larger claims are refused")

struct DataConfig {
  DDM_DATA_FIELDS(DDM_DECLARE_FIELD)
};

}  // namespace ddm
