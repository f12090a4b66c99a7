// `ddm fid`: Frechet distance between two sets of images (or their statistics files).
// Inputs: a statistics .npz (mu, sigma), a samples .npz (`samples`, uint8 N x H x W x C, as
// `ddm sample` writes), a folder of PNG/JPEG images, or `data` (the config's data set).
// Features: `inception` (pytorch-fid's InceptionV3 with its weights file: true FID) or
// `classifier` (a small CNN trained on the data set's labels, <run>/classifier/; the result is a
// classifier-feature FD, NOT FID, and is printed as such).
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "run/layout.h"
#include "dist/batch_split.h"
#include "data/dataset.h"
#include "eval/classifier.h"
#include "eval/classifier_trainer.h"
#include "eval/frechet.h"
#include "eval/inception.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/image.h"
#include "util/log.h"
#include "util/npy.h"

namespace ddm::cli {
namespace {

// Images in model space [N, C, H, W] from a samples .npz or an image folder. All images must share
// size and channel count; an alpha channel is dropped.
torch::Tensor read_images(const std::string& input, int64_t max_bytes) {
  if (is_directory(input)) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(input)) {
      const std::string ext = to_lower(e.path().extension().string());
      if (ext == ".png" || ext == ".jpg" || ext == ".jpeg") files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    require(!files.empty(), "{}: no PNG or JPEG images in this folder", input);
    std::vector<torch::Tensor> imgs;
    int w = 0, h = 0, c = 0;
    for (const auto& f : files) {
      const Image im = read_image(f, 0, max_bytes);
      if (imgs.empty()) w = im.width, h = im.height, c = im.channels;
      require(im.width == w && im.height == h, "{}: {}x{} pixels, but {} has {}x{}: images of mixed sizes", f, im.width, im.height,
              files[0], w, h);
      require(im.channels == c, "{}: {} channel(s), but {} has {}: images of mixed channels", f, im.channels, files[0], c);
      const torch::Tensor hwc = torch::from_blob(const_cast<uint8_t*>(im.pixels.data()), {h, w, c}, torch::kUInt8);
      imgs.push_back(hwc.permute({2, 0, 1}).slice(0, 0, c == 2 || c == 4 ? c - 1 : c).clone());
    }
    return to_model_space(torch::stack(imgs));
  }
  const auto arrays = read_npz(input, max_bytes);
  require(arrays.count("samples"), "{}: no 'samples' array (expected `ddm sample`'s samples.npz, or a statistics file with mu and sigma)", input);
  const NpyArray& a = arrays.at("samples");
  require(a.dtype == NpyType::kU8 && a.shape.size() == 4, "{}: 'samples' must be uint8 N x H x W x C images", input);
  const torch::Tensor u8 = torch::from_blob(const_cast<uint8_t*>(a.data<uint8_t>()), a.shape, torch::kUInt8).permute({0, 3, 1, 2}).clone();
  return to_model_space(u8);
}

bool is_stats_file(const std::string& input, int64_t max_bytes) {
  if (is_directory(input) || !to_lower(input).ends_with(".npz")) return false;
  const auto arrays = read_npz(input, max_bytes);
  return arrays.count("mu") || arrays.count("sigma");
}

// One feature extractor: what the distance is called and how images become features.
struct Features {
  std::string metric;
  std::function<torch::Tensor(const std::string& input, const torch::Tensor& images)> extract;
};

}  // namespace

