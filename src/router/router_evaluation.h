// A router's held-out evaluation (design.md section 4): per time interval, the cross-entropy of
// alpha_hat against the cluster of x_0 on examples it never trained on and, where the examples
// have the exact posterior, the mean absolute errors of alpha and d alpha/dt against it (the
// logit head's derivative formed with the exact alpha; the Sobolev router's total derivative along
// the exact PF-ODE, by central difference); for MoG-da also the total variation to the exact alpha
// of alpha integrated along exact PF-ODE paths.
#pragma once
#include <torch/types.h>

#include <cmath>
#include <string>
#include <vector>

#include "dist/process_group.h"
#include "router/router.h"
#include "router/router_examples.h"
#include "util/json.h"

namespace ddm {

struct IntervalEval {
  std::string name;
  double lo = 0, hi = 0;
  double cross_entropy = 0, alpha_mae = std::nan(""), dalpha_mae = std::nan("");
  // Mean |exact d alpha/dt| of the same points: the error of predicting no change, the scale that
  // makes dalpha_mae mean something (a derivative of the wrong sign errs by about twice it).
  double dalpha_mean = std::nan("");
  // The cosine between the predicted and the exact d alpha/dt over the points: the direction, which
  // a derivative of the right size but the wrong sign, or of the wrong size but the right sign,
  // shows where the mean error cannot.
  double dalpha_cosine = std::nan("");
};

struct RouterEvaluation {
  std::vector<IntervalEval> intervals;
  double integrated_tv = std::nan("");  // MoG-da with exact targets only
  int integrated_steps = 0;
  // Sobolev only: the central difference's relative error against the exact JVP (double backward),
  // ||fd - jvp|| / ||jvp|| over held-out points at router.sobolev_step.
  double difference_error = std::nan("");
  Json to_json() const;
};

// MoG-da's three intervals [t_min, t1), [t1, t2), [t2, t_max] (every router is evaluated on them).
std::vector<IntervalEval> intervals_of(const RouterMeta& m, double t_max);

// `samples` held-out points per interval from `examples` (cross-entropies summed over the ranks
// that split the examples between them).
RouterEvaluation evaluate_router(const Router& router, RouterExamples& examples, int samples, uint64_t seed,
                                 const Dist& dist, torch::Device device, double sobolev_step = 1e-3);

}  // namespace ddm
