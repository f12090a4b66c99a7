// Partitioning (by label, k-means, random) and the shard manifest (see shards.h).
#include "data/shards.h"

#include <torch/types.h>

#include "config/config.h"
#include "data/kmeans.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/npy.h"

namespace ddm {
namespace {

torch::Tensor kmeans_features(const Dataset& data, const ShardsConfig& cfg) {
  if (cfg.features.empty()) return data.all().reshape({data.size(), -1});
  const NpyArray a = read_npy(cfg.features);
  require(a.shape.size() == 2, "{}: feature file must be N x F, got {} dimensions", cfg.features, a.shape.size());
  require(a.shape[0] == data.size(), "{}: {} feature rows for {} examples of {}", cfg.features, a.shape[0], data.size(),
          data.name);
  const std::vector<double> v = a.to_finite_double(cfg.features);
  return torch::tensor(v, torch::kFloat64).reshape({a.shape[0], a.shape[1]}).to(torch::kFloat32);
}

}  // namespace

Json data_config_json(const DataConfig& data) {
  Config c;
  c.data = data;
  Json j = Json::object();
  for (const auto& f : config_fields())  // data.max_bytes caps reading; it does not change the data
    if (f.key.rfind("data.", 0) == 0 && f.key != "data.max_bytes") j[f.key.substr(5)] = f.get(c);
  return j;
}

ShardManifest make_shards(const Dataset& data, const DataConfig& data_cfg, const ShardsConfig& cfg) {
  const int64_t n = data.size();
  require(cfg.k <= n, "shards.k = {} is larger than the number of examples ({}) in {}", cfg.k, n, data.name);
  torch::Tensor assign;
  switch (cfg.method) {
    case ShardMethod::kLabel: {
      require(data.has_labels(), "shards.method=label: {} has no labels (use kmeans or random)", data.name);
      const int classes = data.num_classes();
      require(classes == cfg.k, "shards.method=label: {} has {} labels but shards.k = {} (set shards.k={})", data.name,
              classes, cfg.k, classes);
      assign = data.labels.clone();
      break;
    }
    case ShardMethod::kKmeans: {
      const KmeansResult r =
          kmeans(kmeans_features(data, cfg), cfg.k, cfg.kmeans_iters, static_cast<uint64_t>(cfg.seed), cfg.balanced);
      log::info("k-means: {} iterations, inertia {:.4g}", r.iterations, r.inertia);
      assign = r.assignment;
      break;
    }
    case ShardMethod::kFolders: {
      require(!data.part_sizes.empty(), "shards.method=folders: {} was not read as party folders", data.name);
      require(static_cast<int>(data.parts.size()) == cfg.k,
              "shards.method=folders: data.path has {} party folders ({}) but shards.k = {} (set shards.k={})",
              data.parts.size(), data.parts.front() + ".." + data.parts.back(), cfg.k, data.parts.size());
      std::vector<torch::Tensor> ids;
      for (size_t j = 0; j < data.part_sizes.size(); ++j)
        ids.push_back(torch::full({data.part_sizes[j]}, static_cast<int64_t>(j), torch::kLong));
      assign = torch::cat(ids);
      break;
    }
    case ShardMethod::kCounts:
      fail("shards.method=counts makes a manifest from shards.counts alone, without data");
    case ShardMethod::kRandom: {
      auto gen = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(cfg.seed));
      const torch::Tensor perm = torch::randperm(n, gen, torch::kLong);
      assign = torch::empty({n}, torch::kLong).index_put_({perm}, torch::arange(n, torch::kLong) % cfg.k);
      break;
    }
  }
  ShardManifest m;
  m.dataset = data.name;
  m.data_config = data_config_json(data_cfg);
  m.k = cfg.k;
  m.method = cfg.method;
  m.seed = cfg.seed;
  m.n = n;
  m.class_names = data.class_names;
  const torch::Tensor a = assign.contiguous();
  m.shards.resize(static_cast<size_t>(cfg.k));
  const int64_t* ap = a.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) m.shards[static_cast<size_t>(ap[i])].push_back(i);
  for (int j = 0; j < cfg.k; ++j)
    require(!m.shards[j].empty(), "shard {} of {} is empty ({}): every expert needs data", j, cfg.k,
            to_string(cfg.method));
  if (data.has_labels()) {
    const int classes = data.num_classes();
    for (int j = 0; j < cfg.k; ++j) {
      const torch::Tensor counts = torch::bincount(data.labels.index_select(0, m.indices(j)), {}, classes);
      const torch::Tensor c = counts.contiguous();
      m.label_counts.emplace_back(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + classes);
    }
  }
  return m;
}

ShardManifest manifest_from_counts(const ShardsConfig& cfg) {
  require(cfg.method == ShardMethod::kCounts && static_cast<int>(cfg.counts.size()) == cfg.k,
          "shards.method=counts needs shards.k counts in shards.counts, got {} for k = {}", cfg.counts.size(), cfg.k);
  ShardManifest m;
  m.dataset = "counts";
  m.data_config = Json::object();  // nothing to compare: no data set was read
  m.k = cfg.k;
  m.method = ShardMethod::kCounts;
  m.seed = cfg.seed;
  for (const int c : cfg.counts) {
    m.counts.push_back(c);
    m.n += c;
  }
  return m;
}

