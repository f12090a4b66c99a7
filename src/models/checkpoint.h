// ddm's checkpoint file: JSON metadata plus named tensors, CRC-checked, written atomically.
//
//   "DDMCKPT1" | u64 header length | header JSON | tensor bytes (64-byte aligned) | u32 CRC-32
//
// The header holds {"meta": {...}, "tensors": [{name, dtype, shape, offset, nbytes}]}; the CRC
// covers everything before it, so a truncated or corrupted file is refused with a message that
// names it, never loaded half-way. `CheckpointDir` keeps the last few in a run folder.
// It sits beside the networks, not with the trainer, so that sampling reads checkpoints without
// linking training code.
#pragma once
#include <torch/nn/module.h>
#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "util/json.h"

namespace ddm {

struct Checkpoint {
  Json meta = Json::object();
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  std::string source;  // the file it was read from (for messages)

  void put(const std::string& name, const torch::Tensor& t);
  bool has(const std::string& name) const;
  const torch::Tensor& get(const std::string& name) const;  // fails naming the file and tensor

  // Every parameter and buffer of `m` under "<prefix><name>".
  void put_module(const std::string& prefix, const torch::nn::Module& m);
  // Copies them back; fails (naming the file, tensor and both shapes) when names or shapes
  // differ, i.e. the checkpoint is for another architecture.
  void load_module(const std::string& prefix, torch::nn::Module& m) const;
};

void save_checkpoint(const std::string& path, const Checkpoint& ckpt);
Checkpoint load_checkpoint(const std::string& path);
Json read_checkpoint_meta(const std::string& path);  // header only; still checks the CRC
bool is_checkpoint_file(const std::string& path);    // by its magic bytes

// The checkpoints of one run folder: <dir>/ckpt-<step>.ddm, newest kept, older pruned.
class CheckpointDir {
 public:
  CheckpointDir(std::string dir, int keep);
  std::string latest() const;                // "" when none
  int64_t latest_step() const;               // -1 when none
  std::string path_for(int64_t step) const;  // <dir>/ckpt-<step, 10 digits>.ddm
  std::string save(const Checkpoint& ckpt, int64_t step) const;
  void remove_all() const;
  // Deletes the temporary files of writes a killed process left (ckpt-*.ddm.tmp.<pid>); call it
  // only while holding the folder's lock.
  void remove_stale_temporaries() const;
  std::vector<std::string> list() const;  // oldest first

 private:
  std::string dir_;
  int keep_;
};

}  // namespace ddm
