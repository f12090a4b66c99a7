// Routers that never see pooled data (design.md section 4c): a federation of two parties under
// torchrun, each process given only its own folder, trains the router one process trains on the
// union with router.targets=labels; a party that cannot join fails every rank in one line; and a
// run assembled from experts trained elsewhere trains its router on the experts' samples and
// samples with no data set readable.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "data/data_files.h"
#include "dist/ranks.h"
#include "models/checkpoint.h"
#include "test_util.h"
#include "util/fs.h"
#include "util/json.h"

namespace ddm {
namespace {

std::vector<double> metric(const std::string& metrics, const std::string& key) {
  std::vector<double> out;
  std::istringstream in(read_file(metrics));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(parse_json(line, metrics).at(key).get<double>());
  return out;
}

// Every tensor of a router checkpoint's networks and EMA, by name.
std::map<std::string, torch::Tensor> router_tensors(const std::string& ckpt) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& [name, t] : load_checkpoint(ckpt).tensors)
    if (name.rfind("net", 0) == 0 || name.rfind("ema", 0) == 0) out[name] = t;
  return out;
}

class Federated : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    // Each rank's working folder holds its own party and nothing else; `union` holds both.
    test::write_tiny_fashion(at("a/party-0"), 40);
    test::write_tiny_fashion(at("b/party-1"), 56);
    test::write_tiny_fashion(at("union/party-0"), 40);
    test::write_tiny_fashion(at("union/party-1"), 56);
    std::filesystem::create_directories(at("c"));
    const std::string common =
        "shards: {k: 2, method: folders}\n"
        "model: {channels: 8, groups: 4, channel_mult: [1, 2], num_res_blocks: 1, attn_resolutions: [], dropout: 0}\n"
        "train: {steps: 10, batch_size: 8, warmup: 2, log_every: 1, checkpoint_every: 10, preview_count: 0}\n"
        "router: {targets: labels, steps: 20, batch_size: 16, eval_samples: 32, channels: 8, downsample: 2, "
        "ema: 0.9}\n"
        "sample: {num: 12, batch_size: 6, steps: 4}\n";
    // router.federated is set on the command line: the same file serves the single process.
    test::write_bytes(at("fed.yaml"), "data: {dataset: fashion-mnist, path: 'party-{rank}'}\n" + common);
    test::write_bytes(at("one.yaml"), format("data: {{dataset: fashion-mnist, path: {}}}\n", at("union")) + common);
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string at(const std::string& p) { return (*dir_) / p; }
  static std::string federated(const std::string& run) {
    return "train-router --config " + at("fed.yaml") + " --set router.federated=true --set run.dir=" + at(run);
  }
  static test::TempDir* dir_;
};
test::TempDir* Federated::dir_ = nullptr;

TEST_F(Federated, TwoPartiesTrainTheRouterOneProcessTrainsOnTheUnion) {
  const auto fed = test::run_two_ranks(federated("fed"), at(""), true, at("a"), at("b"));
  ASSERT_EQ(fed.status, 0) << fed.output;
  const std::string one = "--config " + at("one.yaml") + " -q --set run.dir=" + at("one");
  ASSERT_EQ(test::run_ddm("prepare " + one).status, 0);
  const auto r = test::run_ddm("train-router " + one);
  ASSERT_EQ(r.status, 0) << r.output;
  // The same per-step losses and, after 20 steps, the same weights and EMA to 1e-4 relative.
  const auto la = metric(at("one/router-mog-a/metrics.jsonl"), "loss");
  const auto lb = metric(at("fed/router-mog-a/metrics.jsonl"), "loss");
  ASSERT_EQ(la.size(), 20u);
  ASSERT_EQ(lb.size(), 20u);
  for (size_t i = 0; i < la.size(); ++i) EXPECT_NEAR(lb[i], la[i], 1e-4 * std::abs(la[i])) << "step " << i + 1;
  const auto wa = router_tensors(at("one/router-mog-a/ckpt-0000000020.ddm"));
  const auto wb = router_tensors(at("fed/router-mog-a/ckpt-0000000020.ddm"));
  ASSERT_EQ(wa.size(), wb.size());
  ASSERT_GT(wa.size(), 4u);
  // Relative to the largest weight of the network: a tensor that training leaves near 0 (a bias)
  // differs by float rounding, not relative to itself.
  std::vector<torch::Tensor> all;
  for (const auto& [name, a] : wa) all.push_back(a.flatten());
  const double scale = torch::cat(all).abs().max().item<double>();
  for (const auto& [name, a] : wa) EXPECT_LE((a - wb.at(name)).abs().max().item<double>(), 1e-4 * scale) << name;
  // The training moved the weights (the comparison is not between two untouched networks).
  const auto w10 = router_tensors(at("one/router-mog-a/ckpt-0000000010.ddm"));
  EXPECT_GT((w10.at("net0.alpha_head.weight") - wa.at("net0.alpha_head.weight")).abs().max().item<double>(), 1e-4);
  // Rank 0 recorded the parties' counts as the run's manifest: the priors, with no example listed.
  const Json m = read_json(at("fed/shards.json"));
  EXPECT_EQ(m.at("method"), "counts");
  EXPECT_NEAR(m.at("shards")[0].at("prior").get<double>(), 40.0 / 96.0, 1e-12);
  EXPECT_FALSE(m.at("shards")[0].contains("indices"));
  // Each party's log names only its own folder.
  EXPECT_NE(read_file(at("fed/router-mog-a/log.txt")).find("reads party-0 (40 examples)"), std::string::npos);
}

