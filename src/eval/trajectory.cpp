// Trajectory error against a many-step reference (see trajectory.h).
#include "eval/trajectory.h"

#include "util/error.h"
#include "util/log.h"

namespace ddm {

Json TrajectoryResult::to_json() const {
  Json j = Json::object();
  j["reference_steps"] = reference_steps;
  Json rows_json = Json::array();
  for (const auto& r : rows) {
    Json row = Json::object();
    row["steps"] = r.steps;
    row["mse"] = r.mse;
    rows_json.push_back(row);
  }
  j["rows"] = rows_json;
  j["fit"] = Json::object();
  j["fit"]["c"] = fit.c;
  j["fit"]["p"] = fit.p;
  j["fit"]["r2"] = fit.r2;
  return j;
}

TrajectoryResult trajectory_error(const SamplingModel& model, SampleConfig sc, const std::vector<int>& steps,
                                  int reference_steps, torch::Device device) {
  require(!steps.empty(), "trajectory: no step counts given");
  for (int n : steps)
    require(n >= 1 && n < reference_steps, "trajectory: step count {} must lie in 1..{} (below the reference)", n,
            reference_steps - 1);
  TrajectoryResult res;
  res.reference_steps = reference_steps;
  // The same sample.seed gives every run the same initial noise (and routing draws).
  sc.steps = reference_steps;
  log::info("trajectory: reference, {} steps", reference_steps);
  const torch::Tensor ref = generate_samples(model, sc, device, false).samples.to(torch::kFloat64);
  std::vector<double> xs, ys;
  for (int n : steps) {
    sc.steps = n;
    const torch::Tensor x = generate_samples(model, sc, device, false).samples.to(torch::kFloat64);
    const double mse = (x - ref).pow(2).flatten(1).sum(1).mean().item<double>();
    res.rows.push_back({n, mse});
    xs.push_back(n);
    ys.push_back(mse);
    log::info("trajectory: N = {:>5}  mean squared error {:.6g}", n, mse);
  }
  res.fit = fit_power_law(xs, ys);
  return res;
}

}  // namespace ddm
