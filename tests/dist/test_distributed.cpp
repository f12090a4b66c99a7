// Data parallelism across real processes: two ranks on this machine, joined through
// c10d's TCPStore and Gloo from the environment torchrun sets. They must train the model one
// process trains with the same global batch, resume across a restart bit for bit, and sample the
// same bytes; every collective ddm uses is checked by `ddm dist-check`.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "data/data_files.h"
#include "dist/ranks.h"
#include "models/checkpoint.h"
#include "test_util.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/npy.h"

namespace ddm {
namespace {

std::vector<double> losses(const std::string& metrics) {
  std::vector<double> out;
  std::istringstream in(read_file(metrics));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(parse_json(line, metrics).at("loss").get<double>());
  return out;
}

torch::Tensor weights(const std::string& ckpt) {
  std::vector<torch::Tensor> all;
  for (const auto& [name, t] : load_checkpoint(ckpt).tensors)
    if (name.rfind("model.", 0) == 0 || name.rfind("ema.", 0) == 0) all.push_back(t.flatten());
  return torch::cat(all);
}

class Distributed : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    test::write_tiny_fashion((*dir_) / "data", 96);
    // A small U-Net expert with dropout 0: the ranks' dropout masks would differ from one
    // process's (each rank draws masks for its own rows).
    test::write_bytes(
        (*dir_) / "c.yaml",
        format("data: {{dataset: fashion-mnist, path: {}}}\n"
               "shards: {{k: 2, method: label}}\n"
               "model: {{channels: 8, groups: 4, channel_mult: [1, 2], num_res_blocks: 1, attn_resolutions: [14], "
               "dropout: 0}}\n"
               "train: {{steps: 20, batch_size: 8, warmup: 2, log_every: 1, checkpoint_every: 5, preview_count: 0}}\n"
               "sample: {{num: 18, batch_size: 4, steps: 3}}\n",
               (*dir_) / "data"));
    config_ = "--config " + (*dir_) / "c.yaml -q ";
    for (const char* run : {"one", "two", "restart", "odd"}) {
      ASSERT_EQ(test::run_ddm("prepare " + config_ + "--set run.dir=" + (*dir_) / run).status, 0);
    }
    const auto one = test::run_ddm("train-expert --shard 0 " + config_ + "--set run.dir=" + (*dir_) / "one");
    ASSERT_EQ(one.status, 0) << one.output;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string at(const std::string& p) { return (*dir_) / p; }
  static test::TempDir* dir_;
  static std::string config_;
};
test::TempDir* Distributed::dir_ = nullptr;
std::string Distributed::config_;

TEST_F(Distributed, EveryCollectiveGivesItsKnownAnswer) {
  const auto r = test::run_two_ranks("dist-check --mib 1 --iters 2", at(""));
  ASSERT_EQ(r.status, 0) << r.output;
  const Json j = parse_json(r.output.substr(r.output.find('{')), "dist-check");
  EXPECT_EQ(j.at("world"), 2);
  EXPECT_EQ(j.at("backend"), "gloo");
  EXPECT_GE(j.at("checks").size(), 14u);
  for (const auto& [name, ok] : j.at("checks").items()) EXPECT_TRUE(ok.get<bool>()) << name;
}

TEST_F(Distributed, TwoRanksTrainTheModelOneProcessTrains) {
  const auto r = test::run_two_ranks("train-expert --shard 0 " + config_ + "--set run.dir=" + at("two"), at("two"));
  ASSERT_EQ(r.status, 0) << r.output;
  // Both ranks hold the same weights at the end (checked by broadcast from rank 0).
  EXPECT_NE(r.output.find("2 ranks, max weight difference from rank 0: 0,"), std::string::npos) << r.output;
  // The same examples, t and noise as one process with the same global batch: the per-step
  // losses agree to float rounding (the gradient is summed in two halves).
  const auto a = losses(at("one/expert-0/metrics.jsonl")), b = losses(at("two/expert-0/metrics.jsonl"));
  ASSERT_EQ(a.size(), 20u);
  ASSERT_EQ(b.size(), 20u);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(b[i], a[i], 1e-5 * std::abs(a[i])) << "step " << i + 1;
  const torch::Tensor wa = weights(at("one/expert-0/ckpt-0000000020.ddm")),
                      wb = weights(at("two/expert-0/ckpt-0000000020.ddm"));
  EXPECT_TRUE(torch::allclose(wa, wb, 1e-3, 1e-5)) << (wa - wb).abs().max().item<double>();
  // Only rank 0 wrote: one metrics file, no second log.
  EXPECT_EQ(test::count_lines(read_file(at("two/expert-0/metrics.jsonl"))), 20);
  EXPECT_EQ(read_file(at("two/rank1.log")), "");
}

TEST_F(Distributed, ResumesAcrossARestartBitForBit) {
  // The job stops at step 10 (as if killed after its checkpoint) and is started again.
  const std::string run = config_ + "--set run.dir=" + at("restart") + " ";
  auto r = test::run_two_ranks("train-expert --shard 0 " + run + "--set train.steps=10", at("restart"));
  ASSERT_EQ(r.status, 0) << r.output;
  r = test::run_two_ranks("train-expert --shard 0 " + run, at("restart"));
  ASSERT_EQ(r.status, 0) << r.output;
  // Resumed at step 10: metrics.jsonl holds steps 1..10, then 11..20 appended.
  const auto l = losses(at("restart/expert-0/metrics.jsonl"));
  EXPECT_EQ(l.size(), 20u);
  if (!path_exists(at("two/expert-0/ckpt-0000000020.ddm")))
    GTEST_SKIP() << "needs TwoRanksTrainTheModelOneProcessTrains first";
  EXPECT_TRUE(torch::equal(weights(at("restart/expert-0/ckpt-0000000020.ddm")),
                           weights(at("two/expert-0/ckpt-0000000020.ddm"))));
}

// torchrun's own restart: one worker is killed (SIGKILL) after the first checkpoint; torchrun
// (--max-restarts 1) stops the other and starts both again under /worker/attempt_1 of its store,
// and they resume. Both workers are frozen (SIGSTOP) before the kill, so the kill lands mid-run
// whatever the machine's speed.
TEST_F(Distributed, TorchrunRestartsAKilledWorkerAndTheJobResumes) {
  const std::string py = DDM_TEST_PYTHON;
  if (py.empty() || test::run_command(py + " -c 'import torch.distributed.run'").status != 0)
    GTEST_SKIP() << "no python with torch";
  if (!path_exists(at("two/expert-0/ckpt-0000000020.ddm")))
    GTEST_SKIP() << "needs TwoRanksTrainTheModelOneProcessTrains first";
  ASSERT_EQ(test::run_ddm("prepare " + config_ + "--set run.dir=" + at("elastic")).status, 0);
  const std::string ckpt = at("elastic/expert-0/ckpt-0000000005.ddm");
  const auto r = test::run_command(
      format("(OMP_NUM_THREADS=1 {} -m torch.distributed.run --no-python --nproc-per-node=2 --max-restarts=1 "
             "--monitor-interval=0.1 "
             "--master-port={} -- {} train-expert --shard 0 {} --set run.dir={} > {} 2>&1 & tr=$!; "
             "while [ ! -e {} ] && kill -0 $tr 2>/dev/null; do sleep 0.02; done; w=$(pgrep -P $tr); kill -STOP $w; "
             "kill -KILL $(echo $w | tr ' ' '\\n' | tail -1); kill -CONT $w; wait $tr)",
             py, test::free_port(), DDM_BINARY, config_, at("elastic"), at("elastic.log"), ckpt));
  const std::string log = read_file(at("elastic.log"));
  ASSERT_EQ(r.status, 0) << r.output << log;
  // A worker died (the killed one, -9, or its peer whose all_reduce failed first, 1), yet the job
  // finished with status 0: torchrun started it again.
  EXPECT_NE(log.find("failed (exitcode: "), std::string::npos) << log;
  EXPECT_NE(log.find("step 20, loss"), std::string::npos) << log;
  // metrics.jsonl is append-only: the second attempt went on from a checkpoint (a multiple of 5),
  // possibly repeating the steps the first attempt logged after it.
  std::vector<int64_t> steps;
  std::istringstream in(read_file(at("elastic/expert-0/metrics.jsonl")));
  for (std::string line; std::getline(in, line);)
    steps.push_back(parse_json(line, "metrics").at("step").get<int64_t>());
  for (size_t i = 1; i < steps.size(); ++i)
    if (steps[i] != steps[i - 1] + 1) EXPECT_EQ(steps[i] % 5, 1) << "resumed at step " << steps[i];
  EXPECT_EQ(steps.back(), 20);
  EXPECT_TRUE(torch::equal(weights(at("elastic/expert-0/ckpt-0000000020.ddm")),
                           weights(at("two/expert-0/ckpt-0000000020.ddm"))));
}

TEST_F(Distributed, TwoRanksSampleTheSameBytesAsOne) {
  ASSERT_EQ(test::run_ddm("train-expert --shard 1 " + config_ + "--set run.dir=" + at("one")).status, 0);
  // 18 samples in batches of 4: rank 0 samples batches 0, 2, 4 (the last has 2 rows), rank 1 1, 3.
  // `fixed` draws its experts once per batch, `switch` (with the exact posterior's alpha) at every
  // step: both from (seed, batch), whichever rank samples the batch.
  for (const std::string rule : {"fixed", "switch --set sample.alpha=oracle"}) {
    const std::string args = "sample --rule " + rule + " " + config_ + "--set run.dir=" + at("one") + " --out ";
    ASSERT_EQ(test::run_ddm(args + at("s1")).status, 0) << rule;
    const auto r = test::run_two_ranks(args + at("s2"), at(""));
    ASSERT_EQ(r.status, 0) << rule << "\n" << r.output;
    EXPECT_EQ(read_file(at("s1/samples.npz")), read_file(at("s2/samples.npz"))) << rule;
    // The routing statistics: counts exact; the mean entropy is summed per rank, then across
    // ranks, so it may differ in the last bits (0.41529144357913533 against ...353 with switch).
    const Json one = read_json(at("s1/summary.json")).at("routing"),
               two = read_json(at("s2/summary.json")).at("routing");
    ASSERT_EQ(one.size(), two.size()) << rule;
    for (size_t i = 0; i < one.size(); ++i) {
      EXPECT_EQ(one[i].at("expert_counts"), two[i].at("expert_counts")) << rule << " step " << i;
      EXPECT_EQ(one[i].at("switch_rate"), two[i].at("switch_rate")) << rule << " step " << i;
      if (one[i].at("mean_entropy").is_number())
        EXPECT_NEAR(one[i].at("mean_entropy").get<double>(), two[i].at("mean_entropy").get<double>(), 1e-12);
    }
  }
}

// The feature classifier trained data-parallel, feature statistics and Table 1 with the ranks
// sharing batches. Needs the experts of TwoRanksSampleTheSameBytesAsOne.
TEST_F(Distributed, FidAndEvaluateSplitTheirBatches) {
  const std::string one = config_ + "--set eval.classifier_steps=20 --set run.dir=" + at("one") + " ";
  // One process trains the classifier (into one/classifier) and writes the data's statistics.
  ASSERT_EQ(test::run_ddm("fid data --save-stats " + at("a.npz") + " " + one).status, 0);
  // Two ranks with that classifier: the same statistics, bit for bit (the same batches).
  auto r = test::run_two_ranks("fid data --save-stats " + at("b.npz") + " " + one, at(""));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_file(at("a.npz")), read_file(at("b.npz")));
  // Two ranks train their own classifier (the same global batches): close to one process's.
  r = test::run_two_ranks("fid data --save-stats " + at("c.npz") + " " + config_ +
                              "--set eval.classifier_steps=20 --set run.dir=" + at("two"),
                          at(""));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto a = read_npz(at("a.npz")).at("mu").to_double(), c = read_npz(at("c.npz")).at("mu").to_double();
  ASSERT_EQ(a.size(), c.size());
  double worst = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(a[i] - c[i])), scale = std::max(scale, std::abs(a[i]));
  EXPECT_LT(worst, 1e-3 * scale) << worst << " of " << scale;
  EXPECT_GT(worst, 0.0);  // a different classifier, not the loaded one
  // Table 1 from two ranks equals one process's: the same samples and class shares; the distance
  // to float rounding (the processes' thread counts may differ, and with them sums' order).
  const std::string eval = "evaluate --rows fixed --steps 2 --num 8 " + one + "--out ";
  ASSERT_EQ(test::run_ddm(eval + at("e1")).status, 0);
  r = test::run_two_ranks(eval + at("e2"), at(""));
  ASSERT_EQ(r.status, 0) << r.output;
  const Json e1 = read_json(at("e1/evaluation.json")), e2 = read_json(at("e2/evaluation.json"));
  const Json& c1 = e1.at("rows")[0].at("cells")[0];
  const Json& c2 = e2.at("rows")[0].at("cells")[0];
  EXPECT_EQ(c1.at("class_share"), c2.at("class_share"));
  EXPECT_EQ(c1.at("mean_confidence"), c2.at("mean_confidence"));
  EXPECT_NEAR(c1.at("fd").get<double>(), c2.at("fd").get<double>(), 1e-6 * c1.at("fd").get<double>());
}

TEST_F(Distributed, RefusesWhatItCannotSplit) {
  auto r = test::run_two_ranks(
      "train-expert --shard 0 " + config_ + "--set train.batch_size=7 --set run.dir=" + at("odd"), at(""), false);
  test::expect_error(r, 1, "train.batch_size=7 does not divide over 2 ranks");
  r = test::run_command(
      format("WORLD_SIZE=2 RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=1 {} prepare {}", DDM_BINARY, config_));
  test::expect_error(r, 2, "WORLD_SIZE=2: ddm prepare runs as one process");
}

}  // namespace
}  // namespace ddm
