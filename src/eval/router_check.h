// `ddm router-check`'s measurement (issue: MoG-da that works): each alpha source compared with
// the exact alpha where sampling uses it, along exact PF-ODE paths (DDIM with the exact
// denoiser, design.md sections 3 and 5) of N steps. Per source and N: the total variation to the
// exact alpha at the last grid point and averaged over the grid, and the share of paths whose
// argmax agrees at the last point. The sources are AlphaProviders, the very objects sampling
// uses, so the check measures what `ddm sample --alpha ...` would see.
#pragma once
#include <torch/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/enums.h"
#include "router/exact_posterior.h"
#include "sample/alpha_provider.h"
#include "util/json.h"

namespace ddm {

struct CheckSource {
  std::string name;         // mog-a, mog-da-head, integrated, integrated-corrected, integrated-exact, prior
  std::string router;       // the router checkpoint it reads ("" for exact and prior)
  int64_t router_step = 0;  // that checkpoint's training step
  std::shared_ptr<AlphaProvider> provider;
};

struct CheckRow {
  std::string source, router;
  int64_t router_step = 0;
  int steps = 0;
  double tv_final = 0, tv_mean = 0, argmax_agree = 0;
  std::vector<double> t, tv;  // per grid point (t_0 = 1 ... t_N = t_min), mean over paths
  Json to_json() const;
};

struct RouterCheckOptions {
  int64_t paths = 256;
  std::vector<int> steps{10, 25, 50, 100};
  Spacing spacing = Spacing::kUniform;
  double t_min = 1e-3;
  uint64_t seed = 0;
};

// A provider that always answers the prior rows pi.
std::shared_ptr<AlphaProvider> prior_alpha(std::vector<double> priors);

// Rows in the order (N, source). The same initial noise for every N and source.
std::vector<CheckRow> router_check(const ExactPosterior& exact, const std::vector<CheckSource>& sources,
                                   const RouterCheckOptions& opts, torch::Device device,
                                   const std::function<void(const std::string&)>& progress = nullptr);

// {"rows": [...]} as router-check.json holds it.
Json router_check_json(const std::vector<CheckRow>& rows);

}  // namespace ddm
