// A data-parallel process group on PyTorch's c10d: Gloo for CPU tensors, NCCL for
// CUDA ones, joined from torchrun's environment (dist/env.h). A default Dist is one process, where
// every collective returns at once, so code is written once for both. The c10d headers stay in
// process_group.cpp; a build without c10d still builds and refuses WORLD_SIZE > 1.
//
// Collectives used by ddm, and only these (each is checked across processes by `ddm dist-check`
// and the slow.Distributed tests, because Debian's gloo headers are older than the gloo compiled
// into the pip wheel): all_reduce (sum, max), broadcast, barrier.
#pragma once
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "config/dist_config.h"
#include "dist/env.h"

namespace ddm {

enum class ReduceOp { kSum, kMax };

class Dist {
 public:
  Dist() = default;  // one process
  // Joins the group that `env` describes (one process when it is not distributed). The backend:
  // cfg.backend, or NCCL when `device` is CUDA and Gloo otherwise.
  static Dist join(const DistEnv& env, const DistConfig& cfg, torch::Device device);
  static bool available();  // built with c10d (Gloo)

  int rank() const { return env_.rank; }
  int world() const { return env_.world_size; }
  int local_rank() const { return env_.local_rank; }
  bool active() const { return env_.world_size > 1; }
  bool is_main() const { return env_.rank == 0; }
  std::string backend() const;  // "gloo", "nccl", or "none" for one process

  // In place on every rank. Tensors may live on any device: they travel through the backend's
  // device and come back.
  void all_reduce(std::vector<torch::Tensor>& tensors, ReduceOp op) const;
  void broadcast(std::vector<torch::Tensor>& tensors, int root) const;
  void barrier() const;
  // Scalars: the max over ranks, and root's value on every rank.
  double max(double v) const;
  int64_t broadcast_value(int64_t v, int root = 0) const;

  struct Impl;  // the c10d store and backend (process_group.cpp)

 private:
  DistEnv env_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ddm
