// The faults a long training run meets, through the ddm binary on a 2-D mixture:
// a second trainer on the same folder, SIGKILL at a random moment, a disk that fills while a
// checkpoint is written, and non-finite numbers in the files users bring.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <random>
#include <thread>

#include "models/checkpoint.h"
#include "test_util.h"
#include "util/fs.h"

namespace ddm {
namespace {

class Faults : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_bytes(
        dir_ / "toy.yaml",
        "data: {dataset: toy2d, toy_components: 4, toy_samples: 400, toy_std: 0.1}\n"
        "model: {mlp_width: 64, mlp_depth: 3}\n"
        "train: {steps: 400, batch_size: 64, warmup: 5, log_every: 10, checkpoint_every: 20, keep_checkpoints: 2, "
        "preview_count: 0}\n");
    cfg_ = "train-expert --shard all --config " + dir_ / "toy.yaml -q ";
  }
  // Starts `ddm args` in the background; returns its pid.
  int start(const std::string& args) {
    const auto r = test::run_command(format("{} {} > {} 2>&1 & echo $!", DDM_BINARY, args, dir_ / "bg.log"));
    return std::stoi(r.output);
  }
  // Waits until `path` exists (or 60 s).
  static void wait_for(const std::string& path) {
    for (int i = 0; i < 6000 && !path_exists(path); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(path_exists(path)) << path;
  }
  static void wait_exit(int pid) {
    for (int i = 0; i < 6000 && ::kill(pid, 0) == 0; ++i) {
      test::run_command(format("wait {} 2>/dev/null", pid));  // reaps nothing (not our child): polls
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  static torch::Tensor weights(const std::string& ckpt) {
    std::vector<torch::Tensor> all;
    for (const auto& [name, t] : load_checkpoint(ckpt).tensors) all.push_back(t.flatten().to(torch::kFloat64));
    return torch::cat(all);
  }
  test::TempDir dir_;
  std::string cfg_;
};

TEST_F(Faults, ASecondTrainerOnTheSameFolderIsRefusedAndAKilledOneLeavesNoLock) {
  const std::string run = cfg_ + "--set run.dir=" + dir_ / "run ";
  const int pid = start(run);
  wait_for(dir_ / "run/expert-all/ckpt-0000000020.ddm");
  test::expect_error(test::run_ddm(run), 1, "is in use: another trainer (expert all, pid " + std::to_string(pid));
  ::kill(pid, SIGKILL);
  wait_exit(pid);
  const auto r = test::run_ddm(run);  // the kernel dropped the dead process's lock
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("step 400"), std::string::npos) << r.output;
}

// A kill at start-up loses nothing; then two kills mid-run, each at a random moment after a
// checkpoint newer than the last kill's, so that each lands mid-run; the resume starts from the
// newest checkpoint (a middle step, asserted from its log line) and ends bitwise equal to an
// uninterrupted run.
TEST_F(Faults, SigkillAtRandomMomentsThenResumeEndsBitwiseEqual) {
  ASSERT_EQ(test::run_ddm(cfg_ + "--set run.dir=" + dir_ / "ref").status, 0);
  const torch::Tensor ref = weights(dir_ / "ref/expert-all/ckpt-0000000400.ddm");
  std::mt19937 rng(20261202);
  const std::string run = cfg_ + "--set run.dir=" + dir_ / "run ";
  const CheckpointDir ckpts(dir_ / "run/expert-all", 2);
  auto kill_after = [&](int pid, int max_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, max_ms)(rng)));
    ::kill(pid, SIGKILL);
    wait_exit(pid);
  };
  kill_after(start(run), 50);  // at start-up
  int64_t last = ckpts.latest_step();
  for (int kill = 0; kill < 2; ++kill) {
    const int pid = start(run);
    for (int i = 0; i < 6000 && ckpts.latest_step() <= last; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_GT(ckpts.latest_step(), last) << "no new checkpoint within 60 s";
    kill_after(pid, 200);
    last = ckpts.latest_step();
    ASSERT_LT(last, 400) << "the run ended before kill " << kill << ": widen the run";
  }
  std::string verbose = run;
  verbose.replace(verbose.find("-q "), 3, "");
  const auto r = test::run_ddm(verbose);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find(format("(step {})", last)), std::string::npos) << "resumed from step " << last << "\n"
                                                                         << r.output;
  EXPECT_TRUE(torch::equal(weights(dir_ / "run/expert-all/ckpt-0000000400.ddm"), ref));
  for (const auto& name : CheckpointDir(dir_ / "run/expert-all", 2).list())
    EXPECT_EQ(name.find(".tmp."), std::string::npos);
}

TEST_F(Faults, ADiskThatFillsDuringACheckpointLeavesThePreviousOneIntact) {
  const std::string run = cfg_ + "--set run.dir=" + dir_ / "run ";
  ASSERT_EQ(test::run_ddm(run + "--set train.steps=20").status, 0);
  const std::string good = dir_ / "run/expert-all/ckpt-0000000020.ddm";
  const std::string before = read_file(good);
  // The file-size limit makes the next checkpoint's write fail (EFBIG, as ENOSPC would) part way.
  const int64_t blocks = static_cast<int64_t>(before.size()) / 512 / 2;
  const auto r = test::run_command(format("bash -c \"trap '' XFSZ; ulimit -f {}; {} {}\"", blocks, DDM_BINARY, run));
  test::expect_error(r, 1, "ckpt-0000000040.ddm");
  EXPECT_EQ(read_file(good), before);
  EXPECT_NO_THROW(load_checkpoint(good));
  EXPECT_FALSE(path_exists(dir_ / "run/expert-all/ckpt-0000000040.ddm"));
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "run/expert-all"))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

TEST_F(Faults, NonFiniteNumbersFromFilesAreRefusedAndNamed) {
  const std::string py = DDM_TEST_PYTHON;
  if (!test::python_has_numpy()) GTEST_SKIP() << "needs numpy to write the files";
  ASSERT_EQ(test::run_command(py + " -c \"import numpy as np; np.savez('" + dir_ / "s.npz" +
                              "', mu=np.array([0.0, np.nan]), sigma=np.eye(2)); np.save('" + dir_ / "f.npy" +
                              "', np.array([[1.0, np.inf]] * 400, dtype=np.float32))\"")
                .status,
            0);
  test::expect_error(test::run_ddm("fid " + dir_ / "s.npz " + dir_ / "s.npz"), 1, "s.npz: mu: element 1 is nan");
  test::expect_error(
      test::run_ddm("prepare --config " + dir_ / "toy.yaml --set shards.method=kmeans --set shards.features=" +
                    dir_ / "f.npy" + " --set run.dir=" + dir_ / "km"),
      1, "f.npy: element 1 is inf");
  test::write_bytes(dir_ / "nan.yaml", "train: {lr: .nan}\n");
  test::expect_error(test::run_ddm("info --config " + dir_ / "nan.yaml"), 1, "train.lr: expected a number, got '.nan'");
  test::expect_error(test::run_ddm("info --set sample.correction=inf"), 1, "expected a number, got 'inf'");
}

}  // namespace
}  // namespace ddm