int64_t ShardManifest::size(int shard) const {
  return has_indices() ? static_cast<int64_t>(shards.at(static_cast<size_t>(shard)).size())
                       : counts.at(static_cast<size_t>(shard));
}

std::vector<double> ShardManifest::priors() const {
  std::vector<double> p;
  for (int j = 0; j < k; ++j) p.push_back(static_cast<double>(size(j)) / static_cast<double>(n));
  return p;
}

torch::Tensor ShardManifest::prior_tensor() const { return torch::tensor(priors(), torch::kFloat64); }

torch::Tensor ShardManifest::assignment() const {
  torch::Tensor a = torch::empty({n}, torch::kLong);
  for (int j = 0; j < k; ++j) a.index_fill_(0, indices(j), j);
  return a;
}

torch::Tensor ShardManifest::indices(int shard) const {
  require(shard >= 0 && shard < k, "shard {} out of range: the manifest has K = {} shards (0..{})", shard, k, k - 1);
  require(has_indices(),
          "the shard manifest was made from example counts alone (shards.method=counts): it lists no examples, so "
          "this needs the data set's own manifest (ddm prepare with a data set)");
  return torch::tensor(shards[static_cast<size_t>(shard)], torch::kLong);
}

Json ShardManifest::to_json() const {
  Json j = Json::object();
  j["format"] = "ddm-shards-v1";
  j["dataset"] = dataset;
  j["data"] = data_config;
  j["k"] = k;
  j["method"] = to_string(method);
  j["seed"] = seed;
  j["n"] = n;
  j["class_names"] = Json(class_names);
  Json arr = Json::array();
  const auto p = priors();
  for (int s = 0; s < k; ++s) {
    Json e = Json::object();
    e["shard"] = s;
    e["size"] = size(s);
    e["prior"] = p[s];
    if (!label_counts.empty()) e["label_counts"] = Json(label_counts[s]);
    if (has_indices()) e["indices"] = Json(shards[s]);
    arr.push_back(std::move(e));
  }
  j["shards"] = std::move(arr);
  return j;
}

ShardManifest ShardManifest::from_json(const Json& j, const std::string& source) {
  try {
    require(j.is_object() && j.contains("format") && j.at("format").get<std::string>() == "ddm-shards-v1",
            "not a ddm shard manifest (no \"format\": \"ddm-shards-v1\")");
    ShardManifest m;
    m.dataset = j.at("dataset").get<std::string>();
    m.data_config = j.at("data");
    const int64_t k = json_int(j.at("k"));
    require(k >= 1 && k <= (1 << 20), "k = {} is not a number of shards", k);
    m.k = static_cast<int>(k);
    m.method = parse_enum<ShardMethod>(j.at("method").get<std::string>(), "method");
    m.seed = json_int(j.at("seed"));
    m.n = json_int(j.at("n"));
    for (const auto& c : j.at("class_names")) m.class_names.push_back(c.get<std::string>());
    const Json& arr = j.at("shards");
    require(static_cast<int>(arr.size()) == m.k, "{} shards listed, k = {}", arr.size(), m.k);
    size_t listed = 0;
    if (m.method == ShardMethod::kCounts) {  // no data: sizes only
      for (const auto& e : arr) m.counts.push_back(json_int(e.at("size")));
      int64_t total = 0;
      for (const int64_t c : m.counts) {
        require(c >= 1 && c <= (int64_t{1} << 40), "shard size {} is not a count of examples", c);
        total += c;
      }
      require(total == m.n, "the shard sizes add up to {}, n = {}", total, m.n);
      return m;
    }
    for (const auto& e : arr) {
      m.shards.push_back(json_ints(e.at("indices")));
      if (e.contains("label_counts")) m.label_counts.push_back(json_ints(e.at("label_counts")));
      listed += m.shards.back().size();
    }
    // Every example is in exactly one shard: checked against what the file lists before n is
    // used as an allocation size.
    require(m.n >= 0 && static_cast<uint64_t>(m.n) == listed, "the shards list {} indices, n = {}", listed, m.n);
    std::vector<char> seen(static_cast<size_t>(m.n), 0);
    for (const auto& shard : m.shards)
      for (const int64_t i : shard) {
        require(i >= 0 && i < m.n, "index {} out of range [0, {})", i, m.n);
        require(!seen[i]++, "index {} is in two shards", i);
      }
    return m;
  } catch (const std::exception& e) {  // ddm's checks and nlohmann's missing keys and types
    fail("{}: {}", source, json_error(e));
  }
}

void ShardManifest::save(const std::string& path) const { atomic_write(path, to_json().dump(1) + "\n"); }

ShardManifest ShardManifest::load(const std::string& path) {
  if (!path_exists(path)) fail("no shard manifest at {}: run `ddm prepare` with the same config first", path);
  return from_json(read_json(path), path);
}

void ShardManifest::check_matches(const DataConfig& cfg, const std::string& source) const {
  const Json now = data_config_json(cfg);
  for (const auto& [key, value] : data_config.items()) {
    const auto v = now.find(key);
    const bool missing = v == now.end();
    if (missing || *v != value)  // by value: 1 and 1.0 are the same number (older manifests wrote "1")
      fail("{}: the manifest was made with data.{} = {}, the config says {}: run `ddm prepare` again", source, key,
           value.dump(), missing ? "(missing)" : v->dump());
  }
}

}  // namespace ddm
