// Export and import (see exchange.h).
#include "interop/exchange.h"

#include "data/shards.h"
#include "diffusion/solvers.h"
#include "interop/diffusers_unet.h"
#include "interop/torch_safetensors.h"
#include "models/expert.h"
#include "models/network.h"
#include "models/torch_state_dict.h"
#include "router/router.h"
#include "run/run_loading.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

namespace ddm {
namespace {

constexpr int64_t kTrainSteps = 1000;  // DDPM's discretisation: beta_n = beta(t) / 1000

Json scheduler_config(const Schedule& s, Prediction p) {
  const int64_t steps = s.discrete() ? s.discrete_spec().train_steps : kTrainSteps;
  Json j = Json::object();
  j["_class_name"] = "DDIMScheduler";
  j["_diffusers_version"] = "0.42.1";
  j["num_train_timesteps"] = steps;
  j["beta_schedule"] = s.kind() == ScheduleKind::kLinear ? "linear" : "squaredcos_cap_v2";
  j["beta_start"] = s.beta_min() / static_cast<double>(steps);
  j["beta_end"] = s.beta_max() / static_cast<double>(steps);
  j["prediction_type"] = p == Prediction::kEps ? "epsilon" : p == Prediction::kV ? "v_prediction" : "sample";
  // ddm's DDIM default (sample.clip_x0 = auto): the x0 estimate clipped to [-1, 1], the noise
  // direction from the raw prediction; the last step lands on abar = 1, as ddm's does at t = 0.
  j["clip_sample"] = clips_x0_by_default(SolverKind::kDdim);
  j["clip_sample_range"] = 1.0;
  j["set_alpha_to_one"] = s.discrete() ? s.discrete_spec().set_alpha_to_one : true;
  j["steps_offset"] = s.discrete() ? s.discrete_spec().steps_offset : 0;
  j["timestep_spacing"] = to_string(s.discrete() ? s.discrete_spec().spacing : TimestepSpacing::kLeading);
  return j;
}

void write_json(const std::string& path, const Json& j) { atomic_write(path, j.dump(2) + "\n"); }

SafeTensors module_tensors(const torch::nn::Module& m, const std::string& prefix) {
  SafeTensors st;
  for (const auto& p : m.named_parameters()) st.tensors.emplace_back(prefix + p.key(), to_safe_tensor(p.value()));
  for (const auto& b : m.named_buffers()) st.tensors.emplace_back(prefix + b.key(), to_safe_tensor(b.value()));
  return st;
}

std::string latest_checkpoint(const std::string& dir) { return CheckpointDir(dir, 1).latest(); }

SafeTensors read_unet2d_weights(const std::string& path) {
  if (!path.ends_with(".bin")) return read_safetensors(path);
  SafeTensors st;
  for (const auto& [name, t] : read_torch_state_dict(path)) st.tensors.emplace_back(name, to_safe_tensor(t));
  return st;
}

}  // namespace

void export_expert(const std::string& checkpoint, const std::string& out_dir) {
  const Expert e = load_expert(checkpoint, torch::kCPU);
  const ModelConfig model = model_config_from_architecture(e.meta.architecture, checkpoint);
  require(resolve_arch(model.arch, e.meta.sample_shape) == ModelArch::kUnet,
          "{}: an MLP expert (2-D points): diffusers has no model for it; export takes U-Net experts", checkpoint);
  const Json config = unet2d_config(model, e.meta.sample_shape);
  SafeTensors st = to_unet2d_weights(*e.net, static_cast<int>(model.channel_mult.size()));
  st.metadata = {{"format", "pt"}, {"ddm_checkpoint", checkpoint}, {"ddm_step", std::to_string(e.meta.step)}};
  // DDIMPipeline's layout, so that DDIMPipeline.from_pretrained(out_dir) loads it in one line.
  const std::string unet = path_join(out_dir, "unet"), scheduler = path_join(out_dir, "scheduler");
  ensure_writable_dir(out_dir);
  ensure_writable_dir(unet);
  ensure_writable_dir(scheduler);
  write_json(path_join(unet, "config.json"), config);
  write_safetensors(path_join(unet, "diffusion_pytorch_model.safetensors"), st);
  write_json(path_join(scheduler, "scheduler_config.json"), scheduler_config(e.meta.schedule, e.meta.prediction));
  write_json(path_join(out_dir, "ddm_expert.json"), e.meta.to_json());
  Json index = Json::object();
  index["_class_name"] = "DDIMPipeline";
  index["_diffusers_version"] = "0.42.1";
  index["scheduler"] = Json::array({"diffusers", "DDIMScheduler"});
  index["unet"] = Json::array({"diffusers", "UNet2DModel"});
  write_json(path_join(out_dir, "model_index.json"), index);  // last: its presence marks a whole export
}

void export_router(const std::string& checkpoint, const std::string& out_dir) {
  const Router r = load_router(checkpoint, torch::kCPU);
  SafeTensors st;
  for (size_t i = 0; i < r.nets.size(); ++i) {
    SafeTensors one = module_tensors(*r.nets[i], format("net{}.", i));
    st.tensors.insert(st.tensors.end(), one.tensors.begin(), one.tensors.end());
  }
  st.metadata = {{"format", "pt"}, {"ddm_checkpoint", checkpoint}};
  Json j = Json::object();
  j["router"] = r.meta.to_json();
  j["config"] = read_checkpoint_meta(checkpoint).at("config");  // the header only
  j["networks"] = r.nets.size();
  j["intervals"] = r.nets.size() == 3
                       ? Json::array({Json::array({r.meta.t_min, r.meta.t1}), Json::array({r.meta.t1, r.meta.t2}),
                                      Json::array({r.meta.t2, 1.0})})
                       : Json::array({Json::array({r.meta.t_min, 1.0})});
  ensure_writable_dir(out_dir);
  write_safetensors(path_join(out_dir, "router.safetensors"), st);
  write_json(path_join(out_dir, "router_config.json"), j);
}

std::vector<std::string> export_run(const RunLayout& run, const std::string& out_dir) {
  const ShardManifest m = load_run_manifest(run);
  std::vector<std::string> written;
  auto one = [&](const std::string& folder, bool expert) {
    const std::string ckpt = latest_checkpoint(run.command(folder));
    if (ckpt.empty()) return;
    const std::string out = path_join(out_dir, folder);
    expert ? export_expert(ckpt, out) : export_router(ckpt, out);
    written.push_back(out);
  };
  for (int k = 0; k < m.k; ++k) {
    newest_checkpoint(run.expert(k), format("expert {}", k));  // every expert, or an error naming the missing one
    one(RunLayout::expert_folder(k), true);
  }
  one(RunLayout::expert_folder(kAllShards), true);
  for (const std::string& r : RunLayout::router_folders()) one(r, false);
  Json priors = Json::object();
  priors["k"] = m.k;
  priors["priors"] = m.priors();
  priors["dataset"] = m.to_json().value("dataset", "");
  write_json(path_join(out_dir, "priors.json"), priors);
  return written;
}

void read_scheduler_config(const Json& j, const std::string& source, DiffusionConfig& d, bool discrete) {
  try {
    const int64_t n = j.value("num_train_timesteps", int64_t{1000});
    const std::string betas = j.value("beta_schedule", std::string("linear"));
    require(betas == "linear" || betas == "squaredcos_cap_v2",
            "{}: beta_schedule = {} is not supported (linear, squaredcos_cap_v2)", source, betas);
    d.schedule = betas == "linear" ? ScheduleKind::kLinear : ScheduleKind::kCosine;
    d.beta_min = j.value("beta_start", 0.0001) * static_cast<double>(n);
    d.beta_max = j.value("beta_end", 0.02) * static_cast<double>(n);
    const std::string p = j.value("prediction_type", std::string("epsilon"));
    require(p == "epsilon" || p == "v_prediction" || p == "sample",
            "{}: prediction_type = {} is not supported (epsilon, v_prediction, sample)", source, p);
    d.prediction = p == "epsilon" ? Prediction::kEps : p == "v_prediction" ? Prediction::kV : Prediction::kX0;
    d.train_timesteps = discrete ? n : 0;
    const std::string spacing = j.value("timestep_spacing", std::string("leading"));
    if (!try_parse_enum(spacing, d.timestep_spacing))
      fail("{}: timestep_spacing = {} is not supported ({})", source, spacing, enum_choices<TimestepSpacing>());
    d.steps_offset = j.value("steps_offset", int64_t{0});
    d.set_alpha_to_one = j.value("set_alpha_to_one", true);
  } catch (const Json::exception& e) {
    fail("{}: {}", source, json_error(e));
  }
}

UNet2DFiles find_unet2d_files(const std::string& folder) {
  require(is_directory(folder), "{}: not a folder (a diffusers UNet2DModel or pipeline folder)", folder);
  UNet2DFiles f;
  std::string unet = folder, scheduler = folder;
  if (const std::string index_file = path_join(folder, "model_index.json"); path_exists(index_file)) {
    const Json index = read_json(index_file);
    require(index.is_object() && index.contains("unet"),
            "{}: the pipeline ({}) has no unet component: ddm imports UNet2DModel pipelines (DDPMPipeline, "
            "DDIMPipeline)",
            index_file, index.is_object() ? index.value("_class_name", Json("?")).dump() : index.dump());
    unet = path_join(folder, "unet");
    scheduler = path_join(folder, "scheduler");
  }
  f.config = path_join(unet, "config.json");
  require(path_exists(f.config), "{} not found: a diffusers UNet2DModel folder has config.json", f.config);
  f.weights = path_join(unet, "diffusion_pytorch_model.safetensors");
  if (!path_exists(f.weights)) f.weights = path_join(unet, "diffusion_pytorch_model.bin");
  require(path_exists(f.weights),
          "{}: neither diffusion_pytorch_model.safetensors nor diffusion_pytorch_model.bin (sharded and fp16-variant "
          "weights are not read: save with save_pretrained's defaults)",
          unet);
  if (const std::string s = path_join(scheduler, "scheduler_config.json"); path_exists(s)) f.scheduler = s;
  return f;
}

Checkpoint import_unet2d(const std::string& folder, const Config& base, const ImportOptions& opts) {
  const UNet2DFiles files = find_unet2d_files(folder);
  Config cfg = base;
  std::vector<int64_t> shape;
  cfg.model = model_config_from_unet2d(read_json(files.config), files.config, shape);
  // A network ddm exported (ddm_expert.json) was trained in continuous time; any other was
  // trained at its scheduler's discrete timesteps, and is sampled at exactly those noise levels.
  const bool discrete = !path_exists(path_join(folder, "ddm_expert.json"));
  if (!files.scheduler.empty()) {
    read_scheduler_config(read_json(files.scheduler), files.scheduler, cfg.diffusion, discrete);
  } else {
    log::warn("{}: no scheduler_config.json: assuming DDPM's linear betas 1e-4 .. 0.02 and epsilon prediction", folder);
    read_scheduler_config(Json::object(), folder, cfg.diffusion, discrete);
  }
  const auto net = make_network(cfg.model, shape);
  load_unet2d_weights(*net, static_cast<int>(cfg.model.channel_mult.size()), read_unet2d_weights(files.weights),
                      files.weights);
  ExpertMeta meta;
  meta.shard = opts.shard;
  meta.k = opts.k;
  meta.dataset = opts.dataset.empty() ? "imported" : opts.dataset;
  meta.sample_shape = shape;
  meta.schedule = Schedule::from_config(cfg.diffusion);
  meta.prediction = cfg.diffusion.prediction;
  meta.t_min = opts.t_min;
  meta.architecture = architecture_json(cfg.model, shape);
  Checkpoint ckpt;
  ckpt.meta["format"] = "ddm-checkpoint-v1";
  ckpt.meta["expert"] = meta.to_json();
  ckpt.meta["config"] = config_to_json(cfg);
  ckpt.meta["imported_from"] = folder;
  ckpt.put_module("model.", *net);
  ckpt.put_module("ema.", *net);
  return ckpt;
}

}  // namespace ddm
