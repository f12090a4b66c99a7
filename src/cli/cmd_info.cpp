// `ddm info`: describes a data set (from --config), a shard manifest or a checkpoint.
#include <torch/types.h>

#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "data/dataset.h"
#include "data/shards.h"
#include "models/checkpoint.h"
#include "models/expert.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"

namespace ddm::cli {
namespace {

void describe_dataset(const DataConfig& dc) {
  const Dataset d = load_dataset(dc);
  std::cout << format("data set     {}\n", d.name);
  std::cout << format("examples     {}\n", d.size());
  std::cout << format("shape        {} ({})\n", torch::IntArrayRef(d.sample_shape()),
                      d.is_image() ? "uint8 images, [-1, 1] in the model" : "float points");
  const torch::Tensor x = d.all();
  std::cout << format("model space  mean {:.4f}, std {:.4f}, min {:.3f}, max {:.3f}\n", x.mean().item<double>(),
                      x.std().item<double>(), x.min().item<double>(), x.max().item<double>());
  if (d.has_labels()) {
    const torch::Tensor counts = torch::bincount(d.labels);
    std::cout << format("classes      {}\n", counts.size(0));
    for (int64_t c = 0; c < counts.size(0); ++c)
      std::cout << format("  {:>3} {:<14} {:>7}\n", c,
                          c < static_cast<int64_t>(d.class_names.size()) ? d.class_names[c] : "",
                          counts[c].item<int64_t>());
  } else {
    std::cout << "labels       none\n";
  }
}

void describe_manifest(const std::string& path) {
  const ShardManifest m = ShardManifest::load(path);
  std::cout << format("shard manifest {}\n", path);
  std::cout << format("data set     {} ({} examples)\n", m.dataset, m.n);
  std::cout << format("shards       K = {}, by {}, seed {}\n", m.k, to_string(m.method), m.seed);
  const auto p = m.priors();
  for (int k = 0; k < m.k; ++k) {
    std::string labels;
    if (!m.label_counts.empty()) {
      int64_t best = 0;
      for (size_t c = 0; c < m.label_counts[k].size(); ++c)
        if (m.label_counts[k][c] > m.label_counts[k][best]) best = static_cast<int64_t>(c);
      labels = format("  majority class {} ({:.0f}%)",
                      best < static_cast<int64_t>(m.class_names.size()) ? m.class_names[best] : std::to_string(best),
                      100.0 * m.label_counts[k][best] / static_cast<double>(m.size(k)));
    }
    std::cout << format("  shard {:>3}  {:>7} examples  prior {:.4f}{}\n", k, m.size(k), p[k], labels);
  }
}

void describe_checkpoint(const std::string& path) {
  const Checkpoint ckpt = load_checkpoint(path);
  const Json& m = ckpt.meta;
  std::cout << format("checkpoint   {}\n", path);
  if (m.contains("expert")) {
    const ExpertMeta e = ExpertMeta::from_json(m.at("expert"), path);
    int64_t params = 0;
    for (const auto& [name, t] : ckpt.tensors)
      if (name.rfind("ema.", 0) == 0) params += t.numel();
    std::cout << format("kind         expert for shard {} of K = {}\n",
                        e.shard == kAllShards ? std::string("all") : std::to_string(e.shard), e.k);
    std::cout << format("data set     {} (samples of shape {})\n", e.dataset, torch::IntArrayRef(e.sample_shape));
    std::cout << format("step         {}\n", e.step);
    if (m.contains("loss")) std::cout << format("loss         {}\n", m.at("loss").dump());
    std::cout << format("network      {} ({} parameters)\n", e.architecture.dump(), params);
    std::cout << format("schedule     {}, {}-prediction, t_min {}\n", e.schedule.describe(), to_string(e.prediction),
                        e.t_min);
  } else {
    std::cout << format("metadata     {}\n", m.dump());
  }
  if (m.contains("config")) std::cout << format("config       {}\n", m.at("config").dump());
  if (m.contains("libtorch")) std::cout << format("libtorch     {}\n", m.at("libtorch").get<std::string>());
}

}  // namespace

int cmd_info(const std::vector<std::string>& argv) {
  Args args("info", "Describe a data set (--config), a shard manifest (.json) or a checkpoint.", true, "[PATH]");
  if (!args.parse(argv)) return 0;
  const auto pos = args.positional();
  if (pos.size() > 1) throw UsageError("ddm info: give one PATH");
  if (pos.empty()) {
    describe_dataset(args.config().data);
    return 0;
  }
  const std::string& path = pos[0];
  if (!path_exists(path)) fail("{} does not exist", path);
  if (to_lower(path).ends_with(".json")) {
    describe_manifest(path);
    return 0;
  }
  if (is_checkpoint_file(path)) {
    describe_checkpoint(path);
    return 0;
  }
  fail("{}: neither a shard manifest (.json) nor a ddm checkpoint; give --config FILE to describe a data set", path);
}

}  // namespace ddm::cli
