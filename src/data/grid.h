// Image grids for previews and sample sheets: a batch of model-space images becomes one PNG.
#pragma once
#include <torch/types.h>

#include <string>

#include "util/image.h"

namespace ddm {

// images: [N, C, H, W], either uint8 or floats in [-1, 1]. `nrow` images per row (0: square).
Image make_grid(const torch::Tensor& images, int nrow = 0, int padding = 2);
void save_grid(const std::string& path, const torch::Tensor& images, int nrow = 0);
// A single image [C, H, W] (uint8 or [-1, 1]) as an Image (HWC).
Image tensor_to_image(const torch::Tensor& image);

}  // namespace ddm
