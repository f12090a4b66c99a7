// `ddm fid`: Frechet distance between two sets of images (or their statistics files).
// Inputs: a statistics .npz (mu, sigma), a samples .npz (`samples`, uint8 N x H x W x C, as
// `ddm sample` writes), a folder of PNG/JPEG images, or `data` (the config's data set).
// Features: `classifier` (a small CNN trained on the data set's labels, <run>/classifier/;
// the result is a classifier-feature FD, NOT FID). The InceptionV3 features of true FID are not
// ported yet: --features inception fails with that message.
#include <filesystem>
#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "data/dataset.h"
#include "eval/classifier.h"
#include "eval/frechet.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/image.h"
#include "util/log.h"
#include "util/npy.h"

namespace ddm::cli {
namespace {

// Images in model space [N, C, H, W] from a samples .npz or an image folder.
torch::Tensor read_images(const std::string& input, int64_t channels) {
  if (is_directory(input)) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(input)) {
      const std::string ext = to_lower(e.path().extension().string());
      if (ext == ".png" || ext == ".jpg" || ext == ".jpeg") files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    require(!files.empty(), "{}: no PNG or JPEG images in this folder", input);
    std::vector<torch::Tensor> imgs;
    int w = 0, h = 0;
    for (const auto& f : files) {
      const Image im = read_image(f, static_cast<int>(channels));
      if (imgs.empty()) w = im.width, h = im.height;
      require(im.width == w && im.height == h, "{}: {}x{} pixels, but {} has {}x{}: images of mixed sizes", f, im.width, im.height, files[0], w, h);
      imgs.push_back(torch::from_blob(const_cast<uint8_t*>(im.pixels.data()), {h, w, channels}, torch::kUInt8).permute({2, 0, 1}).clone());
    }
    return to_model_space(torch::stack(imgs));
  }
  const auto arrays = read_npz(input);
  require(arrays.count("samples"), "{}: no 'samples' array (expected `ddm sample`'s samples.npz, or a statistics file with mu and sigma)", input);
  const NpyArray& a = arrays.at("samples");
  require(a.dtype == NpyType::kU8 && a.shape.size() == 4, "{}: 'samples' must be uint8 N x H x W x C images", input);
  require(a.shape[3] == channels, "{}: images with {} channel(s), but the data set has {}", input, a.shape[3], channels);
  const torch::Tensor u8 = torch::from_blob(const_cast<uint8_t*>(a.data<uint8_t>()), a.shape, torch::kUInt8).permute({0, 3, 1, 2}).clone();
  return to_model_space(u8);
}

bool is_stats_file(const std::string& input) {
  if (is_directory(input) || !to_lower(input).ends_with(".npz")) return false;
  const auto arrays = read_npz(input);
  return arrays.count("mu") || arrays.count("sigma");
}

}  // namespace

int cmd_fid(const std::vector<std::string>& argv) {
  Args args("fid",
            "Frechet distance between two image sets or statistics files (INPUT: stats .npz, samples .npz, image folder, or "
            "'data'). --features classifier gives a classifier-feature FD, not FID.",
            true, "INPUT [INPUT2]");
  args.add()("features", "classifier (inception: not ported yet)", cxxopts::value<std::string>()->default_value("classifier"))(
      "save-stats", "write the first input's mu and sigma to this .npz", cxxopts::value<std::string>())(
      "classifier-steps", "training steps if the classifier must be trained", cxxopts::value<int64_t>()->default_value("1500"));
  if (!args.parse(argv)) return 0;
  const auto inputs = args.positional();
  if (inputs.empty() || inputs.size() > 2) throw UsageError("fid: give one INPUT (with --save-stats) or two to compare");
  const std::string features = args.get<std::string>("features");
  if (features == "inception")
    fail("--features inception: the pytorch-fid InceptionV3 (weights pt_inception-2015-12-05-6726825d.pth from the pytorch-fid "
         "release page) is not ported to ddm yet; use --features classifier");
  if (features != "classifier") throw UsageError(format("fid: --features {}: valid: classifier, inception", features));
  const Config cfg = args.config();
  const torch::Device device = resolve_device(cfg.run.device);

  std::shared_ptr<TrainedClassifier> clf;
  Dataset data;
  auto stats_of = [&](const std::string& input) {
    if (input != "data" && is_stats_file(input)) return load_stats(input);
    if (!clf) {
      data = load_dataset(cfg.data);
      clf = std::make_shared<TrainedClassifier>(load_or_train_classifier(path_join(cfg.run_dir(), "classifier"), data,
                                                                         args.get<int64_t>("classifier-steps"), 0, device));
    }
    const torch::Tensor images = input == "data" ? data.all() : read_images(input, data.sample_shape()[0]);
    require(images.sizes().slice(1) == torch::IntArrayRef(data.sample_shape()), "{}: images of shape {}, the data set's are {}", input,
            images.sizes().slice(1), torch::IntArrayRef(data.sample_shape()));
    log::info("{}: {} images", input, images.size(0));
    return feature_stats(classifier_features(*clf->net, images, device));
  };
  const FeatureStats a = stats_of(inputs[0]);
  if (args.has("save-stats")) {
    save_stats(args.get<std::string>("save-stats"), a);
    std::cout << format("wrote {} ({}-d features)\n", args.get<std::string>("save-stats"), a.dim());
  }
  if (inputs.size() == 2) {
    const FeatureStats b = stats_of(inputs[1]);
    const double d = frechet_distance(a, b);
    std::cout << format("{}: {:.4f}\n", clf ? format("classifier-feature FD (not FID; classifier held-out accuracy {:.3f})", clf->heldout_accuracy)
                                            : std::string("Frechet distance"), d);
  }
  return 0;
}

}  // namespace ddm::cli
