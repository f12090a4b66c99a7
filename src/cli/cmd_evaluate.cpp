// `ddm evaluate`: the reference paper's Table 1 on the run: for each row (the unconditional
// baseline, `fixed`, and <rule>-<alpha> combinations) and each step count N, samples from the
// same seeds, their Frechet distance to the data set on the feature classifier's features (not
// FID: no Inception weights are needed), and the classifier's routing check: the share of
// samples in each class and the mean confidence. Writes evaluation/table.md, evaluation.json
// (rewritten after every cell, so an interrupted run keeps its cells), metrics.jsonl and a grid
// per cell.
#include <cmath>
#include <filesystem>
#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "data/dataset.h"
#include "data/grid.h"
#include "eval/classifier.h"
#include "eval/classifier_trainer.h"
#include "eval/frechet.h"
#include "sample/sampler.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/npy.h"

namespace ddm::cli {
namespace {

struct Row {
  std::string name;  // as in eval.table_rows
  std::string label;
  SampleConfig sc;
};

std::string alpha_label(AlphaSource a) {
  switch (a) {
    case AlphaSource::kRouter: return "MoG-a";
    case AlphaSource::kIntegrated: return "MoG-da, integrated";
    case AlphaSource::kIntegratedCorrected: return "MoG-da, integrated + corrected";
    case AlphaSource::kIntegratedRaw: return "MoG-da raw head, integrated";
    case AlphaSource::kOracle: return "exact alpha";
  }
  return "?";
}

Row parse_row(const std::string& name, const SampleConfig& base) {
  Row r{name, "", base};
  r.sc.baseline = false;
  r.sc.expert = -1;
  if (name == "baseline") {
    r.sc.baseline = true;
    r.label = "baseline (one model, all data)";
  } else if (name == "fixed") {
    r.sc.rule = RoutingRule::kFixed;
    r.label = "fixed (naive: expert ~ pi, once)";
  } else {
    const size_t dash = name.find('-');  // rules have no dash; alpha sources may (integrated-raw)
    require(dash != std::string::npos, "eval.table_rows: '{}' is not baseline, fixed or <rule>-<alpha> (e.g. switch-router)", name);
    r.sc.rule = parse_enum<RoutingRule>(name.substr(0, dash), format("eval.table_rows: rule of '{}'", name));
    r.sc.alpha = parse_enum<AlphaSource>(name.substr(dash + 1), format("eval.table_rows: alpha of '{}'", name));
    r.label = format("{} ({})", to_string(r.sc.rule), alpha_label(r.sc.alpha));
  }
  return r;
}

std::vector<Row> parse_rows(const std::string& csv, const SampleConfig& base) {
  std::vector<Row> rows;
  for (const std::string& item : split(csv, ','))
    if (!item.empty()) rows.push_back(parse_row(item, base));
  require(!rows.empty(), "eval.table_rows: no rows");
  return rows;
}

// Data-set statistics on the classifier's features, cached beside the classifier.
FeatureStats data_stats(const TrainedClassifier& clf, const Dataset& data, torch::Device device) {
  const std::string path = (std::filesystem::path(clf.path).parent_path() / "data-stats.npz").string();
  if (path_exists(path)) return load_stats(path);
  log::info("classifier features of the {} data images", data.size());
  const FeatureStats s = feature_stats(classifier_features(*clf.net, data.all(), device));
  save_stats(path, s);
  return s;
}

// What one cell needs besides its sampling settings.
struct CellContext {
  const TrainedClassifier& clf;
  const FeatureStats& ref;
  const std::vector<double>& proportions;
  torch::Device device;
  std::string grids;
};

// One cell at one seed: samples, their FD and the classifier's routing check.
Json evaluate_cell(const SamplingModel& model, const SampleConfig& sc, const std::string& row, const CellContext& cc, ClassReport& cr) {
  const SampleResult s = generate_samples(model, sc, cc.device, false);
  const torch::Tensor feats = classifier_features(*cc.clf.net, s.samples, cc.device);
  const double d = frechet_distance(feature_stats(feats), cc.ref);
  cr = class_report(*cc.clf.net, feats);
  save_grid(path_join(cc.grids, format("{}-{}.png", row, sc.steps)), s.samples.slice(0, 0, std::min<int64_t>(64, s.samples.size(0))));
  Json cell = Json::object();
  cell["row"] = row;
  cell["steps"] = sc.steps;
  cell["seed"] = sc.seed;
  cell["fd"] = d;
  cell["mean_confidence"] = cr.mean_confidence;
  cell["class_tv"] = cr.tv_from(cc.proportions);
  Json share = Json::array();
  for (double v : cr.share) share.push_back(v);
  cell["class_share"] = share;
  // Routing along the way (sample/routed_ensemble.h): how often the chosen expert changed,
  // averaged over steps, and the entropy of alpha_hat at the last step.
  double switches = 0;
  int switch_steps = 0;
  for (const StepRouting& st : s.routing)
    if (const auto r = st.switch_rate()) switches += *r, ++switch_steps;
  if (switch_steps > 0) cell["switch_rate"] = switches / switch_steps;
  if (!s.routing.empty() && s.routing.back().mean_entropy()) cell["final_entropy"] = *s.routing.back().mean_entropy();
  cell["seconds"] = s.seconds;
  cell["evaluations_per_sample_step"] = static_cast<double>(s.evaluations) / static_cast<double>(sc.num * (sc.steps + 1));
  return cell;
}

struct MeanSpread {
  double mean = 0, spread = 0;  // spread: sample standard deviation over seeds (0 for one seed)
};
MeanSpread mean_spread(const std::vector<double>& v) {
  MeanSpread m;
  for (double x : v) m.mean += x / static_cast<double>(v.size());
  for (double x : v) m.spread += v.size() > 1 ? (x - m.mean) * (x - m.mean) / static_cast<double>(v.size() - 1) : 0.0;
  m.spread = std::sqrt(m.spread);
  return m;
}

// The data set's share of each class.
std::vector<double> class_proportions(const Dataset& data) {
  const torch::Tensor c = torch::bincount(data.labels, {}, data.num_classes()).to(torch::kFloat64) / static_cast<double>(data.size());
  std::vector<double> out(static_cast<size_t>(data.num_classes()));
  for (size_t k = 0; k < out.size(); ++k) out[k] = c[static_cast<int64_t>(k)].item<double>();
  return out;
}

// Table 1 layout, then the routing check at the largest N (evaluation/table.md).
std::string table_markdown(const Config& cfg, double heldout_accuracy, const std::vector<Row>& rows,
                           const std::vector<std::vector<MeanSpread>>& fd, const std::vector<ClassReport>& last_report,
                           const std::vector<Json>& last_cell, const std::vector<double>& proportions) {
  const EvalConfig& ec = cfg.eval;
  std::string table = format("Classifier-feature FD to the data set (lower is better; not FID; {} experts; {} samples per cell{}, "
                             "classifier held-out accuracy {:.3f}):\n\n| rule |",
                             to_string(cfg.sample.experts), ec.samples,
                             ec.seeds > 1 ? format(", mean ± standard deviation over {} seeds", ec.seeds) : std::string(),
                             heldout_accuracy);
  for (int n : ec.table_steps) table += format(" N = {} |", n);
  table += "\n|---|";
  for (size_t i = 0; i < ec.table_steps.size(); ++i) table += "---:|";
  table += "\n";
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    table += format("| {} |", rows[ri].label);
    for (const MeanSpread& d : fd[ri]) table += ec.seeds > 1 ? format(" {:.2f} ± {:.2f} |", d.mean, d.spread) : format(" {:.2f} |", d.mean);
    table += "\n";
  }
  table += format("\nRouting check at N = {} (classifier's view of the samples; data: class shares {:.0f}% each; switch rate: share "
                  "of sample-steps whose expert changed; entropy of alpha_hat at the last step):\n\n| rule | mean confidence | TV to "
                  "data's class shares | share per class (%) | switch rate | final entropy |\n|---|---:|---:|---|---:|---:|\n",
                  ec.table_steps.back(), 100.0 * proportions[0]);
  auto number = [](const Json& cell, const char* key) {
    const auto v = cell.find(key);
    return v != cell.end() && v->is_number() ? format("{:.2f}", v->get<double>()) : std::string("-");
  };
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    std::string shares;
    for (double v : last_report[ri].share) shares += format("{}{:.0f}", shares.empty() ? "" : " ", 100 * v);
    table += format("| {} | {:.3f} | {:.3f} | {} | {} | {} |\n", rows[ri].label, last_report[ri].mean_confidence,
                    last_report[ri].tv_from(proportions), shares, number(last_cell[ri], "switch_rate"), number(last_cell[ri], "final_entropy"));
  }
  return table;
}

}  // namespace

