// `ddm evaluate`: the reference paper's Table 1 on the run (eval/table1.h computes it). This
// file reads the options, finds or fits the feature classifier, and writes what the table says:
// evaluation/table.md, evaluation.json (rewritten after every cell, so an interrupted run keeps
// its cells), metrics.jsonl and a grid per cell.
#include <filesystem>
#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "data/dataset.h"
#include "eval/classifier.h"
#include "eval/classifier_trainer.h"
#include "eval/frechet.h"
#include "eval/table1.h"
#include "run/layout.h"
#include "sample/sampler.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/npy.h"

namespace ddm::cli {
namespace {

// Data-set statistics on the classifier's features, cached beside the classifier.
FeatureStats data_stats(const TrainedClassifier& clf, const Dataset& data, torch::Device device) {
  const std::string path = (std::filesystem::path(clf.path).parent_path() / "data-stats.npz").string();
  if (path_exists(path)) return load_stats(path);
  log::info("classifier features of the {} data images", data.size());
  const FeatureStats s = feature_stats(classifier_features(*clf.net, data.all(), device));
  save_stats(path, s);
  return s;
}

// The data set's share of each class.
std::vector<double> class_proportions(const Dataset& data) {
  const torch::Tensor c =
      torch::bincount(data.labels, {}, data.num_classes()).to(torch::kFloat64) / static_cast<double>(data.size());
  std::vector<double> out(static_cast<size_t>(data.num_classes()));
  for (size_t k = 0; k < out.size(); ++k) out[k] = c[static_cast<int64_t>(k)].item<double>();
  return out;
}

// evaluation.json: the settings and every cell so far, by row.
Json evaluation_json(const Config& cfg, const Table1& t) {
  Json out = Json::object();
  out["metric"] = "classifier-feature Frechet distance (not FID)";
  out["experts"] = to_string(cfg.sample.experts);
  out["classifier_heldout_accuracy"] = t.heldout_accuracy;
  out["samples"] = cfg.eval.samples;
  out["seeds"] = cfg.eval.seeds;
  out["config"] = config_to_json(cfg);
  out["rows"] = Json::array();
  for (size_t ri = 0; ri < t.cells.size(); ++ri) {
    Json row = Json::object();
    row["name"] = t.rows[ri].name;
    row["label"] = t.rows[ri].label;
    row["cells"] = Json::array();
    for (const Table1Cell& c : t.cells[ri]) row["cells"].push_back(c.to_json());
    out["rows"].push_back(row);
  }
  return out;
}

// Table 1 layout, then the routing check at the largest N (evaluation/table.md).
std::string table_markdown(const EvalConfig& ec, ExpertSource experts, const Table1& t) {
  std::string table = format(
      "Classifier-feature FD to the data set (lower is better; not FID; {} experts; {} samples per cell{}, "
      "classifier held-out accuracy {:.3f}):\n\n| rule |",
      to_string(experts), ec.samples,
      ec.seeds > 1 ? format(", mean ± standard deviation over {} seeds", ec.seeds) : std::string(), t.heldout_accuracy);
  for (int n : ec.table_steps) table += format(" N = {} |", n);
  table += "\n|---|";
  for (size_t i = 0; i < ec.table_steps.size(); ++i) table += "---:|";
  table += "\n";
  for (size_t ri = 0; ri < t.rows.size(); ++ri) {
    table += format("| {} |", t.rows[ri].label);
    for (const MeanSpread& d : t.fd[ri])
      table += ec.seeds > 1 ? format(" {:.2f} ± {:.2f} |", d.mean, d.spread) : format(" {:.2f} |", d.mean);
    table += "\n";
  }
  table += format(
      "\nRouting check at N = {} (classifier's view of the samples; data: class shares {:.0f}% each; switch rate: "
      "share "
      "of sample-steps whose expert changed; entropy of alpha_hat at the last step):\n\n| rule | mean confidence | TV "
      "to "
      "data's class shares | share per class (%) | switch rate | final entropy |\n|---|---:|---:|---|---:|---:|\n",
      ec.table_steps.back(), 100.0 * t.proportions[0]);
  auto number = [](const std::optional<double>& v) { return v ? format("{:.2f}", *v) : std::string("-"); };
  for (size_t ri = 0; ri < t.rows.size(); ++ri) {
    const Table1Cell& last = t.cells[ri].back();  // the largest N, the last seed
    std::string shares;
    for (double v : last.report.share) shares += format("{}{:.0f}", shares.empty() ? "" : " ", 100 * v);
    table += format("| {} | {:.3f} | {:.3f} | {} | {} | {} |\n", t.rows[ri].label, last.report.mean_confidence,
                    last.class_tv, shares, number(last.switch_rate), number(last.final_entropy));
  }
  return table;
}

}  // namespace

int cmd_evaluate(const std::vector<std::string>& argv) {
  Args args("evaluate",
            "The reference paper's Table 1 on this run: classifier-feature FD (not FID) of each row (baseline, fixed, "
            "<rule>-<alpha>) at each N, and the classifier's class shares and confidence by rule.");
  args.key_flags({{"rows", "eval.table_rows"},
                  {"steps", "eval.table_steps"},
                  {"num", "eval.samples"},
                  {"seeds", "eval.seeds"},
                  {"experts", "sample.experts"}});
  args.add()("out", "output folder (default <run>/evaluation, or evaluation-exact with exact experts)",
             cxxopts::value<std::string>());
  if (!args.parse(argv)) return 0;
  const Config cfg = args.config();
  const EvalConfig& ec = cfg.eval;
  const bool exact_experts = cfg.sample.experts == ExpertSource::kExact;
  parse_table1_rows(ec.table_rows, cfg.sample);  // bad rows fail before any work
  torch::Device device = resolve_device(cfg.run.device);
  const Dist& dist = join_process_group(cfg.dist, device);  // ranks share each cell's batches
  const Dataset data = load_dataset(cfg.data, cfg.shards.method);
  require(data.is_image() && data.has_labels(),
          "evaluate: needs a labelled image data set (the feature classifier); {} is not", data.name);
  const TrainedClassifier clf =
      load_or_train_classifier(RunLayout(cfg.run_dir()).classifier(), data, ec.classifier_steps, 0, device, dist);
  const FeatureStats ref = data_stats(clf, data, device);
  if (ec.samples <= Classifier::kFeatures)
    log::warn("eval.samples = {} <= {} feature dimensions: covariances are rank-deficient and the distances unreliable",
              ec.samples, Classifier::kFeatures);
  const RunContext ctx = args.has("out") ? open_folder(cfg, args.get<std::string>("out"))
                                         : open_run(cfg, RunLayout::evaluation_folder(exact_experts));
  const Table1Inputs in{clf, ref, class_proportions(data), device, path_join(ctx.dir, "grids"), dist};
  const ModelSources sources = model_sources(cfg);
  if (!dist.is_main()) {  // the same table on every rank; rank 0 writes it
    run_table1(sources, cfg.eval, cfg.sample, in, [](const Table1&, const Table1Cell&) {});
    return 0;
  }
  ensure_writable_dir(in.grids);
  const JsonlWriter metrics(path_join(ctx.dir, "metrics.jsonl"));
  const Table1 table = run_table1(sources, cfg.eval, cfg.sample, in, [&](const Table1& t, const Table1Cell& cell) {
    metrics.write(cell.to_json());
    atomic_write(path_join(ctx.dir, "evaluation.json"), evaluation_json(cfg, t).dump(2) + "\n");
  });
  const std::string md = table_markdown(cfg.eval, cfg.sample.experts, table);
  atomic_write(path_join(ctx.dir, "table.md"), md);
  std::cout << md << format("\nwrote {}/table.md, evaluation.json and grids/\n", ctx.dir);
  return 0;
}

}  // namespace ddm::cli
