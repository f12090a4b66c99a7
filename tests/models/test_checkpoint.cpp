// The checkpoint file: round trip of every tensor type and the metadata, refusal of truncated,
// corrupted and foreign files, architecture mismatches, and rotation in a run folder.
#include <gtest/gtest.h>

#include "models/checkpoint.h"
#include "models/mlp.h"
#include "models/network.h"
#include "test_util.h"
#include "util/fs.h"

namespace ddm {
namespace {

Checkpoint sample_checkpoint() {
  Checkpoint c;
  c.meta["kind"] = "test";
  c.meta["step"] = 42;
  c.put("a", torch::randn({3, 5}));
  c.put("b", torch::arange(7, torch::kInt64));
  c.put("c", torch::randn({2, 2}, torch::kFloat64));
  c.put("d", torch::randint(0, 255, {9}, torch::kUInt8));
  c.put("e", torch::randn({4}).to(torch::kBFloat16));
  c.put("empty", torch::zeros({0, 3}));
  return c;
}

TEST(Checkpoint, RoundTripsTensorsAndMetadata) {
  test::TempDir dir;
  const Checkpoint c = sample_checkpoint();
  save_checkpoint(dir / "x.ddm", c);
  EXPECT_TRUE(is_checkpoint_file(dir / "x.ddm"));
  const Checkpoint r = load_checkpoint(dir / "x.ddm");
  EXPECT_EQ(r.meta.dump(), c.meta.dump());
  ASSERT_EQ(r.tensors.size(), c.tensors.size());
  for (size_t i = 0; i < c.tensors.size(); ++i) {
    EXPECT_EQ(r.tensors[i].first, c.tensors[i].first);
    EXPECT_EQ(r.tensors[i].second.scalar_type(), c.tensors[i].second.scalar_type());
    EXPECT_TRUE(torch::equal(r.tensors[i].second, c.tensors[i].second)) << c.tensors[i].first;
  }
  EXPECT_EQ(read_checkpoint_meta(dir / "x.ddm").at("step").get<int64_t>(), 42);
}

TEST(Checkpoint, RefusesTruncatedCorruptedAndForeignFiles) {
  test::TempDir dir;
  save_checkpoint(dir / "x.ddm", sample_checkpoint());
  const std::string bytes = read_file(dir / "x.ddm");
  test::write_bytes(dir / "trunc.ddm", bytes.substr(0, bytes.size() - 100));
  EXPECT_NE(test::error_of([&] { load_checkpoint(dir / "trunc.ddm"); }).find("trunc.ddm: truncated"),
            std::string::npos);
  test::write_bytes(dir / "short.ddm", bytes.substr(0, 12));
  EXPECT_NE(test::error_of([&] { load_checkpoint(dir / "short.ddm"); }).find("truncated"), std::string::npos);
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x40;
  test::write_bytes(dir / "flip.ddm", flipped);
  EXPECT_NE(
      test::error_of([&] { load_checkpoint(dir / "flip.ddm"); }).find("flip.ddm: corrupted checkpoint (CRC mismatch)"),
      std::string::npos);
  test::write_bytes(dir / "png.ddm", "\x89PNG\r\n\x1a\nxxxxxxxxxxxxxxxxxxxx");
  EXPECT_NE(test::error_of([&] { load_checkpoint(dir / "png.ddm"); }).find("not a ddm checkpoint"), std::string::npos);
  EXPECT_FALSE(is_checkpoint_file(dir / "png.ddm"));
}

TEST(Checkpoint, LoadingIntoAnotherArchitectureFailsClearly) {
  MlpNet small(2, 16, 2), wide(2, 32, 2), deep(2, 16, 3);
  Checkpoint c;
  c.source = "net.ddm";
  c.put_module("model.", small);
  const std::string e1 = test::error_of([&] { c.load_module("model.", wide); });
  EXPECT_NE(e1.find("net.ddm: 'in.weight' has shape [16, 2] in the checkpoint but [32, 2] in this model"),
            std::string::npos)
      << e1;
  EXPECT_NE(test::error_of([&] { c.load_module("model.", deep); }).find("no weights for 'hidden2.weight'"),
            std::string::npos);
  MlpNet copy(2, 16, 2);
  c.load_module("model.", copy);
  EXPECT_TRUE(torch::equal(copy.parameters()[0], small.parameters()[0]));
}

TEST(Checkpoint, RunFolderKeepsTheNewestFew) {
  test::TempDir dir;
  const CheckpointDir d(dir.path(), 2);
  EXPECT_EQ(d.latest(), "");
  for (int64_t s : {5, 10, 100, 1000}) d.save(sample_checkpoint(), s);
  const auto all = d.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(file_stem(all[0]), "ckpt-0000000100");
  EXPECT_EQ(file_stem(d.latest()), "ckpt-0000001000");
}

// A checkpoint rebuilds its network from its architecture record alone: the record maps back to
// the model settings that wrote it, and a record from before downsample_padding existed reads as
// the symmetric padding those U-Nets had.
TEST(Checkpoint, ArchitectureRecordGivesBackTheModelSettings) {
  ModelConfig m;
  m.channels = 24;
  m.channel_mult = {1, 3};
  m.num_res_blocks = 1;
  m.attn_resolutions = {7};
  m.groups = 8;
  m.dropout = 0.25;
  const Json arch = architecture_json(m, {1, 28, 28});
  const ModelConfig back = model_config_from_architecture(arch, "test");
  EXPECT_EQ(architecture_json(back, {1, 28, 28}), arch);
  Json old = arch;
  old.erase("downsample_padding");
  EXPECT_EQ(model_config_from_architecture(old, "test").downsample_padding, DownsamplePadding::kSymmetric);
  ModelConfig p;
  p.mlp_width = 48;
  p.mlp_depth = 2;
  EXPECT_EQ(architecture_json(model_config_from_architecture(architecture_json(p, {2}), "test"), {2}),
            architecture_json(p, {2}));
}

}  // namespace
}  // namespace ddm
