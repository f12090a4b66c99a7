// Experts in and out of diffusers' layout: UNet2DModel loaded from `ddm export`'s
// folder computes ddm's function (checked by diffusers itself; skipped without it), the
// import gives back the same tensors bit for bit, names map one to one, and bad folders get
// one-line errors naming the file and the option or tensor.
#include <gtest/gtest.h>

#include <filesystem>

#include "config/config.h"
#include "data/data_files.h"
#include "interop/diffusers_unet.h"
#include "interop/exchange.h"
#include "interop/torch_safetensors.h"
#include "models/checkpoint.h"
#include "models/expert.h"
#include "models/network.h"
#include "sample/sampler.h"
#include "test_util.h"
#include "tiny_configs.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/npy.h"

namespace ddm {
namespace {

Config unet_config(int channels, IntList mult, int blocks, IntList attn, int groups) {
  Config c;
  c.model = test::tiny_unet(channels, std::move(mult), blocks, std::move(attn), groups);
  return c;
}

// An expert checkpoint with random weights everywhere (DDPM zero-initialises the last layer of
// every residual branch, which would hide a wrong mapping there).
std::string random_expert(const Config& cfg, const std::vector<int64_t>& shape, const std::string& path,
                          double std = 0.2) {
  torch::manual_seed(3);
  auto net = make_network(cfg.model, shape);
  {
    torch::NoGradGuard g;
    for (auto& p : net->parameters()) p.normal_(0, std);
  }
  ExpertMeta m;
  m.sample_shape = shape;
  m.schedule = Schedule::from_config(cfg.diffusion);
  m.architecture = architecture_json(cfg.model, shape);
  Checkpoint ck;
  ck.meta["expert"] = m.to_json();
  ck.meta["config"] = config_to_json(cfg);
  ck.put_module("model.", *net);
  ck.put_module("ema.", *net);
  save_checkpoint(path, ck);
  return path;
}

bool python_has_diffusers() {
  return std::string(DDM_TEST_PYTHON).size() > 0 &&
         test::run_command(std::string(DDM_TEST_PYTHON) + " -c 'import diffusers, safetensors'").status == 0;
}

// Exports, imports back (every tensor bit for bit), then compares with UNet2DModel: without
// diffusers the test is reported skipped, not passed.
void round_trip(const Config& cfg, const std::vector<int64_t>& shape, const test::TempDir& dir) {
  const std::string ckpt = random_expert(cfg, shape, dir / "expert.ddm"), folder = dir / "diffusers";
  export_expert(ckpt, folder);
  const Expert e = load_expert(ckpt, torch::kCPU);
  const Checkpoint back = import_unet2d(folder, cfg, ImportOptions{});
  const Checkpoint orig = load_checkpoint(ckpt);
  for (const auto& [name, tensor] : orig.tensors) {
    if (name.rfind("ema.", 0) == 0) EXPECT_TRUE(torch::equal(back.get(name), tensor)) << name;
  }
  EXPECT_EQ(normalized_architecture(back.meta.at("expert").at("architecture")), e.meta.architecture);
  if (!python_has_diffusers())
    GTEST_SKIP() << "the comparison with diffusers: " << DDM_TEST_PYTHON
                 << " has no diffusers (scripts/setup.sh installs it into .venv)";
  std::vector<int64_t> xs{2};
  xs.insert(xs.end(), shape.begin(), shape.end());
  const torch::Tensor x = torch::randn(xs), t = torch::tensor({0.05f, 0.7f});
  torch::Tensor out;
  {
    torch::NoGradGuard g;
    out = e.net->forward(x, t);
  }
  SafeTensors io;
  io.tensors = {{"x", to_safe_tensor(x)}, {"t", to_safe_tensor(t)}, {"out", to_safe_tensor(out)}};
  write_safetensors(dir / "io.safetensors", io);
  const auto r = test::run_command(format("{} {}/tests/interop/check_unet2d.py {} {}", DDM_TEST_PYTHON, DDM_SOURCE_DIR,
                                          folder, dir / "io.safetensors"));
  ASSERT_EQ(r.status, 0) << r.output;
  const Json j = parse_json(r.output.substr(r.output.rfind("{\"max_rel")), "check_unet2d.py");
  std::printf("diffusers' UNet2DModel against ddm: %s\n", j.dump().c_str());
  EXPECT_LT(j.at("max_rel").get<double>(), 1e-4) << j.dump();
  EXPECT_EQ(j.at("parameters").get<int64_t>(), parameter_count(*e.net));
  EXPECT_NEAR(j.at("beta_start").get<double>(), 1e-4, 1e-12);
  EXPECT_NEAR(j.at("beta_end").get<double>(), 0.02, 1e-12);
  EXPECT_EQ(j.at("prediction_type"), "epsilon");
}

TEST(Diffusers, FashionWidthsOn32PixelsComputeTheSameFunction) {
  test::TempDir dir;
  round_trip(unet_config(16, {1, 2, 4}, 1, {8}, 8), {1, 32, 32}, dir);
}

// A ddm expert built with UNet2DModel's default options (multi-head attention, [cos, sin] time
// embedding without the frequency shift, GroupNorm eps 1e-5) and scale-shift conditioning.
TEST(Diffusers, UNet2DModelOptionsExportAsTheSameFunction) {
  test::TempDir dir;
  Config cfg = unet_config(16, {1, 2}, 1, {8}, 8);
  cfg.model.attn_head_dim = 8;
  cfg.model.time_flip_sin_to_cos = true;
  cfg.model.time_freq_shift = 0;
  cfg.model.norm_eps = 1e-5;
  cfg.model.time_scale_shift = true;
  round_trip(cfg, {1, 16, 16}, dir);
  const Json c = read_json(dir / "diffusers/unet/config.json");
  EXPECT_EQ(c.at("attention_head_dim"), 8);
  EXPECT_EQ(c.at("resnet_time_scale_shift"), "scale_shift");
  EXPECT_EQ(c.at("freq_shift"), 0);
}

TEST(Diffusers, TheCifar10UNetComputesTheSameFunction) {
  test::TempDir dir;
  const Config cfg = unet_config(128, {1, 2, 2, 2}, 2, {16}, 32);
  round_trip(cfg, {3, 32, 32}, dir);
  const Json c = read_json(dir / "diffusers/unet/config.json");  // the public DDPM CIFAR-10 layout
  EXPECT_EQ(c.at("down_block_types"), Json::parse(R"(["DownBlock2D","AttnDownBlock2D","DownBlock2D","DownBlock2D"])"));
  EXPECT_EQ(c.at("up_block_types"), Json::parse(R"(["UpBlock2D","UpBlock2D","AttnUpBlock2D","UpBlock2D"])"));
  EXPECT_EQ(c.at("block_out_channels"), Json::parse("[128,256,256,256]"));
  EXPECT_EQ(c.at("downsample_padding"), 0);
}

TEST(Diffusers, NamesMapOneToOne) {
  EXPECT_EQ(diffusers_name("down1_attn0.q.weight", 4), "down_blocks.1.attentions.0.to_q.weight");
  EXPECT_EQ(diffusers_name("up0_block2.skip.bias", 4), "up_blocks.3.resnets.2.conv_shortcut.bias");
  EXPECT_EQ(diffusers_name("up3_upsample.weight", 4), "up_blocks.0.upsamplers.0.conv.weight");
  EXPECT_EQ(diffusers_name("down2_downsample.bias", 4), "down_blocks.2.downsamplers.0.conv.bias");
  EXPECT_EQ(diffusers_name("mid_attn.proj.weight", 4), "mid_block.attentions.0.to_out.0.weight");
  EXPECT_EQ(diffusers_name("mid_block2.temb_proj.weight", 4), "mid_block.resnets.1.time_emb_proj.weight");
  EXPECT_EQ(diffusers_name("temb0.bias", 4), "time_embedding.linear_1.bias");
  EXPECT_EQ(diffusers_name("norm_out.weight", 4), "conv_norm_out.weight");
  const Config cfg = unet_config(128, {1, 2, 2, 2}, 2, {16}, 32);
  const auto net = make_network(cfg.model, {3, 32, 32});
  std::set<std::string> names;
  for (const auto& p : net->named_parameters()) names.insert(diffusers_name(p.key(), 4));
  EXPECT_EQ(names.size(), net->named_parameters().size());
  EXPECT_EQ(parameter_count(*net), 35746307);
}

TEST(Diffusers, WhatCannotBeRepresentedIsRefusedInOneLine) {
  test::TempDir dir;
  // ddm's 28-pixel networks: 28 -> 14 -> 7 -> 4.
  const Config fashion = unet_config(16, {1, 2, 4, 4}, 1, {7}, 8);
  const std::string e28 = test::error_of([&] { unet2d_config(fashion.model, {1, 28, 28}); });
  EXPECT_NE(e28.find("data.pad: 2"), std::string::npos) << e28;
  EXPECT_EQ(test::count_lines(e28), 1);
  // A folder: export one, then break it in the ways users meet.
  const Config cfg = unet_config(16, {1, 2}, 1, {}, 8);
  export_expert(random_expert(cfg, {1, 16, 16}, dir / "e.ddm"), dir / "f");
  const std::string config = read_file(dir / "f/unet/config.json"),
                    weights = read_file(dir / "f/unet/diffusion_pytorch_model.safetensors");
  auto import_error = [&](const std::string& cfg_text, const std::string& weight_bytes,
                          const std::string& weight_file = "diffusion_pytorch_model.safetensors") {
    std::filesystem::remove_all(dir / "g");
    test::write_bytes(dir / "g/config.json", cfg_text);
    test::write_bytes(dir / ("g/" + weight_file), weight_bytes);
    return test::error_of([&] { import_unet2d(dir / "g", Config(), ImportOptions{}); });
  };
  struct Refused {
    std::string key;
    Json value;
    std::string says;
  };
  for (const Refused& r : {Refused{"resnet_time_scale_shift", "spatial", "resnet_time_scale_shift = spatial"},
                           Refused{"time_embedding_type", "fourier", "time_embedding_type = \"fourier\""},
                           Refused{"mid_block_type", nullptr, "mid_block_type = null"},
                           Refused{"attention_head_dim", 3, "attention_head_dim = 3 does not divide"},
                           Refused{"cross_attention_dim", 768, "option cross_attention_dim = 768 is not supported"}}) {
    Json c = Json::parse(config);
    c[r.key] = r.value;
    const std::string e = import_error(c.dump(), weights);
    EXPECT_NE(e.find(r.says), std::string::npos) << e;
    EXPECT_EQ(test::count_lines(e), 1) << e;
  }
  Json c = Json::parse(config);
  c["block_out_channels"] = Json::parse("[16, 48]");
  const std::string shape_error = import_error(c.dump(), weights);
  EXPECT_NE(shape_error.find("has shape"), std::string::npos) << shape_error;
  SafeTensors st = read_safetensors(dir / "f/unet/diffusion_pytorch_model.safetensors");
  st.tensors.erase(st.tensors.begin() + 3);
  const std::string missing = import_error(config, serialize_safetensors(st));
  EXPECT_NE(missing.find("is missing"), std::string::npos) << missing;
  const std::string cut = import_error(config, weights.substr(0, weights.size() - 10));
  EXPECT_NE(cut.find("truncated"), std::string::npos) << cut;
  const std::string no_weights = import_error(config, "", "weights.pt");
  EXPECT_NE(no_weights.find("neither diffusion_pytorch_model.safetensors nor"), std::string::npos) << no_weights;
  const std::string not_bin = import_error(config, weights, "diffusion_pytorch_model.bin");
  EXPECT_NE(not_bin.find("diffusion_pytorch_model.bin: not a state dict that torch.save wrote"), std::string::npos)
      << not_bin;
  test::write_bytes(dir / "p/model_index.json", R"({"_class_name": "LDMPipeline", "vqvae": ["diffusers", "VQModel"]})");
  const std::string no_unet = test::error_of([&] { import_unet2d(dir / "p", Config(), ImportOptions{}); });
  EXPECT_NE(no_unet.find("has no unet component"), std::string::npos) << no_unet;
  for (const std::string& e : {shape_error, missing, cut, no_weights, not_bin, no_unet})
    EXPECT_EQ(test::count_lines(e), 1) << e;
}

// The commands end to end on a tiny IDX image set padded to 32 x 32: export an expert and the run,
// import the folder as the baseline and sample it, fine-tune from it with --init.
TEST(Diffusers, ExportImportAndInitThroughTheBinary) {
  test::TempDir dir;
  test::write_tiny_fashion(dir / "data", 64);
  test::write_bytes(
      dir / "c.yaml",
      format("data: {{dataset: fashion-mnist, path: {}, pad: 2}}\n"
             "shards: {{k: 2, method: label}}\n"
             "model: {{channels: 8, groups: 4, channel_mult: [1, 2], num_res_blocks: 1, attn_resolutions: [16]}}\n"
             "train: {{steps: 3, batch_size: 8, warmup: 1, checkpoint_every: 3, preview_count: 0}}\n"
             "sample: {{num: 4, batch_size: 4, steps: 2, images: false}}\n"
             "run: {{dir: {}}}\n",
             dir / "data", dir / "run"));
  const std::string cfg = "--config " + dir / "c.yaml -q ";
  ASSERT_EQ(test::run_ddm("prepare " + cfg).status, 0);
  ASSERT_EQ(test::run_ddm("train-expert --shard 0 " + cfg).status, 0);
  auto r = test::run_ddm("export " + dir / "run/expert-0/ckpt-0000000003.ddm --out " + dir / "hf " + cfg);
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* f : {"model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
                        "scheduler/scheduler_config.json", "ddm_expert.json"})
    EXPECT_TRUE(path_exists(dir / ("hf/" + std::string(f)))) << f;
  r = test::run_ddm("import " + dir / "hf --shard all " + cfg);
  ASSERT_EQ(r.status, 0) << r.output;
  r = test::run_ddm("sample --baseline " + cfg);
  ASSERT_EQ(r.status, 0) << r.output;
  test::expect_error(test::run_ddm("import " + dir / "hf --shard all " + cfg), 1, "already holds checkpoints");
  test::expect_error(test::run_ddm("train-expert --shard all " + cfg), 1, "fine-tune it with train-expert --init");
  ASSERT_EQ(test::run_ddm("import " + dir / "hf --out " + dir / "init.ddm " + cfg).status, 0);
  r = test::run_ddm("train-expert --shard 1 --init " + dir / "init.ddm " + cfg);
  ASSERT_EQ(r.status, 0) << r.output;
  test::expect_error(
      test::run_ddm("train-expert --shard 1 --restart --init " + dir / "init.ddm " + cfg + "--set model.channels=16"),
      1, "its architecture");
  r = test::run_ddm("export --out " + dir / "all " + cfg);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(path_exists(dir / "all/expert-1/unet/diffusion_pytorch_model.safetensors"));
  EXPECT_EQ(read_json(dir / "all/priors.json").at("k"), 2);
  // The same data at 28 x 28 with four levels (28 -> 14 -> 7 -> 4): only ddm computes that network
  // (three levels, 28 -> 14 -> 7, export).
  ASSERT_EQ(test::run_ddm("train-expert --shard all " + cfg +
                          "--set data.pad=0 --set model.channel_mult=1,2,2,2 --set run.dir=" + dir / "run28")
                .status,
            0);
  test::expect_error(test::run_ddm("export " + dir / "run28/expert-all/ckpt-0000000003.ddm --out " + dir / "x " + cfg),
                     1, "data.pad: 2");
}

// ddm's DDIM on an exported network equals an independent reference with diffusers'
// DDIMScheduler.step semantics (x0 clipped, the noise from the raw prediction) on the same noise
// file and ddm's time grid, N steps = N evaluations; and it is not the step that re-derives the
// noise from the clipped x0. The random network's x0 estimates leave [-1, 1] at every step, so
// the clip is exercised throughout.
TEST(Diffusers, DdimEqualsTheDiffusersStepOnTheSameNoise) {
  if (!python_has_diffusers())
    GTEST_SKIP() << DDM_TEST_PYTHON << " has no diffusers (scripts/setup.sh installs it into .venv)";
  test::TempDir dir;
  const Config cfg = unet_config(16, {1, 2}, 1, {8}, 8);
  const std::string ckpt = random_expert(cfg, {1, 16, 16}, dir / "expert.ddm", 0.05);
  export_expert(ckpt, dir / "hf");
  torch::manual_seed(11);
  save_noise(dir / "noise.npy", torch::randn({3, 1, 16, 16}));
  SamplingModel m;
  m.experts.push_back(load_expert(ckpt, torch::kCPU));
  m.priors = {1.0};
  m.schedule = m.experts[0].meta.schedule;
  m.sample_shape = {1, 16, 16};
  m.t_min = 1e-3;
  for (int steps : {10, 4}) {
    SampleConfig sc;
    sc.steps = steps;
    sc.solver = SolverKind::kDdim;
    sc.spacing = Spacing::kUniform;  // the reference's grid
    sc.num = 3;
    sc.batch_size = 2;  // two batches: the file's rows in order
    sc.noise = dir / "noise.npy";
    const SampleResult r = generate_samples(m, sc, torch::kCPU, false);
    EXPECT_EQ(r.evaluations, 3 * steps);
    save_noise(dir / "ddm.npy", r.samples);
    const auto out = test::run_command(format("{} {}/tests/interop/ddim_reference.py {} {} {} {} 1e-3", DDM_TEST_PYTHON,
                                              DDM_SOURCE_DIR, dir / "hf", dir / "noise.npy", dir / "ddm.npy", steps));
    ASSERT_EQ(out.status, 0) << out.output;
    const Json j = parse_json(out.output.substr(out.output.rfind("{\"max_abs")), "ddim_reference.py");
    std::printf("ddm DDIM (N = %d) against the diffusers-semantics reference: %s\n", steps, j.dump().c_str());
    EXPECT_LT(j.at("max_abs").get<double>(), 1e-4) << j.dump();
    EXPECT_GT(j.at("old_step_max_abs").get<double>(), 1e-2) << j.dump();  // the clamped-epsilon step is another sampler
  }
}

// An imported DDPM network (a UNet2DModel folder without ddm_expert.json) is sampled at its own
// discrete noise levels: `ddm sample` equals DDIMPipeline's loop (diffusers' DDIMScheduler.step on
// its set_timesteps) on the same noise, for the default leading spacing with abar = 1 at the end
// and for trailing timesteps that end on timestep 0's abar.
TEST(Diffusers, AnImportedDdpmNetworkReproducesDiffusersDdimOnTheSameNoise) {
  if (!python_has_diffusers())
    GTEST_SKIP() << DDM_TEST_PYTHON << " has no diffusers (scripts/setup.sh installs it into .venv)";
  test::TempDir dir;
  const Config cfg = unet_config(16, {1, 2}, 1, {8}, 8);
  export_expert(random_expert(cfg, {1, 16, 16}, dir / "expert.ddm", 0.05), dir / "hf");
  std::filesystem::remove(dir / "hf/ddm_expert.json");  // a folder from elsewhere: trained at discrete timesteps
  torch::manual_seed(12);
  save_noise(dir / "noise.npy", torch::randn({2, 1, 16, 16}));
  struct Case {
    std::string spacing;
    bool alpha_one;
    int steps;
  };
  for (const Case& c : {Case{"leading", true, 10}, Case{"trailing", false, 10}, Case{"leading", true, 3}}) {
    Json sched = read_json(dir / "hf/scheduler/scheduler_config.json");
    sched["timestep_spacing"] = c.spacing;
    sched["set_alpha_to_one"] = c.alpha_one;
    test::write_bytes(dir / "hf/scheduler/scheduler_config.json", sched.dump());
    save_checkpoint(dir / "imported.ddm", import_unet2d(dir / "hf", Config(), ImportOptions{}));
    SamplingModel m;
    m.experts.push_back(load_expert(dir / "imported.ddm", torch::kCPU));
    ASSERT_TRUE(m.experts[0].meta.schedule.discrete());
    m.priors = {1.0};
    m.schedule = m.experts[0].meta.schedule;
    m.sample_shape = {1, 16, 16};
    m.t_min = m.experts[0].meta.t_min;
    SampleConfig sc;  // defaults but the solver: spacing auto (the scheduler's timesteps), clip auto
    sc.solver = SolverKind::kDdim;
    sc.steps = c.steps;
    sc.num = 2;
    sc.noise = dir / "noise.npy";
    save_noise(dir / "ddm.npy", generate_samples(m, sc, torch::kCPU, false).samples);
    const auto out =
        test::run_command(format("{} {}/tests/interop/ddim_pipeline_reference.py {} {} {} {}", DDM_TEST_PYTHON,
                                 DDM_SOURCE_DIR, dir / "hf", dir / "noise.npy", dir / "ddm.npy", c.steps));
    ASSERT_EQ(out.status, 0) << out.output;
    const Json j = parse_json(out.output.substr(out.output.rfind("{\"max_abs")), "ddim_pipeline_reference.py");
    std::printf("imported DDPM network, ddm against diffusers' DDIMScheduler: %s\n", j.dump().c_str());
    EXPECT_LT(j.at("max_abs").get<double>(), 1e-4) << j.dump();
  }
}

// What a party that trained its expert with diffusers hands over: folders written by the installed
// diffusers' own save_pretrained (tests/interop/save_unet2d.py, random weights everywhere), in the
// configurations people have. Each imports; ddm's forward equals UNet2DModel's; ddm's DDIM on the
// imported network equals DDIMPipeline's loop on the original folder on the same noise; and ddm's
// export loads with DDIMPipeline.from_pretrained in one line, computes the original's function
// and runs.
class DiffusersFolders : public testing::TestWithParam<std::string> {};

TEST_P(DiffusersFolders, ImportSampleAndExportAsDiffusersComputes) {
  if (!python_has_diffusers())
    GTEST_SKIP() << DDM_TEST_PYTHON << " has no diffusers (scripts/setup.sh installs it into .venv)";
  test::TempDir dir;
  const std::string script = std::string(DDM_SOURCE_DIR) + "/tests/interop/";
  auto r = test::run_command(format("{} {}save_unet2d.py {} {} {}", DDM_TEST_PYTHON, script, GetParam(),
                                    dir / "original", dir / "io.safetensors"));
  ASSERT_EQ(r.status, 0) << r.output;
  save_checkpoint(dir / "imported.ddm", import_unet2d(dir / "original", Config(), ImportOptions{}));
  SamplingModel m;
  m.experts.push_back(load_expert(dir / "imported.ddm", torch::kCPU));
  const SafeTensors io = read_safetensors(dir / "io.safetensors");
  torch::Tensor out;
  {
    torch::NoGradGuard g;
    out = m.experts[0].net->forward(from_safe_tensor(*io.find("x")), from_safe_tensor(*io.find("t")));
  }
  const torch::Tensor want = from_safe_tensor(*io.find("out"));
  const double forward_rel = ((out - want).abs().max() / want.abs().max()).item<double>();
  std::printf("%s: ddm's forward against UNet2DModel's, max relative error %.2e\n", GetParam().c_str(), forward_rel);
  EXPECT_LT(forward_rel, 1e-5);

  constexpr int kSteps = 10;
  m.priors = {1.0};
  m.schedule = m.experts[0].meta.schedule;
  m.sample_shape = {1, 16, 16};
  m.t_min = m.experts[0].meta.t_min;
  torch::manual_seed(13);
  save_noise(dir / "noise.npy", torch::randn({2, 1, 16, 16}));
  SampleConfig sc;  // defaults but the solver: the scheduler's own timesteps, clip auto
  sc.solver = SolverKind::kDdim;
  sc.steps = kSteps;
  sc.num = 2;
  sc.noise = dir / "noise.npy";
  save_noise(dir / "ddm.npy", generate_samples(m, sc, torch::kCPU, false).samples);
  export_expert(dir / "imported.ddm", dir / "export");
  r = test::run_command(format("{} {}check_import.py {} {} {} {} {} {}", DDM_TEST_PYTHON, script, dir / "original",
                               dir / "export", dir / "io.safetensors", dir / "noise.npy", dir / "ddm.npy", kSteps));
  ASSERT_EQ(r.status, 0) << r.output;
  const Json j = parse_json(r.output.substr(r.output.rfind("{\"ddim_max_abs")), "check_import.py");
  std::printf("%s: %s\n", GetParam().c_str(), j.dump().c_str());
  EXPECT_LT(j.at("ddim_max_abs").get<double>(), 1e-4) << j.dump();
  EXPECT_LT(j.at("export_max_rel").get<double>(), 1e-5) << j.dump();
  EXPECT_EQ(j.at("pipeline_images"), Json::parse("[1, 16, 16, 1]")) << j.dump();
  EXPECT_TRUE(j.at("pipeline_finite").get<bool>()) << j.dump();
}

INSTANTIATE_TEST_SUITE_P(Saved, DiffusersFolders, testing::Values("ddpm", "default", "pipeline", "scale_shift", "bin"),
                         [](const testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
}  // namespace ddm
