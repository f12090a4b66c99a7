// Grid assembly (see grid.h).
#include "data/grid.h"

#include <torch/types.h>

#include <cmath>

#include "data/dataset.h"
#include "util/error.h"

namespace ddm {
namespace {
torch::Tensor as_uint8(const torch::Tensor& x) { return x.scalar_type() == torch::kUInt8 ? x : to_uint8(x); }
}  // namespace

Image tensor_to_image(const torch::Tensor& image) {
  require(image.dim() == 3, "tensor_to_image: expected [C, H, W]");
  const torch::Tensor hwc = as_uint8(image.cpu()).permute({1, 2, 0}).contiguous();
  Image img;
  img.channels = static_cast<int>(hwc.size(2));
  img.height = static_cast<int>(hwc.size(0));
  img.width = static_cast<int>(hwc.size(1));
  img.pixels.assign(hwc.data_ptr<uint8_t>(), hwc.data_ptr<uint8_t>() + hwc.numel());
  return img;
}

Image make_grid(const torch::Tensor& images, int nrow, int padding) {
  require(images.dim() == 4 && images.size(0) > 0, "make_grid: expected a non-empty [N, C, H, W] batch");
  const torch::Tensor x = as_uint8(images.detach().cpu());
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t cols = nrow > 0 ? nrow : static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(n))));
  const int64_t rows = (n + cols - 1) / cols;
  torch::Tensor grid = torch::zeros({c, rows * (h + padding) + padding, cols * (w + padding) + padding}, torch::kUInt8);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t r = i / cols, q = i % cols;
    grid.slice(1, padding + r * (h + padding), padding + r * (h + padding) + h)
        .slice(2, padding + q * (w + padding), padding + q * (w + padding) + w)
        .copy_(x[i]);
  }
  return tensor_to_image(grid);
}

void save_grid(const std::string& path, const torch::Tensor& images, int nrow) {
  write_png(path, make_grid(images, nrow));
}

}  // namespace ddm
