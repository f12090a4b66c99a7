// `ddm sample`: N-step ODE sampling from the run's experts with a routing rule and an alpha
// source (or from the baseline expert). Writes PNG files, a grid, samples.npz (uint8 N x H x W x C,
// as numpy and pytorch-fid read it; float32 N x D for points) and summary.json.
#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/context.h"
#include "data/dataset.h"
#include "data/grid.h"
#include "run/layout.h"
#include "sample/sampler.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/image.h"
#include "util/log.h"
#include "util/npy.h"
#include "util/plot.h"

namespace ddm::cli {

// Per-step routing statistics (mean entropy of alpha_hat, switch rate) as a plot.
void save_routing_plot(const std::vector<StepRouting>& routing, const std::string& title, const std::string& path) {
  PlotSeries ent{"mean entropy of alpha_hat", {}, {}}, sw{"switch rate", {}, {}};
  for (const StepRouting& row : routing) {
    const double n = row.step;
    if (const auto e = row.mean_entropy()) ent.x.push_back(n), ent.y.push_back(*e);
    if (const auto r = row.switch_rate()) sw.x.push_back(n), sw.y.push_back(*r);
  }
  PlotOptions po;
  po.title = "routing per step: " + title;
  po.xlabel = "step n (t from 1 to t_min)";
  po.y_min = 0;
  std::vector<PlotSeries> series;
  if (!ent.x.empty()) series.push_back(ent);
  series.push_back(sw);
  save_plot(path, series, po);
}

// samples.npz (uint8 N x H x W x C images as pytorch-fid reads them; float32 N x D points) and
// grid.png (the first 64 images, or a scatter plot of the points).
void write_samples(const torch::Tensor& samples, bool images, const std::string& title, const std::string& out) {
  NpyArray arr;
  if (images) {
    const torch::Tensor hwc = to_uint8(samples).permute({0, 2, 3, 1}).contiguous();
    arr = NpyArray::from(NpyType::kU8, hwc.sizes().vec(), hwc.data_ptr<uint8_t>());
    save_grid(path_join(out, "grid.png"), samples.slice(0, 0, std::min<int64_t>(64, samples.size(0))));
  } else {
    const torch::Tensor f = samples.to(torch::kFloat32).contiguous();
    arr = NpyArray::from(NpyType::kF32, f.sizes().vec(), f.data_ptr<float>());
    PlotSeries s{"samples", {}, {}, true};
    for (int64_t i = 0; i < f.size(0); ++i) {
      s.x.push_back(f[i][0].item<double>());
      s.y.push_back(f.size(1) > 1 ? f[i][1].item<double>() : 0.0);
    }
    PlotOptions po;
    po.title = title;
    po.equal_aspect = true;
    save_plot(path_join(out, "grid.png"), {s}, po);
  }
  write_npz(path_join(out, "samples.npz"), {{"samples", arr}});
}

int cmd_sample(const std::vector<std::string>& argv) {
  Args args("sample", "Generate samples: N ODE steps, experts chosen per sample and step by a routing rule.");
  args.key_flags({{"steps", "sample.steps"},
                  {"rule", "sample.rule"},
                  {"alpha", "sample.alpha"},
                  {"num", "sample.num"},
                  {"seed", "sample.seed"},
                  {"out", "sample.out"},
                  {"expert", "sample.expert"},
                  {"experts", "sample.experts"},
                  {"noise", "sample.noise"}});
  args.add()("baseline", "use the expert trained on all data (sample.baseline)")(
      "save-noise", "write the initial noise to <out>/noise.npy (sample.save_noise)");
  if (!args.parse(argv)) return 0;
  Config cfg = args.config();
  if (args.has("baseline")) cfg.sample.baseline = true;
  if (args.has("save-noise")) cfg.sample.save_noise = true;
  const SampleConfig& sc = cfg.sample;
  const std::string out = sc.out.empty() ? RunLayout(cfg.run_dir()).samples(sc) : sc.out;
  torch::Device device = resolve_device(cfg.run.device);
  const Dist& dist = join_process_group(cfg.dist, device);  // ranks share the batches
  // Everything is loaded and checked before the output folder is touched.
  const SamplingModel model = load_sampling_model(model_sources(cfg), sc, device);
  const InitialNoise noise(sc, model.sample_shape);
  open_folder(cfg, out);  // log.txt and config.yaml beside the samples
  log::info(
      "sampling {} with {} ({} steps, {} solver, {} grid{})", sc.num, model.describe(), sc.steps, to_string(sc.solver),
      to_string(sc.spacing),
      sc.baseline || sc.expert >= 0 ? "" : format(", rule {}, alpha {}", to_string(sc.rule), to_string(sc.alpha)));

  const bool images = model.sample_shape.size() == 3;
  if (images && sc.images && dist.is_main()) ensure_writable_dir(path_join(out, "images"));
  const auto on_batch = [&](int64_t first, const torch::Tensor& x) {
    if (!images || !sc.images) return;
    const torch::Tensor u8 = to_uint8(x);
    for (int64_t i = 0; i < u8.size(0); ++i)
      write_png(path_join(path_join(out, "images"), format("{:06d}.png", first + i)), tensor_to_image(u8[i]));
  };
  const SampleResult r = generate_samples(model, sc, device, log::level() <= log::Level::kInfo, on_batch, dist, &noise);
  if (!dist.is_main()) return 0;  // rank 0 writes the same files one process writes
  if (sc.save_noise) save_noise(path_join(out, "noise.npy"), noise.all());

  const std::string name = RunLayout::sample_set_name(sc);
  write_samples(r.samples, images, name, out);

  Json summary = Json::object();
  summary["config"] = config_to_json(cfg);
  summary["model"] = model.describe();
  summary["num"] = sc.num;
  summary["steps"] = sc.steps;
  summary["seconds"] = r.seconds;
  summary["images_per_s"] = static_cast<double>(sc.num) / std::max(r.seconds, 1e-9);
  summary["network_evaluations"] = r.evaluations;
  summary["nfe"] = r.nfe(sc.num);
  summary["evaluations_per_sample_step"] = r.evaluations_per_step(sc.num, sc.steps);
  summary["routing"] = routing_json(r.routing);
  atomic_write(path_join(out, "summary.json"), summary.dump(2) + "\n");
  if (r.routing.size() > 1) save_routing_plot(r.routing, name, path_join(out, "routing.png"));
  std::cout << format("{} samples in {:.1f} s ({:.2f}/s, {:.2f} network evaluations per sample): {}\n", sc.num,
                      r.seconds, summary.at("images_per_s").get<double>(), r.nfe(sc.num), out);
  return 0;
}

}  // namespace ddm::cli
