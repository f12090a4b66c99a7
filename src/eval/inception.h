// pytorch-fid's InceptionV3 for FID (design.md section 7), in LibTorch: torchvision's Inception3
// with the FID-specific blocks of the TensorFlow graph (FIDInceptionA/C/E_1/E_2: average pools
// that exclude padding, a max pool in the last block), cut after the final average pool. Input:
// images in [-1, 1] (ddm's model space), any size, 1 or 3 channels; they are resized bilinearly
// to 299 x 299 (align_corners = false) as pytorch-fid does. Output: 2048-d pool features.
// Parameter and buffer names are pytorch-fid's state_dict keys ("Mixed_5b.branch1x1.conv.weight",
// "...bn.running_var"), so its weights file loads by name.
#pragma once
#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

namespace ddm {

class InceptionV3 : public torch::nn::Module {
 public:
  InceptionV3();
  // x: [B, 1 or 3, H, W] in [-1, 1] -> [B, 2048].
  torch::Tensor features(const torch::Tensor& x);
  static constexpr int64_t kFeatures = 2048;
  static constexpr int64_t kResolution = 299;

 private:
  std::vector<std::shared_ptr<torch::nn::Module>> stem_;   // Conv2d_1a .. Conv2d_4a
  std::vector<std::shared_ptr<torch::nn::Module>> mixed_;  // Mixed_5b .. Mixed_7c
};

// The weights file that makes the features FID's: pytorch-fid's release asset
// pt_inception-2015-12-05-6726825d.pth (github.com/mseitzer/pytorch-fid/releases, v0.1.0), ported
// from TensorFlow's 2015-12-05 Inception graph.
inline constexpr const char* kInceptionWeightsName = "pt_inception-2015-12-05-6726825d.pth";

// Loads weights by name from a .pth that LibTorch can read (torch.save's zip format) or from the
// .npz that scripts/convert_inception_weights.py writes. Fails naming the file, and the key,
// when a tensor is missing or has another shape; keys the network does not use (fc.*) are ignored.
void load_inception_weights(InceptionV3& net, const std::string& path);

// Pool features of images in model space [N, 1 or 3, H, W], in batches on `device`, as float64 on
// the CPU, with a progress bar when `progress`.
torch::Tensor inception_features(InceptionV3& net, const torch::Tensor& images, torch::Device device,
                                 int64_t batch = 50, bool progress = true);

}  // namespace ddm
