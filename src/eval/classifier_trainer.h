// Fits the feature classifier (eval/classifier.h) on a data set's labels when its checkpoint is
// missing. It is its own library, ddm_classifier_train, so that evaluation and sampling link no
// training code: only the commands that may fit a classifier link this one.
#pragma once
#include <torch/types.h>

#include <string>

#include "data/dataset.h"
#include "dist/process_group.h"
#include "eval/classifier.h"

namespace ddm {

// Loads <dir>/classifier.ddm, or trains one on `data` (which needs labels) and saves it there.
// `seed` sets the global generator first either way, as it always has. Under data parallelism
// every rank fits the same network on its share of each batch of 128, and rank 0 saves it.
TrainedClassifier load_or_train_classifier(const std::string& dir, const Dataset& data, int64_t steps, uint64_t seed,
                                           torch::Device device, const Dist& dist = {});

}  // namespace ddm