int cmd_evaluate(const std::vector<std::string>& argv) {
  Args args("evaluate",
            "The reference paper's Table 1 on this run: classifier-feature FD (not FID) of each row (baseline, fixed, "
            "<rule>-<alpha>) at each N, and the classifier's class shares and confidence by rule.");
  args.add()("rows", "comma-separated rows (eval.table_rows)", cxxopts::value<std::string>())(
      "steps", "comma-separated step counts (eval.table_steps)", cxxopts::value<std::string>())(
      "num", "samples per cell (eval.samples)", cxxopts::value<int64_t>())(
      "seeds", "seeds per cell: mean and spread (eval.seeds)", cxxopts::value<int>())(
      "experts", "trained|exact (sample.experts): exact experts separate the routing error", cxxopts::value<std::string>())(
      "out", "output folder (default <run>/evaluation, or evaluation-exact with exact experts)", cxxopts::value<std::string>());
  if (!args.parse(argv)) return 0;
  Config cfg = args.config();
  for (const auto& [flag, key] : {std::pair{"rows", "eval.table_rows"}, {"steps", "eval.table_steps"}, {"experts", "sample.experts"}})
    if (args.has(flag)) apply_override(cfg, format("{}={}", key, args.get<std::string>(flag)));
  if (args.has("num")) apply_override(cfg, format("eval.samples={}", args.get<int64_t>("num")));
  if (args.has("seeds")) apply_override(cfg, format("eval.seeds={}", args.get<int>("seeds")));
  const EvalConfig& ec = cfg.eval;
  const bool exact_experts = cfg.sample.experts == ExpertSource::kExact;
  const std::vector<Row> rows = parse_rows(ec.table_rows, cfg.sample);
  const torch::Device device = resolve_device(cfg.run.device);
  const Dataset data = load_dataset(cfg.data);
  require(data.is_image() && data.has_labels(), "evaluate: needs a labelled image data set (the feature classifier); {} is not", data.name);
  const TrainedClassifier clf = load_or_train_classifier(path_join(cfg.run_dir(), "classifier"), data, ec.classifier_steps, 0, device);
  const FeatureStats ref = data_stats(clf, data, device);
  const std::vector<double> proportions = class_proportions(data);
  if (ec.samples <= Classifier::kFeatures)
    log::warn("eval.samples = {} <= {} feature dimensions: covariances are rank-deficient and the distances unreliable", ec.samples,
              Classifier::kFeatures);
  const RunContext ctx = args.has("out") ? open_folder(cfg, args.get<std::string>("out"))
                                         : open_run(cfg, exact_experts ? "evaluation-exact" : "evaluation");
  const CellContext cc{clf, ref, proportions, device, path_join(ctx.dir, "grids")};
  ensure_writable_dir(cc.grids);
  JsonlWriter metrics(path_join(ctx.dir, "metrics.jsonl"));

  Json out = Json::object();  // evaluation.json
  out["metric"] = "classifier-feature Frechet distance (not FID)";
  out["experts"] = to_string(cfg.sample.experts);
  out["classifier_heldout_accuracy"] = clf.heldout_accuracy;
  out["samples"] = ec.samples;
  out["seeds"] = ec.seeds;
  out["config"] = config_to_json(cfg);
  out["rows"] = Json::array();
  std::vector<std::vector<MeanSpread>> fd(rows.size());
  std::vector<ClassReport> last_report(rows.size());
  std::vector<Json> last_cell(rows.size());
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    Config row_cfg = cfg;
    row_cfg.sample = rows[ri].sc;
    const SamplingModel model = load_sampling_model(row_cfg, device);
    Json row_json = Json::object();
    row_json["name"] = rows[ri].name;
    row_json["label"] = rows[ri].label;
    row_json["cells"] = Json::array();
    for (int n : ec.table_steps) {
      std::vector<double> per_seed;
      for (int seed = 0; seed < ec.seeds; ++seed) {
        SampleConfig sc = rows[ri].sc;
        sc.steps = n;
        sc.num = ec.samples;
        sc.seed = rows[ri].sc.seed + seed;
        const Json cell = evaluate_cell(model, sc, rows[ri].name, cc, last_report[ri]);
        metrics.write(cell);
        last_cell[ri] = cell;
        row_json["cells"].push_back(cell);
        per_seed.push_back(cell.at("fd").get<double>());
        log::info("evaluate: {:<22} N = {:>4} seed {}  FD {:8.3f}  confidence {:.3f}  class TV {:.3f}  ({:.1f} s)", rows[ri].name, n,
                  sc.seed, per_seed.back(), last_report[ri].mean_confidence, last_report[ri].tv_from(proportions),
                  cell.at("seconds").get<double>());
      }
      fd[ri].push_back(mean_spread(per_seed));
    }
    out["rows"].push_back(row_json);
    atomic_write(path_join(ctx.dir, "evaluation.json"), out.dump(2) + "\n");
  }

  const std::string table = table_markdown(cfg, clf.heldout_accuracy, rows, fd, last_report, last_cell, proportions);
  atomic_write(path_join(ctx.dir, "table.md"), table);
  std::cout << table << format("\nwrote {}/table.md, evaluation.json and grids/\n", ctx.dir);
  return 0;
}

}  // namespace ddm::cli
