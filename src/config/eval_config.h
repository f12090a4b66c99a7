// The `eval` section of the run configuration: `ddm trajectory`, `ddm evaluate` and friends
// (design.md section 7).
// Included alone by code that needs only this section: a change to another section's fields
// does not rebuild it.
#pragma once
#include <cstdint>
#include <string>

#include "config/field.h"

namespace ddm {

#define DDM_EVAL_FIELDS(X)                                                                                          \
  X(IntList, trajectory_steps, (IntList{5, 10, 20, 50, 100, 200}), (Range{1, 100000}), "trajectory: step counts N") \
  X(int, reference_steps, 1000, (Range{2, 1000000}), "trajectory: steps of the reference run")                      \
  X(IntList, table_steps, (IntList{10, 25, 50, 100}), (Range{1, 100000}), "evaluate: step counts N (columns)")      \
  X(std::string, table_rows, "baseline,fixed,top1-router,switch-router,switch-integrated,mixture-router", kAny,     \
    "evaluate: rows, each baseline, fixed or <rule>-<alpha>")                                                       \
  X(int64_t, samples, 1000, (Range{2, 1e9}), "evaluate: samples per row and N")                                     \
  X(int, seeds, 1, (Range{1, 1000}),                                                                                \
    "evaluate: seeds per cell (sample.seed, +1, ...); the table gives mean and spread")                             \
  X(int64_t, classifier_steps, 1500, (Range{1, 1e9}), "feature classifier: training steps when it must be trained") \
  X(FeatureKind, features, FeatureKind::kClassifier, kAny,                                                          \
    "fid: classifier (a feature classifier trained on the labels: FD, not FID) or inception (FID)")                 \
  X(std::string, inception_weights, "", kAny,                                                                       \
    "fid: pytorch-fid's pt_inception-2015-12-05-6726825d.pth (or its .npz conversion)")

struct EvalConfig {
  DDM_EVAL_FIELDS(DDM_DECLARE_FIELD)
};

}  // namespace ddm
