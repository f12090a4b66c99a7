// The alpha sources of sampling (sample.alpha) as one table: what each reads from a run (which
// router folder, the exact posterior) and how tables name it. Sampling,
// evaluation, benchmarks and router-check read it instead of deciding case by case.
#pragma once
#include <optional>
#include <string>

#include "config/enums.h"

namespace ddm {

struct AlphaSourceSpec {
  AlphaSource source;
  std::optional<RouterKind> router;  // the router it reads; none for the oracle
  bool integrated;                   // integrates the router's derivative along the path
  bool needs_exact;                  // the exact posterior over the data set (the oracle)
  const char* label;                 // its name in tables
};

const AlphaSourceSpec& alpha_source_spec(AlphaSource source);

}  // namespace ddm
