// `ddm prepare`: data set -> K shards, written as <run>/shards.json, with a preview sheet
// (a row of examples per shard) for image data.
#include <torch/types.h>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "data/dataset.h"
#include "data/grid.h"
#include "data/shards.h"
#include "run/layout.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/timer.h"

namespace ddm::cli {
namespace {

std::string top_classes(const ShardManifest& m, int shard) {
  if (m.label_counts.empty()) return "";
  const auto& counts = m.label_counts[shard];
  std::vector<int> order(counts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return counts[a] > counts[b]; });
  std::string out;
  const double total = static_cast<double>(m.size(shard));
  for (size_t i = 0; i < std::min<size_t>(3, order.size()) && counts[order[i]] > 0; ++i) {
    const int c = order[i];
    const std::string name = c < static_cast<int>(m.class_names.size()) ? m.class_names[c] : std::to_string(c);
    out += format("{}{} {:.0f}%", out.empty() ? "" : ", ", name, 100.0 * counts[c] / total);
  }
  return out;
}

void log_shards(const ShardManifest& m) {
  const auto priors = m.priors();
  log::info("{} shards by {} (seed {}):", m.k, to_string(m.method), m.seed);
  for (int k = 0; k < m.k; ++k)
    log::info("  shard {:>3}: {:>7} examples, prior {:.4f}  {}", k, m.size(k), priors[k], top_classes(m, k));
}

}  // namespace

int cmd_prepare(const std::vector<std::string>& argv) {
  Args args("prepare",
            "Partition a data set into K shards, one per expert (by label, k-means, at random or by party folder), or "
            "record the example counts of experts trained elsewhere (shards.method=counts).");
  if (!args.parse(argv)) return 0;
  const RunContext ctx = open_run(args.config(), "");
  const Config& cfg = ctx.cfg;

  Stopwatch clock;
  const std::string path = RunLayout(cfg.run_dir()).manifest();
  if (cfg.shards.method == ShardMethod::kCounts) {  // experts trained elsewhere: no data here
    const ShardManifest m = manifest_from_counts(cfg.shards);
    m.save(path);
    log_shards(m);
    log::info("wrote {} from example counts alone (no data set read)", path);
    return 0;
  }
  const Dataset data = load_dataset(cfg.data, cfg.shards.method);
  log::info("loaded {}: {} examples of shape {}, {} classes ({:.1f} s)", data.name, data.size(),
            torch::IntArrayRef(data.sample_shape()), data.num_classes(), clock.seconds());

  const ShardManifest m = make_shards(data, cfg.data, cfg.shards);
  m.save(path);
  log_shards(m);
  if (data.is_image()) {
    constexpr int kPerShard = 8;
    std::vector<torch::Tensor> rows;
    for (int k = 0; k < m.k; ++k) {
      const torch::Tensor idx = m.indices(k).slice(0, 0, kPerShard);
      torch::Tensor imgs = data.data.index_select(0, idx);
      if (imgs.size(0) < kPerShard)
        imgs = torch::cat(
            {imgs, torch::zeros({kPerShard - imgs.size(0), imgs.size(1), imgs.size(2), imgs.size(3)}, imgs.options())});
      rows.push_back(imgs);
    }
    const std::string preview = path_join(ctx.dir, "shards_preview.png");
    save_grid(preview, torch::cat(rows), kPerShard);
    log::info("preview: {} (one row of examples per shard)", preview);
  }
  log::info("wrote {} in {:.1f} s", path, clock.seconds());
  return 0;
}

}  // namespace ddm::cli
