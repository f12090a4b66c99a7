// Configs: defaults < YAML < --set, and errors that name file:line and key.
#include <gtest/gtest.h>

#include "config/config.h"
#include "test_util.h"
#include "util/error.h"
#include "util/fs.h"

namespace ddm {
TEST(Config, DefaultsAreTheEmbeddedDataSet) {
  const Config c = load_config("");
  EXPECT_EQ(c.data.dataset, DatasetKind::kFashionMnist);
  EXPECT_EQ(c.data.path, "/usr/share/datasets/fashion-mnist");
  EXPECT_EQ(c.shards.k, 10);
  EXPECT_EQ(c.run_dir(), "runs/default");
}

TEST(Config, PrecedenceDefaultsThenYamlThenSet) {
  test::TempDir dir;
  test::write_bytes(dir / "exp.yaml", "data:\n  dataset: toy2d\n  toy_components: 4\nshards:\n  k: 4\n  seed: 3\n");
  const Config c = load_config(dir / "exp.yaml", {"shards.seed=9", "data.toy_std=0.25"});
  EXPECT_EQ(c.data.dataset, DatasetKind::kToy2d);  // YAML over default
  EXPECT_EQ(c.data.toy_components, 4);
  EXPECT_EQ(c.shards.seed, 9);                      // --set over YAML
  EXPECT_DOUBLE_EQ(c.data.toy_std, 0.25);           // --set over default
  EXPECT_EQ(c.shards.method, ShardMethod::kLabel);  // default kept
  EXPECT_EQ(c.name, "exp");
  EXPECT_EQ(c.run_dir(), "runs/exp");
}

TEST(Config, UnknownKeyNamesFileLineAndSuggests) {
  test::TempDir dir;
  test::write_bytes(dir / "c.yaml", "data:\n  dataset: toy2d\nshards:\n  kk: 3\n");
  EXPECT_EQ(test::error_of([&] { load_config(dir / "c.yaml"); }),
            dir / "c.yaml" + ":4: unknown key 'shards.kk' (did you mean shards.k?)");
  test::write_bytes(dir / "d.yaml", "bogus:\n  x: 1\n");
  EXPECT_EQ(test::error_of([&] { load_config(dir / "d.yaml"); }), dir / "d.yaml" + ":1: unknown key 'bogus'");
}

TEST(Config, BadValuesNameKeyAndListChoices) {
  test::TempDir dir;
  test::write_bytes(dir / "c.yaml", "shards:\n  method: spectral\n");
  EXPECT_EQ(test::error_of([&] { load_config(dir / "c.yaml"); }),
            dir / "c.yaml" + ":2: shards.method: bad value 'spectral' (valid: label, kmeans, random, folders, counts)");
  test::write_bytes(dir / "r.yaml", "shards:\n  k: 0\n");
  EXPECT_EQ(test::error_of([&] { load_config(dir / "r.yaml"); }),
            dir / "r.yaml" + ":2: shards.k: value 0 out of range [1, 100000]");
  test::write_bytes(dir / "t.yaml", "data:\n  toy_std: wide\n");
  EXPECT_EQ(test::error_of([&] { load_config(dir / "t.yaml"); }),
            dir / "t.yaml" + ":2: data.toy_std: expected a number, got 'wide'");
  test::write_bytes(dir / "dup.yaml", "shards:\n  k: 2\n  k: 3\n");
  EXPECT_NE(test::error_of([&] { load_config(dir / "dup.yaml"); }).find(":3: duplicate key 'shards.k'"),
            std::string::npos);
  test::write_bytes(dir / "sec.yaml", "shards: 3\n");
  EXPECT_NE(test::error_of([&] { load_config(dir / "sec.yaml"); }).find("is a section"), std::string::npos);
  test::write_bytes(dir / "syntax.yaml", "shards:\n  k: [1, 2\n");
  EXPECT_NE(test::error_of([&] { load_config(dir / "syntax.yaml"); }).find("YAML syntax error"), std::string::npos);
  EXPECT_NE(test::error_of([&] { load_config(dir / "missing.yaml"); }).find("cannot read"), std::string::npos);
}

// sample.clip_denoised (a boolean) became sample.clip_x0 (auto|on|off): old YAML, --set and
// recorded configs still read, true as on and false as off, and the new key is what is written.
TEST(Config, TheRenamedClipKeyStillReads) {
  test::TempDir dir;
  test::write_bytes(dir / "old.yaml", "sample:\n  clip_denoised: false\n");
  EXPECT_EQ(load_config(dir / "old.yaml").sample.clip_x0, ClipMode::kOff);
  EXPECT_EQ(load_config("", {"sample.clip_denoised=true"}).sample.clip_x0, ClipMode::kOn);
  EXPECT_EQ(load_config("").sample.clip_x0, ClipMode::kAuto);
  Json recorded = config_to_json(Config());
  recorded["sample"].erase("clip_x0");
  recorded["sample"]["clip_denoised"] = false;
  EXPECT_EQ(config_from_json(recorded, "summary.json").sample.clip_x0, ClipMode::kOff);
  EXPECT_FALSE(config_to_json(Config()).at("sample").contains("clip_denoised"));
  EXPECT_EQ(test::error_of([] { load_config("", {"sample.clip_x0=maybe"}); }),
            "--set sample.clip_x0=maybe: bad value 'maybe' (valid: auto, on, off, true, false)");
}

TEST(Config, SetOverrideErrors) {
  EXPECT_EQ(test::error_of([] { load_config("", {"shards.k"}); }), "--set shards.k: expected key.path=value");
  EXPECT_EQ(test::error_of([] { load_config("", {"shard.k=3"}); }),
            "--set shard.k=3: unknown key 'shard.k' (did you mean shards.k?)");
  EXPECT_EQ(test::error_of([] { load_config("", {"shards.balanced=maybe"}); }),
            "--set shards.balanced=maybe: expected true or false, got 'maybe'");
}

TEST(Config, CrossFieldValidation) {
  EXPECT_NE(test::error_of([] { load_config("", {"data.dataset=image-folder"}); }).find("data.resolution"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { load_config("", {"shards.balanced=true"}); }).find("kmeans"), std::string::npos);
}

// The data-free targets give labels only: the routers that learn d alpha/dt refuse them, and a
// federation trains on labels (design.md section 4c).
TEST(Config, RouterTargetsRefuseWhatTheyCannotGive) {
  EXPECT_EQ(load_config("").router.targets, RouterTargets::kLabels);  // docs/results/private_routers.md
  EXPECT_EQ(load_config("", {"router.targets=samples"}).router.targets, RouterTargets::kSamples);
  EXPECT_NE(test::error_of([] { load_config("", {"router.kind=mog-da"}); }).find("--targets exact"), std::string::npos);
  EXPECT_EQ(test::error_of([] {
              load_config("", {"router.kind=mog-da", "router.targets=labels"});
            }),
            "config: router.kind=mog-da learns d alpha/dt from the exact posterior's derivative, which "
            "router.targets=labels does not give: set router.targets=exact (--targets exact)");
  EXPECT_NE(test::error_of([] {
              load_config("", {"router.kind=sobolev", "router.targets=samples"});
            })
                .find("router.kind=sobolev learns d alpha/dt from the exact posterior's derivative, which "
                      "router.targets=samples"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              load_config("", {"router.federated=true", "router.targets=exact"});
            }).find("needs router.targets=labels"),
            std::string::npos);
  EXPECT_NO_THROW(load_config("", {"router.federated=true"}));
  EXPECT_NE(test::error_of([] {
              load_config("", {"shards.method=counts", "shards.k=2", "shards.counts=5"});
            }).find("one count per shard in shards.counts: 1 given, shards.k = 2"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { load_config("", {"shards.counts=5,6"}); }).find("method=counts only"),
            std::string::npos);
}