TEST_F(Federated, APartyThatCannotReadItsDataStopsEveryRankInOneLine) {
  // Rank 1 runs in a folder without party-1.
  const auto r = test::run_two_ranks(federated("bad"), at(""), false, at("a"), at("c"));
  EXPECT_NE(r.status, 0);
  const std::string want = "federated router: rank 1 could not read its data set (party-1;";
  EXPECT_NE(r.output.find(want), std::string::npos) << r.output;
  EXPECT_NE(read_file(at("rank1.log")).find(want), std::string::npos) << read_file(at("rank1.log"));
  EXPECT_EQ(read_file(at("rank1.log.rc")), "1\n");
}

// A party whose images have another shape, or whose configuration differs (here each rank reads
// the fed.yaml of its own folder), is named on every rank before any training.
TEST_F(Federated, APartyWithOtherShapesOrAnotherConfigIsNamed) {
  std::filesystem::create_directories(at("d/party-1"));
  test::write_gz(at("d/party-1/train-images-idx3-ubyte.gz"), test::idx_images(30, 14, 14));
  test::write_gz(at("d/party-1/train-labels-idx1-ubyte.gz"), test::idx_labels(std::vector<uint8_t>(30, 1)));
  auto r = test::run_two_ranks(federated("shape"), at(""), false, at("a"), at("d"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("rank 1's examples have shape 1x14x14, rank 0's have 1x28x28"), std::string::npos)
      << r.output;
  EXPECT_EQ(read_file(at("rank1.log.rc")), "1\n");
  test::write_bytes(at("a/fed.yaml"), read_file(at("fed.yaml")));
  std::string other = read_file(at("fed.yaml"));
  other.replace(other.find("warmup: 2"), 9, "warmup: 3");
  test::write_bytes(at("b/fed.yaml"), other);
  r = test::run_two_ranks("train-router --config fed.yaml --set router.federated=true --set run.dir=" + at("config"),
                          at(""), false, at("a"), at("b"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("rank 1's configuration differs from rank 0's"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(at("rank1.log.rc")), "1\n");
}

TEST_F(Federated, KIsTheNumberOfParties) {
  const auto r = test::run_two_ranks(federated("k3") + " --set shards.k=3", at(""), false, at("a"), at("b"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("rank 0 has shards.k = 3 but the federation has 2 parties"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(at("rank1.log.rc")), "1\n");
}

// A party killed mid-run: the other stops with one line that names it, and the federation started
// again resumes from the last checkpoint. Both are frozen before the kill, so it lands mid-run
// whatever the machine's speed.
TEST_F(Federated, APartyThatDiesStopsTheOtherAndTheRunResumes) {
  const std::string args = federated("killed") + " --set router.steps=400";
  const std::string env =
      format("WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT={} OMP_NUM_THREADS=1", test::free_port());
  const auto r = test::run_command(
      format("(cd {} && exec env {} RANK=0 {} {} > {} 2>&1) & p0=$!; (cd {} && exec env {} RANK=1 LOCAL_RANK=1 {} {} > "
             "/dev/null 2>&1) & p1=$!; while [ ! -e {} ] && kill -0 $p1 2>/dev/null; do sleep 0.02; done; "
             "kill -STOP $p0 $p1; kill -KILL $p1; kill -CONT $p0; wait $p0",
             at("a"), env, DDM_BINARY, args, at("killed.log"), at("b"), env, DDM_BINARY, args,
             at("killed/router-mog-a/ckpt-0000000010.ddm")));
  const std::string log = read_file(at("killed.log"));
  EXPECT_NE(r.status, 0) << log;
  EXPECT_NE(log.find("rank 0 of 2: all_reduce failed (rank 1 stopped)"), std::string::npos) << log;
  EXPECT_EQ(log.find("error:"), log.rfind("error:")) << log;  // one error line
  const auto again = test::run_two_ranks(args, at(""), true, at("a"), at("b"));
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_NE(read_file(at("killed/router-mog-a/log.txt")).find("resum"), std::string::npos);
  EXPECT_TRUE(path_exists(at("killed/router-mog-a/ckpt-0000000400.ddm")));
}

TEST_F(Federated, LabelsRouterResumesExactly) {
  const std::string one = "--config " + at("one.yaml") + " -q ";
  for (const char* run : {"straight", "resumed"})
    ASSERT_EQ(test::run_ddm("prepare " + one + "--set run.dir=" + at(run)).status, 0);
  // A constant rate after the same warm-up, so that stopping at 20 of 40 steps changes nothing else.
  const std::string fixed = "--set router.lr_schedule=constant --set router.steps=";
  ASSERT_EQ(test::run_ddm("train-router " + one + fixed + "40 --set run.dir=" + at("straight")).status, 0);
  ASSERT_EQ(test::run_ddm("train-router " + one + fixed + "20 --set run.dir=" + at("resumed")).status, 0);
  const auto r = test::run_ddm("train-router " + one + fixed + "40 --set run.dir=" + at("resumed"));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto a = router_tensors(at("straight/router-mog-a/ckpt-0000000040.ddm"));
  const auto b = router_tensors(at("resumed/router-mog-a/ckpt-0000000040.ddm"));
  ASSERT_FALSE(a.empty());
  for (const auto& [name, t] : a) EXPECT_TRUE(torch::equal(t, b.at(name))) << name;
}

// Two parties each train an expert on their own data and publish only that; the run that joins
// them knows their example counts and nothing else, with data.path at a folder that does not exist.
TEST_F(Federated, ARunOfExpertsTrainedElsewhereRoutesWithoutData) {
  for (const std::string party : {"0", "1"}) {
    const std::string own = "--config " + at("one.yaml") + " -q --set shards.method=random --set shards.k=1 " +
                            "--set data.path=" + at((party == "0" ? "a/party-" : "b/party-") + party) +
                            " --set run.dir=" + at("party" + party);
    ASSERT_EQ(test::run_ddm("prepare " + own).status, 0);
    const auto t = test::run_ddm("train-expert --shard all " + own);
    ASSERT_EQ(t.status, 0) << t.output;
    const auto e = test::run_ddm("export " + at("party" + party + "/expert-all/ckpt-0000000010.ddm") + " --out " +
                                 at("published" + party) + " -q");
    ASSERT_EQ(e.status, 0) << e.output;
  }
  const std::string run =
      "--config " + at("one.yaml") + " -q --set data.path=" + at("nowhere") + " --set run.dir=" + at("joined") + " ";
  auto r = test::run_ddm("prepare " + run + "--set shards.method=counts --set shards.counts=40,56");
  ASSERT_EQ(r.status, 0) << r.output;
  for (const std::string k : {"0", "1"}) {
    r = test::run_ddm("import " + at("published" + k) + " --shard " + k + " " + run);
    ASSERT_EQ(r.status, 0) << r.output;
  }
  r = test::run_ddm("train-router --targets samples --set router.pool=30 " + run);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(path_exists(at("joined/router-pool/expert-1/chunk-00004.npy")));
  EXPECT_NE(r.output.find("router mog-a (samples targets): step 20"), std::string::npos) << r.output;
  r = test::run_ddm("sample --rule switch --num 6 --out " + at("joined/s") + " " + run);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(path_exists(at("joined/s/samples.npz")));
  EXPECT_FALSE(path_exists(at("nowhere")));
  // The oracle needs the data: it says so in one line.
  r = test::run_ddm("sample --alpha oracle --num 6 --out " + at("joined/o") + " " + run);
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(test::count_lines(r.output), 1) << r.output;
  // The pool is cached: a second router with a smaller pool reads a prefix of it, generating nothing.
  const auto before = std::filesystem::last_write_time(at("joined/router-pool/expert-0/chunk-00003.npy"));
  r = test::run_ddm("train-router --targets samples --set router.pool=20 --restart " + run);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(std::filesystem::last_write_time(at("joined/router-pool/expert-0/chunk-00003.npy")), before);
}

}  // namespace
}  // namespace ddm
