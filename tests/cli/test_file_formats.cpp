// Every kind of file ddm writes keeps its keys: tests/fixtures/json_v1 holds one of each, written
// by ddm before it used nlohmann-json and torch::optim (make.sh there says how); this build runs
// the same commands and each of its files must have every key of the fixture's, in the same order
// and of the same kind, at every level (new keys may be added). The fixture's checkpoints still
// load and resume.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "models/checkpoint.h"
#include "router/router.h"
#include "test_util.h"
#include "util/fs.h"
#include "util/json.h"

namespace ddm {
namespace {

const std::string kFixtures = std::string(DDM_SOURCE_DIR) + "/tests/fixtures/json_v1";

// What a file says, without the values: objects keep their keys (in order), an array becomes
// the merged shape of its elements, a scalar its kind (numbers and null alike: NaN is written
// as null).
Json merge(Json a, const Json& b) {
  if (a.is_null()) return b;
  if (a.is_object() && b.is_object()) {
    for (const auto& [k, v] : b.items()) a[k] = merge(a.value(k, Json()), v);
    return a;
  }
  if (a.is_array() && b.is_array()) return Json::array({merge(a.empty() ? Json() : a[0], b.empty() ? Json() : b[0])});
  if (a == b) return a;
  std::set<std::string> kinds;
  for (const Json& s : {a, b}) {
    std::istringstream in(s.is_string() ? s.get<std::string>() : s.dump());
    for (std::string k; std::getline(in, k, '|');) kinds.insert(k);
  }
  std::string out;
  for (const auto& k : kinds) out += (out.empty() ? "" : "|") + k;
  return out;
}

Json shape_of(const Json& j) {
  if (j.is_object()) {
    Json s = Json::object();
    for (const auto& [k, v] : j.items()) s[k] = shape_of(v);
    return s;
  }
  if (j.is_array()) {
    Json s;
    for (const auto& e : j) s = merge(s, shape_of(e));
    return Json::array({s});
  }
  if (j.is_string()) return "string";
  if (j.is_boolean()) return "bool";
  return "number";
}

// A .json file, one JSON object per line (.jsonl), or a checkpoint's metadata (.ddm).
Json shape_of_file(const std::string& path) {
  if (path.ends_with(".ddm")) return shape_of(read_checkpoint_meta(path));
  if (!path.ends_with(".jsonl")) return shape_of(read_json(path));
  Json s;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) s = merge(s, shape_of(parse_json(line, path)));
  return s;
}

// The places where `now` lacks a key of `before`, has it out of order, or of another kind.
void compare_shapes(const Json& before, const Json& now, const std::string& at, std::vector<std::string>& problems) {
  if (before.is_object()) {
    if (!now.is_object()) return problems.push_back(at + ": no longer an object");
    int64_t last = -1;
    for (const auto& [k, v] : before.items()) {
      const auto it = now.find(k);
      if (it == now.end()) {
        problems.push_back(at + "/" + k + ": missing");
        continue;
      }
      const int64_t pos = std::distance(now.begin(), it);
      if (pos < last) problems.push_back(at + "/" + k + ": out of order");
      last = pos;
      compare_shapes(v, *it, at + "/" + k, problems);
    }
  } else if (before.is_array()) {
    if (!now.is_array()) return problems.push_back(at + ": no longer an array");
    if (!before.empty() && !before[0].is_null() && !now.empty()) compare_shapes(before[0], now[0], at + "[]", problems);
  } else if (!before.is_null() && before != now && !now.is_null()) {
    problems.push_back(at + ": was " + before.dump() + ", now " + now.dump());
  }
}

// Changes made on purpose, each readable from the old files: the booleans train.bf16 and
// sample.bf16 became auto|on|off (true and false still read as auto and off); the boolean
// sample.clip_denoised became sample.clip_x0 = auto|on|off (the old key and values still read);
// router.derivative was retired with the raw head (its surviving value, logit, still reads).
bool changed_on_purpose(const std::string& problem) {
  for (const char* key :
       {"/config/train/bf16: was \"bool\", now \"string\"", "/config/sample/bf16: was \"bool\", now \"string\"",
        "/config/sample/clip_denoised: missing", "/config/router/derivative: missing"})
    if (problem.ends_with(key)) return true;
  return false;
}

TEST(FileFormats, EveryFileKeepsTheKeysItHadBefore) {
  test::TempDir dir;
  const auto r =
      test::run_command("DDM=" + std::string(DDM_BINARY) + " bash " + kFixtures + "/make.sh " + dir.path() + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* name :
       {"shards.json", "metrics.jsonl", "eval.json", "profile.json", "summary.json", "router-check.json", "theory.json",
        "trajectory.json", "bench.jsonl", "evaluation.json", "expert.ddm", "router-mog-da.ddm"}) {
    const std::string before = kFixtures + "/" + name, now = dir / name;
    std::vector<std::string> problems;
    compare_shapes(shape_of_file(before), shape_of_file(now), name, problems);
    for (const auto& p : problems)
      if (!changed_on_purpose(p)) ADD_FAILURE() << p;
    if (!std::string(name).ends_with(".ddm") && !std::string(name).ends_with(".jsonl")) {
      const Json j = read_json(now);  // and each dumps and parses back to itself
      EXPECT_EQ(parse_json(j.dump(2), name), j) << name;
    }
  }
}

TEST(FileFormats, CheckpointsFromBeforeLoadAndResume) {
  const auto info = test::run_ddm("info " + kFixtures + "/router-mog-da.ddm");
  ASSERT_EQ(info.status, 0) << info.output;
  const Router router = load_router(kFixtures + "/router-mog-da.ddm", torch::kCPU);
  EXPECT_EQ(router.nets.size(), 3u);
  EXPECT_EQ(router.meta.k, 3);

  // The old expert checkpoint, with the state of ddm's own Adam, resumes under torch::optim.
  test::TempDir dir;
  std::filesystem::create_directories(dir / "run/expert-1");
  std::filesystem::copy_file(kFixtures + "/shards.json", dir / "run/shards.json");
  std::filesystem::copy_file(kFixtures + "/expert.ddm", dir / "run/expert-1/ckpt-0000000006.ddm");
  const std::string cfg = "--config " + kFixtures + "/toy.yaml --set run.dir=" + dir / "run" + " -q ";
  const auto r = test::run_ddm("train-expert --shard 1 --set train.steps=8 " + cfg);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(path_exists(dir / "run/expert-1/ckpt-0000000008.ddm"));
  EXPECT_EQ(read_checkpoint_meta(dir / "run/expert-1/ckpt-0000000008.ddm").at("expert").at("step").get<int64_t>(), 8);
}

}  // namespace
}  // namespace ddm