int cmd_fid(const std::vector<std::string>& argv) {
  Args args("fid",
            "Frechet distance between two image sets or statistics files (INPUT: stats .npz, samples .npz, image folder, or "
            "'data'). --features inception is FID (needs pytorch-fid's weights file); classifier is a different metric.",
            true, "INPUT [INPUT2]");
  args.add()("features", "inception (FID) or classifier (classifier-feature FD)", cxxopts::value<std::string>()->default_value("classifier"))(
      "inception-weights", "pytorch-fid's pt_inception-2015-12-05-6726825d.pth or its .npz (eval.inception_weights)",
      cxxopts::value<std::string>())("save-stats", "write the first input's mu and sigma to this .npz", cxxopts::value<std::string>());
  if (!args.parse(argv)) return 0;
  const auto inputs = args.positional();
  if (inputs.empty() || inputs.size() > 2) throw UsageError("fid: give one INPUT (with --save-stats) or two to compare");
  Config cfg = args.config();
  if (args.has("inception-weights")) cfg.eval.inception_weights = args.get<std::string>("inception-weights");
  const std::string kind = args.get<std::string>("features");
  if (kind != "classifier" && kind != "inception") throw UsageError(format("fid: --features {}: valid: classifier, inception", kind));
  torch::Device device = resolve_device(cfg.run.device);
  const Dist& dist = join_process_group(cfg, device);

  std::optional<Dataset> data;
  auto dataset = [&]() -> const Dataset& {
    if (!data) data = load_dataset(cfg.data);
    return *data;
  };
  // Built on first use: two statistics files need no network.
  std::optional<Features> features;
  auto make_features = [&]() {
    Features f;
    if (kind == "inception") {
    require(!cfg.eval.inception_weights.empty(), "--features inception needs --inception-weights FILE: pytorch-fid's {} from "
            "https://github.com/mseitzer/pytorch-fid/releases (no weights: --features classifier)", kInceptionWeightsName);
      auto net = std::make_shared<InceptionV3>();
      load_inception_weights(*net, cfg.eval.inception_weights);
      f.metric = "FID";
      f.extract = [net, device](const std::string& input, const torch::Tensor& images) {
        require(images.size(1) == 1 || images.size(1) == 3, "{}: {} channels; Inception takes grey or RGB images", input, images.size(1));
        return inception_features(*net, images, device, 50, log::level() <= log::Level::kInfo);
      };
    } else {
      auto clf = std::make_shared<TrainedClassifier>(
          load_or_train_classifier(RunLayout(cfg.run_dir()).classifier(), dataset(), cfg.eval.classifier_steps, 0, device, dist));
      f.metric = format("classifier-feature FD (not FID; classifier held-out accuracy {:.3f})", clf->heldout_accuracy);
      const std::vector<int64_t> shape = dataset().sample_shape();
      f.extract = [clf, shape, device](const std::string& input, const torch::Tensor& images) {
        require(images.sizes().slice(1) == torch::IntArrayRef(shape), "{}: images of shape {}, the classifier's data set has {}", input,
                images.sizes().slice(1), torch::IntArrayRef(shape));
        return classifier_features(*clf->net, images, device);
      };
    }
    return f;
  };

  auto stats_of = [&](const std::string& input) {
    if (input != "data" && is_stats_file(input, cfg.data.max_bytes)) return load_stats(input);
    const torch::Tensor images = input == "data" ? dataset().all() : read_images(input, cfg.data.max_bytes);
    log::info("{}: {} images", input, images.size(0));
    if (!features) features = make_features();
    // Ranks share the images by whole batches of sample.batch_size.
    std::vector<torch::Tensor> parts;
    split_batches(
        dist, images.size(0), cfg.sample.batch_size,
        [&](int64_t, int64_t first, int64_t count) { return features->extract(input, images.slice(0, first, first + count)); },
        [&](int64_t, const torch::Tensor& f) { parts.push_back(f); });
    return feature_stats(torch::cat(parts));
  };
  const FeatureStats a = stats_of(inputs[0]);
  if (!dist.is_main()) {  // rank 0 writes and prints for the job
    if (inputs.size() == 2) stats_of(inputs[1]);
    return 0;
  }
  if (args.has("save-stats")) {
    save_stats(args.get<std::string>("save-stats"), a);
    std::cout << format("wrote {} ({}-d features)\n", args.get<std::string>("save-stats"), a.dim());
  }
  if (inputs.size() == 2) {
    const FeatureStats b = stats_of(inputs[1]);
    require(a.dim() == b.dim(), "{} has {}-d statistics, {} has {}-d: not the same features", inputs[0], a.dim(), inputs[1], b.dim());
    std::cout << format("{}: {:.4f}\n", features ? features->metric : std::string("Frechet distance"), frechet_distance(a, b));
  }
  return 0;
}

}  // namespace ddm::cli
