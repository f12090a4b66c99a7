// Trajectory error (reference paper, appendix E.3; design.md section 7): for each step count N,
// the mean squared distance of N-step samples to reference samples (e.g. 1000-step DDIM) from
// the same initial noise, and the fit err = c N^-p.
#pragma once
#include <torch/types.h>

#include <vector>

#include "eval/fit.h"
#include "sample/sampler.h"

namespace ddm {

struct TrajectoryRow {
  int steps = 0;
  double mse = 0;  // mean over samples of ||x_N - x_ref||^2
};

struct TrajectoryResult {
  std::vector<TrajectoryRow> rows;
  int reference_steps = 0;
  PowerFit fit;
  Json to_json() const;
};

TrajectoryResult trajectory_error(const SamplingModel& model, SampleConfig sc, const std::vector<int>& steps,
                                  int reference_steps, torch::Device device);

}  // namespace ddm
