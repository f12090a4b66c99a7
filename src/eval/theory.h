// `ddm theory` without the command line: on a low-dimensional labelled mixture, exact experts
// D_k and the exact posterior alpha (design.md section 3) replace networks, so the only errors
// left are the solver's and the routing rule's. For each rule, solver and step count N it
// measures, against the exact PF-ODE (mixture with many Heun steps, second order, from the same
// noise; a many-step DDIM reference would be about as inaccurate as Heun at N = 80):
//   pathwise RMS error  sqrt(mean ||x_N - x_ref||^2)   (what appendix E.3 fits),
//   W2 distance          between the two sample sets, by exact optimal assignment,
// and fits both to c N^-p. Design section 6: mixture converges pathwise at O(1/N); switch is
// bounded in W2 by O(N^-1/2) while its paths need not converge; fixed is exact in distribution
// for exact experts but not pathwise; top1 is biased. `floor_w2` is the mean W2 between the
// reference and independent draws of as many points from the data set (the distribution the
// exact PF-ODE ends in): a finite-sample W2 between two independent sets is about this large.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

#include "config/enums.h"
#include "diffusion/schedule.h"
#include "eval/fit.h"
#include "util/json.h"

namespace ddm {

struct TheoryCurve {
  RoutingRule rule = RoutingRule::kMixture;
  SolverKind solver = SolverKind::kDdim;
  std::vector<int> steps;
  std::vector<double> path_rms, w2;
  PowerFit path_fit, w2_fit;
  std::string label() const;
};

inline constexpr int kFloorDraws = 5;

struct TheoryResult {
  int reference_steps = 0;
  SolverKind reference_solver = SolverKind::kHeun;
  int64_t samples = 0;
  double floor_w2 = 0, floor_w2_sd = 0;  // over kFloorDraws draws
  std::vector<TheoryCurve> curves;
  Json to_json() const;
};

struct TheoryOptions {
  std::vector<RoutingRule> rules{RoutingRule::kMixture, RoutingRule::kSwitch, RoutingRule::kTop1, RoutingRule::kFixed};
  std::vector<SolverKind> solvers{SolverKind::kDdim, SolverKind::kEuler, SolverKind::kHeun, SolverKind::kDpmpp2m};
  std::vector<int> steps{5, 10, 20, 50, 100, 200};
  int reference_steps = 1000;
  SolverKind reference_solver = SolverKind::kHeun;
  int64_t samples = 1000;
  uint64_t seed = 0;
};

// points: float [N, D] with int64 labels [N] in 0..k-1 (the clusters, one exact expert each).
TheoryResult run_theory(const torch::Tensor& points, const torch::Tensor& labels, int k, const Schedule& schedule,
                        double t_min, Spacing spacing, const TheoryOptions& opt);

}  // namespace ddm
