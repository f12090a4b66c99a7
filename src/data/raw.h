// Data as read from disk, before torch: uint8 images (N x C x H x W, channel-major like CIFAR-10
// and tensors) or float points, with optional integer labels. The parsers in this module fill it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ddm {

struct RawData {
  int64_t n = 0;
  std::vector<int64_t> sample_shape;  // {C, H, W} for images, {D} for points
  std::vector<uint8_t> pixels;        // images: n * C * H * W
  std::vector<float> points;          // points: n * D
  std::vector<int64_t> labels;        // empty when unlabelled
  std::vector<std::string> class_names;
  bool is_image() const { return sample_shape.size() == 3; }
};

}  // namespace ddm