TEST(Config, RouterBoundsAreAutoOrOrderedNumbers) {
  EXPECT_TRUE(load_config("").router.t1.is_auto);
  const Config c = load_config("", {"router.t1=0.3", "router.t2=0.7"});
  EXPECT_EQ(c.router.t1, AutoDouble::of(0.3));
  EXPECT_EQ(config_to_json(c).at("router").at("t2").get<double>(), 0.7);
  EXPECT_EQ(config_to_json(load_config("")).at("router").at("t1").get<std::string>(), "auto");
  EXPECT_EQ(test::error_of([] { load_config("", {"router.t1=soon"}); }),
            "--set router.t1=soon: expected a number or auto, got 'soon'");
  EXPECT_NE(test::error_of([] { load_config("", {"router.t1=0.3"}); }).find("both auto or both numbers"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              load_config("", {"router.t1=0.7", "router.t2=0.3"});
            }).find("router.t1 < router.t2"),
            std::string::npos);
  EXPECT_EQ(test::error_of([] { load_config("", {"sample.alpha=integrated-fast"}); }),
            "--set sample.alpha=integrated-fast: bad value 'integrated-fast' (valid: router, integrated, "
            "integrated-corrected, "
            "oracle, sobolev)");
}

// Options removed after files were written with them: an old run's resolved config.yaml (which
// lists every key) loads while it holds the value that survived; any other value is an error
// naming the file, line and key and saying what replaced it. Help does not list them.
TEST(Config, RetiredKeysLoadWithTheirSurvivingValueOnly) {
  test::TempDir dir;
  atomic_write(dir / "old.yaml", "router:\n  derivative: logit\n  deriv_weights: \"alpha\"\n");
  EXPECT_EQ(load_config(dir / "old.yaml").router.kind, RouterKind::kMogA);
  atomic_write(dir / "raw.yaml", "router:\n  kind: mog-da\n  derivative: raw\n");
  const std::string e = test::error_of([&] { load_config(dir / "raw.yaml"); });
  EXPECT_EQ(e.rfind(dir / "raw.yaml:3: router.derivative: raw is retired: the raw d alpha/dt head was removed", 0), 0u)
      << e;
  EXPECT_NE(test::error_of([] { load_config("", {"router.deriv_weights=mixed"}); }).find("mixed is retired"),
            std::string::npos);
  Json recorded = config_to_json(Config{});
  recorded["router"]["derivative"] = "logit";
  EXPECT_NO_THROW(config_from_json(recorded, "checkpoint"));
  EXPECT_EQ(describe_config_fields().find("router.derivative "), std::string::npos);
}

TEST(Config, ResolvedDumpReloadsToTheSameConfig) {
  test::TempDir dir;
  const Config c = load_config("", {"data.dataset=toy2d", "data.path=/a path/with \"quotes\"", "shards.method=kmeans",
                                    "shards.balanced=true", "shards.seed=123456789012"});
  write_resolved_config(c, dir.path());
  const Config back = load_config(dir / "config.yaml");
  for (const auto& f : config_fields()) {
    if (f.key == "run.dir") continue;  // the dump records the resolved folder
    EXPECT_EQ(f.get(back).dump(), f.get(c).dump()) << f.key;
  }
}

TEST(Config, ShippedConfigsLoad) {
  for (const char* name : {"toy2d", "fashion_mnist", "cifar10", "celebahq"}) {
    const std::string path = std::string(DDM_SOURCE_DIR) + "/configs/" + name + ".yaml";
    EXPECT_NO_THROW(load_config(path)) << path;
  }
}
}  // namespace ddm
