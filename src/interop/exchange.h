// ddm's checkpoints in the ecosystem's layouts, and back:
//  - an expert -> a DDIMPipeline folder: model_index.json, unet/ (UNet2DModel's config.json and
//    diffusion_pytorch_model.safetensors: the EMA weights), scheduler/scheduler_config.json
//    (DDIMScheduler: the same betas and prediction type), ddm_expert.json (what ddm knows
//    besides: shard, K, data set, t_min);
//  - a router -> router.safetensors (MoG-a's network, or MoG-da's three interval networks under
//    net0., net1., net2.) and router_config.json (kind, K, priors, intervals, architecture, config);
//  - a run -> one such folder per expert and router, and priors.json (the Paris layout);
//  - a diffusers UNet2DModel folder (config.json, weights as safetensors or torch.save's .bin,
//    scheduler_config.json beside them) or a pipeline folder (model_index.json, unet/, scheduler/)
//    -> a ddm expert checkpoint (weights in both model. and ema., no optimiser state), for
//    sampling (--shard all: the baseline), as an expert, or as the start of fine-tuning
//    (train-expert --init FILE).
#pragma once
#include <string>
#include <vector>

#include "config/config.h"
#include "models/checkpoint.h"
#include "run/layout.h"

namespace ddm {

void export_expert(const std::string& checkpoint, const std::string& out_dir);
void export_router(const std::string& checkpoint, const std::string& out_dir);
// Every expert and router of the run (their newest checkpoints); returns the folders written.
std::vector<std::string> export_run(const RunLayout& run, const std::string& out_dir);

// The files of a UNet2DModel folder or of a pipeline folder's unet/ and scheduler/.
struct UNet2DFiles {
  std::string config, weights;  // config.json; diffusion_pytorch_model.safetensors, else .bin
  std::string scheduler;        // scheduler_config.json, "" when absent
};
UNet2DFiles find_unet2d_files(const std::string& folder);

struct ImportOptions {
  int shard = -1;       // kAllShards
  int k = 1;            // shards in the manifest the expert belongs to
  std::string dataset;  // "" : ddm_expert.json's, or "imported"
  double t_min = 1e-3;
};
// A UNet2DModel folder as an expert checkpoint; `base` supplies every config section but model.
Checkpoint import_unet2d(const std::string& folder, const Config& base, const ImportOptions& opts);
// The scheduler_config.json of a DDIMScheduler/DDPMScheduler as ddm's diffusion.* fields
// (linear and squaredcos_cap_v2 betas; epsilon, v_prediction or sample). `discrete`: keep its
// T timesteps (diffusion.train_timesteps, timestep_spacing, steps_offset, set_alpha_to_one);
// else the continuous schedule with the same betas.
void read_scheduler_config(const Json& j, const std::string& source, DiffusionConfig& d, bool discrete);

}  // namespace ddm
