// Each expert's cached pool of samples for the data-free router (see expert_pool.h).
#include "sample/expert_pool.h"

#include <filesystem>
#include <optional>

#include "run/layout.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/npy.h"
#include "util/progress.h"
#include "util/seed.h"

namespace ddm {
namespace {

// What made the pool: a cache made by another expert checkpoint or sampler is refused.
Json pool_record(const Expert& e, const SampleConfig& sc, const PoolOptions& opt) {
  Json j = Json::object();
  // The checkpoint by its folder and file name, so that a run folder moved or linked elsewhere
  // keeps its pools.
  const std::filesystem::path p(e.path);
  j["expert"] = (p.parent_path().filename() / p.filename()).string();
  j["expert_step"] = e.meta.step;
  j["solver"] = to_string(sc.solver);
  j["spacing"] = to_string(sc.spacing);
  j["steps"] = sc.steps;
  j["chunk"] = sc.batch_size;
  j["seed"] = opt.seed;
  return j;
}

void check_record(const std::string& dir, const Json& want) {
  const std::string path = path_join(dir, "pool.json");
  if (!path_exists(path)) {
    atomic_write(path, want.dump(2) + "\n");
    return;
  }
  const Json have = read_json(path);
  for (const auto& [key, value] : want.items())
    require(have.contains(key) && have.at(key) == value,
            "{}: this pool was made with {} = {}, now {} = {}: delete {} to generate it again", path, key,
            have.contains(key) ? have.at(key).dump() : "(missing)", key, value.dump(), dir);
}

void write_chunk(const std::string& path, const torch::Tensor& x, bool image) {
  if (image) {
    const torch::Tensor u8 = to_uint8(x).contiguous();
    write_npy(path, NpyArray::from(NpyType::kU8, u8.sizes().vec(), u8.data_ptr<uint8_t>()));
  } else {
    const torch::Tensor f = x.to(torch::kFloat32).contiguous();
    write_npy(path, NpyArray::from(NpyType::kF32, f.sizes().vec(), f.data_ptr<float>()));
  }
}

torch::Tensor read_chunk(const std::string& path, bool image) {
  const NpyArray a = read_npy(path);
  require(a.dtype == (image ? NpyType::kU8 : NpyType::kF32), "{}: expected {} samples, got {}", path,
          image ? "uint8" : "float32", to_string(a.dtype));
  const auto type = image ? torch::kUInt8 : torch::kFloat32;
  return torch::from_blob(const_cast<uint8_t*>(a.bytes.data()), a.shape, type).clone();
}

}  // namespace

std::shared_ptr<const Dataset> expert_pool(const ModelSources& from, const SampleConfig& sc, int k,
                                           const PoolOptions& opt, torch::Device device) {
  SampleConfig s = sc;
  s.expert = k;
  s.baseline = false;
  s.experts = ExpertSource::kTrained;
  const SamplingModel model = load_sampling_model(from, s, device);
  const bool image = model.sample_shape.size() == 3;
  const std::string dir = from.run.router_pool(k);
  ensure_writable_dir(dir);
  check_record(dir, pool_record(model.experts[0], s, opt));
  // Whole chunks, whatever router.pool is: a chunk's samples depend on (seed, k, chunk) alone, so
  // a larger pool extends a smaller one and a smaller one reads a prefix.
  const int64_t chunks = (opt.per_expert + s.batch_size - 1) / s.batch_size;
  std::vector<torch::Tensor> parts;
  std::optional<ProgressBar> bar;
  if (opt.progress) bar.emplace(format("pool of expert {}", k), chunks * s.batch_size, "samples");
  s.num = s.batch_size;
  for (int64_t i = 0; i < chunks; ++i) {
    const std::string path = path_join(dir, format("chunk-{:05d}.npy", i));
    if (!path_exists(path)) {
      s.seed = static_cast<int64_t>(stream_seed(stream_seed(opt.seed, static_cast<uint64_t>(k)), i) >> 1);
      write_chunk(path, generate_samples(model, s, device, false).samples, image);
    }
    parts.push_back(read_chunk(path, image));
    require(parts.back().size(0) == s.batch_size, "{}: {} samples, expected {}: delete it to generate it again", path,
            parts.back().size(0), s.batch_size);
    if (bar) bar->update((i + 1) * s.batch_size);
  }
  if (bar) bar->finish();
  auto d = std::make_shared<Dataset>();
  d->name = format("samples of expert {}", k);
  d->data = torch::cat(parts).slice(0, 0, opt.per_expert);
  d->labels = torch::full({d->size()}, static_cast<int64_t>(k), torch::kLong);
  return d;
}

}  // namespace ddm
