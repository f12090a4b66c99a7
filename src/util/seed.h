// Seeds for independent random streams derived from one user seed: a batch's noise and routing
// draws come from (seed, batch index), so that any split of the batches over ranks or runs gives
// the same numbers as one process. SplitMix64's finaliser mixes the pair, so nearby
// seeds and indices give unrelated streams.
#pragma once
#include <cstdint>

namespace ddm {

inline uint64_t stream_seed(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace ddm
