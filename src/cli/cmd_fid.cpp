// `ddm fid`: Frechet distance between two sets of images (or their statistics files).
// Inputs: a statistics .npz (mu, sigma), a samples .npz (`samples`, uint8 N x H x W x C, as
// `ddm sample` writes), a folder of PNG/JPEG images, or `data` (the config's data set).
// Features: `inception` (pytorch-fid's InceptionV3 with its weights file: true FID) or
// `classifier` (a small CNN trained on the data set's labels, <run>/classifier/; the result is a
// classifier-feature FD, NOT FID, and is printed as such).
#include <iostream>
#include <optional>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "data/dataset.h"
#include "eval/classifier_trainer.h"
#include "eval/image_sets.h"
#include "run/layout.h"
#include "util/error.h"
#include "util/log.h"

namespace ddm::cli {

int cmd_fid(const std::vector<std::string>& argv) {
  Args args(
      "fid",
      "Frechet distance between two image sets or statistics files (INPUT: stats .npz, samples .npz, image folder, or "
      "'data'). --features inception is FID (needs pytorch-fid's weights file); classifier is a different metric.",
      true, "INPUT [INPUT2]");
  args.key_flags({{"features", "eval.features"}, {"inception-weights", "eval.inception_weights"}});
  args.add()("save-stats", "write the first input's mu and sigma to this .npz", cxxopts::value<std::string>());
  if (!args.parse(argv)) return 0;
  const auto inputs = args.positional();
  if (inputs.empty() || inputs.size() > 2)
    throw UsageError("fid: give one INPUT (with --save-stats) or two to compare");
  const Config cfg = args.config();
  torch::Device device = resolve_device(cfg.run.device);
  const Dist& dist = join_process_group(cfg.dist, device);

  std::optional<Dataset> data;
  auto dataset = [&]() -> const Dataset& {
    if (!data) data = load_dataset(cfg.data);
    return *data;
  };
  std::optional<FeatureExtractor> features;  // built on first use: two statistics files need no network
  auto stats_of = [&](const std::string& input) {
    if (input != "data" && is_stats_file(input, cfg.data.max_bytes)) return load_stats(input);
    const torch::Tensor images = input == "data" ? dataset().all() : read_image_set(input, cfg.data.max_bytes);
    log::info("{}: {} images", input, images.size(0));
    if (!features && cfg.eval.features == FeatureKind::kInception)
      features = inception_extractor(cfg.eval.inception_weights, device);
    if (!features) {
      auto clf = std::make_shared<const TrainedClassifier>(load_or_train_classifier(
          RunLayout(cfg.run_dir()).classifier(), dataset(), cfg.eval.classifier_steps, 0, device, dist));
      features = classifier_extractor(clf, dataset().sample_shape(), device);
    }
    return image_stats(input, images, *features, dist, cfg.sample.batch_size);
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
    require(a.dim() == b.dim(), "{} has {}-d statistics, {} has {}-d: not the same features", inputs[0], a.dim(),
            inputs[1], b.dim());
    std::cout << format("{}: {:.4f}\n", features ? features->metric : std::string("Frechet distance"),
                        frechet_distance(a, b));
  }
  return 0;
}

}  // namespace ddm::cli
