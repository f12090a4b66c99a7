// Table 1's rows, cells and their statistics (see table1.h).
#include "eval/table1.h"

#include <cmath>

#include "config/config.h"
#include "data/grid.h"
#include "run/alpha_sources.h"
#include "sample/sampler.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

namespace ddm {
namespace {

std::string alpha_label(AlphaSource a) { return alpha_source_spec(a).label; }

Table1Row parse_row(const std::string& name, const SampleConfig& base) {
  Table1Row r{name, "", base};
  r.sc.baseline = false;
  r.sc.expert = -1;
  if (name == "baseline") {
    r.sc.baseline = true;
    r.label = "baseline (one model, all data)";
  } else if (name == "fixed") {
    r.sc.rule = RoutingRule::kFixed;
    r.label = "fixed (naive: expert ~ pi, once)";
  } else {
    const size_t dash = name.find('-');  // rules have no dash; alpha sources may (integrated-corrected)
    require(dash != std::string::npos,
            "eval.table_rows: '{}' is not baseline, fixed or <rule>-<alpha> (e.g. switch-router)", name);
    r.sc.rule = parse_enum<RoutingRule>(name.substr(0, dash), format("eval.table_rows: rule of '{}'", name));
    r.sc.alpha = parse_enum<AlphaSource>(name.substr(dash + 1), format("eval.table_rows: alpha of '{}'", name));
    r.label = format("{} ({})", to_string(r.sc.rule), alpha_label(r.sc.alpha));
  }
  return r;
}

MeanSpread mean_spread(const std::vector<double>& v) {
  MeanSpread m;
  for (double x : v) m.mean += x / static_cast<double>(v.size());
  for (double x : v) m.spread += v.size() > 1 ? (x - m.mean) * (x - m.mean) / static_cast<double>(v.size() - 1) : 0.0;
  m.spread = std::sqrt(m.spread);
  return m;
}

// One cell at one seed: samples, their FD and the classifier's routing check.
Table1Cell run_cell(const SamplingModel& model, const SampleConfig& sc, const std::string& row,
                    const Table1Inputs& in) {
  const SampleResult s = generate_samples(model, sc, in.device, false, nullptr, in.dist);
  const torch::Tensor feats = classifier_features(*in.clf.net, s.samples, in.device);
  if (!in.grids.empty() && in.dist.is_main())
    save_grid(path_join(in.grids, format("{}-{}.png", row, sc.steps)),
              s.samples.slice(0, 0, std::min<int64_t>(64, s.samples.size(0))));
  Table1Cell c;
  c.row = row;
  c.steps = sc.steps;
  c.seed = sc.seed;
  c.fd = frechet_distance(feature_stats(feats), in.reference);
  c.report = class_report(*in.clf.net, feats);
  c.class_tv = c.report.tv_from(in.proportions);
  // Routing along the way (sample/routed_ensemble.h): how often the chosen expert changed,
  // averaged over steps, and the entropy of alpha_hat at the last step.
  double switches = 0;
  int switch_steps = 0;
  for (const StepRouting& st : s.routing)
    if (const auto r = st.switch_rate()) switches += *r, ++switch_steps;
  if (switch_steps > 0) c.switch_rate = switches / switch_steps;
  if (!s.routing.empty()) c.final_entropy = s.routing.back().mean_entropy();
  c.seconds = s.seconds;
  c.evaluations_per_sample_step = s.evaluations_per_step(sc.num, sc.steps);
  return c;
}

}  // namespace

std::vector<Table1Row> parse_table1_rows(const std::string& csv, const SampleConfig& base) {
  std::vector<Table1Row> rows;
  for (const std::string& item : split(csv, ','))
    if (!item.empty()) rows.push_back(parse_row(item, base));
  require(!rows.empty(), "eval.table_rows: no rows");
  return rows;
}

Json Table1Cell::to_json() const {
  Json j = Json::object();
  j["row"] = row;
  j["steps"] = steps;
  j["seed"] = seed;
  j["fd"] = fd;
  j["mean_confidence"] = report.mean_confidence;
  j["class_tv"] = class_tv;
  j["class_share"] = report.share;
  if (switch_rate) j["switch_rate"] = *switch_rate;
  if (final_entropy) j["final_entropy"] = *final_entropy;
  j["seconds"] = seconds;
  j["evaluations_per_sample_step"] = evaluations_per_sample_step;
  return j;
}

Table1 run_table1(const ModelSources& from, const EvalConfig& ec, const SampleConfig& base, const Table1Inputs& in,
                  const std::function<void(const Table1&, const Table1Cell&)>& on_cell) {
  Table1 t;
  t.rows = parse_table1_rows(ec.table_rows, base);
  t.proportions = in.proportions;
  t.heldout_accuracy = in.clf.heldout_accuracy;
  for (const Table1Row& row : t.rows) {
    const SamplingModel model = load_sampling_model(from, row.sc, in.device);
    t.cells.emplace_back();
    t.fd.emplace_back();
    for (int n : ec.table_steps) {
      std::vector<double> per_seed;
      for (int seed = 0; seed < ec.seeds; ++seed) {
        SampleConfig sc = row.sc;
        sc.steps = n;
        sc.num = ec.samples;
        sc.seed = row.sc.seed + seed;
        t.cells.back().push_back(run_cell(model, sc, row.name, in));
        const Table1Cell& c = t.cells.back().back();
        per_seed.push_back(c.fd);
        log::info("evaluate: {:<22} N = {:>4} seed {}  FD {:8.3f}  confidence {:.3f}  class TV {:.3f}  ({:.1f} s)",
                  row.name, n, sc.seed, c.fd, c.report.mean_confidence, c.class_tv, c.seconds);
        if (on_cell) on_cell(t, c);
      }
      t.fd.back().push_back(mean_spread(per_seed));
    }
  }
  return t;
}

}  // namespace ddm
