// Federated router training (router.federated, design.md section 4c; docs/scaling.md): each
// torchrun rank is one party k = RANK that reads only its own data set, at data.path with
// {rank} replaced, and K = WORLD_SIZE. What leaves a rank: its example count (once, for the
// priors), the checks below, and each step's summed gradients (party_examples.h).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "config/config_fwd.h"
#include "data/dataset.h"
#include "dist/process_group.h"

namespace ddm {

// data.path with every "{rank}" replaced by `rank`; fails unless the path has one.
std::string party_path(const std::string& path, int rank);

struct Federation {
  std::shared_ptr<const Dataset> data;  // this rank's own examples
  std::vector<int64_t> counts;          // every party's example count, by rank
};

// Reads this rank's data set and checks, before any training, that every rank can go on: one
// line on every rank names the rank whose data set is missing or empty, whose example shape
// differs, or whose configuration (or shards.k against WORLD_SIZE) differs. No rank waits on a
// rank that has already failed: a rank that cannot read its data still joins the check.
Federation join_federation(const Dist& dist, const Config& cfg);

}  // namespace ddm
