// Joining a federation of parties (see federation.h).
#include "router/federation.h"

#include "config/config.h"
#include "dist/data_parallel.h"
#include "util/error.h"
#include "util/log.h"

namespace ddm {
namespace {

// FNV-1a: the same configuration gives the same number on every rank of one ddm build.
uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (const unsigned char ch : s) h = (h ^ ch) * 1099511628211ULL;
  return h;
}

// What each rank says of itself, as numbers: [read ok, examples, config hash (2 x 32 bits),
// shards.k, rank of the shape, up to 4 dimensions].
constexpr size_t kSlots = 10;
std::vector<double> self_report(const Config& cfg, const Dataset* data) {
  const uint64_t h = fnv1a(config_to_json(cfg).dump());
  std::vector<double> v(kSlots, 0.0);
  v[0] = data ? 1 : 0;
  v[1] = data ? static_cast<double>(data->size()) : 0;
  v[2] = static_cast<double>(h >> 32), v[3] = static_cast<double>(h & 0xffffffffULL);
  v[4] = cfg.shards.k;
  if (data) {
    const auto shape = data->sample_shape();
    v[5] = static_cast<double>(shape.size());
    for (size_t i = 0; i < shape.size() && i < 4; ++i) v[6 + i] = static_cast<double>(shape[i]);
  }
  return v;
}

std::string shape_text(const std::vector<double>& v) {
  std::string s;
  for (int i = 0; i < static_cast<int>(v[5]) && i < 4; ++i) s += format("{}{}", s.empty() ? "" : "x", v[6 + i]);
  return s;
}

// The same verdict on every rank, from every rank's report.
void check_reports(const std::vector<std::vector<double>>& all, const std::string& path) {
  const int w = static_cast<int>(all.size());
  for (int r = 0; r < w; ++r) {
    require(all[r][0] == 1, "federated router: rank {} could not read its data set ({}; its own log says why)", r,
            party_path(path, r));
    require(all[r][1] > 0, "federated router: rank {}'s data set {} is empty", r, party_path(path, r));
  }
  for (int r = 0; r < w; ++r)
    require(all[r][4] == w,
            "federated router: rank {} has shards.k = {} but the federation has {} parties "
            "(WORLD_SIZE): K is the number of parties",
            r, all[r][4], w);
  for (int r = 1; r < w; ++r) {
    require(all[r][2] == all[0][2] && all[r][3] == all[0][3],
            "federated router: rank {}'s configuration differs from rank 0's (every party runs the same config: "
            "compare their config.yaml)",
            r);
    require(shape_text(all[r]) == shape_text(all[0]),
            "federated router: rank {}'s examples have shape {}, rank 0's have {}", r, shape_text(all[r]),
            shape_text(all[0]));
  }
}

}  // namespace

std::string party_path(const std::string& path, int rank) {
  const size_t at = path.find("{rank}");
  require(at != std::string::npos,
          "router.federated: data.path = {} has no {{rank}}: each party reads its own folder, data.path with {{rank}} "
          "replaced by its rank",
          path);
  std::string out = path;
  for (size_t p = out.find("{rank}"); p != std::string::npos; p = out.find("{rank}"))
    out.replace(p, 6, std::to_string(rank));
  return out;
}

Federation join_federation(const Dist& dist, const Config& cfg) {
  require(dist.world() >= 2,
          "router.federated: WORLD_SIZE = {}: run one process per party under torchrun (K = WORLD_SIZE >= 2)",
          dist.world());
  Federation f;
  DataConfig mine = cfg.data;
  mine.path = party_path(cfg.data.path, dist.rank());
  try {
    f.data = std::make_shared<const Dataset>(load_dataset(mine));
  } catch (const Error& e) {  // still join the check, so that no rank waits on this one
    log::error("rank {}: {}", dist.rank(), e.what());
  }
  const auto all = gather_values(dist, self_report(cfg, f.data.get()));
  check_reports(all, cfg.data.path);
  for (const auto& r : all) f.counts.push_back(static_cast<int64_t>(r[1]));
  log::info("federated router: party {} of {} reads {} ({} examples); parties' counts {}", dist.rank(), dist.world(),
            mine.path, f.data->size(), torch::IntArrayRef(f.counts));
  return f;
}

}  // namespace ddm
