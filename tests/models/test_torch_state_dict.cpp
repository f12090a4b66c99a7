// torch.save files through LibTorch's unpickler (models/torch_state_dict.h): a state dict
// torch.save wrote reads back exactly, and the corrupt files fuzz_torch_bin found (a duplicated
// storage record, a storage shorter than its tensor, a length or a memo index of gigabytes) are
// refused in one line before LibTorch reads past a storage or allocates what a field claims.
#include <gtest/gtest.h>

#include "models/torch_state_dict.h"
#include "test_util.h"

namespace ddm {
namespace {

std::string source_file(const std::string& path) { return std::string(DDM_SOURCE_DIR) + "/" + path; }

// fuzz/corpus/make_seeds.py: {"conv_in.weight": arange(6) as 2 x 3, "conv_in.bias": [0.5, -1]
// in float16, "row": a view of the weight's second row}.
TEST(TorchStateDict, ReadsWhatTorchSaveWrote) {
  const TensorList st = read_torch_state_dict(source_file("fuzz/corpus/torch_bin/state_dict.bin"));
  ASSERT_EQ(st.size(), 3u);
  EXPECT_EQ(st[0].first, "conv_in.weight");  // the file's order
  const torch::Tensor w = st[0].second;
  EXPECT_TRUE(torch::equal(w, torch::arange(6, torch::kFloat32).reshape({2, 3})));
  const torch::Tensor b = st[1].second;
  EXPECT_EQ(b.scalar_type(), torch::kFloat16);
  EXPECT_TRUE(torch::equal(b.to(torch::kFloat32), torch::tensor({0.5f, -1.0f})));
  EXPECT_EQ(st[2].first, "row");
  EXPECT_TRUE(torch::equal(st[2].second, torch::tensor({3.0f, 4.0f, 5.0f})));
}

TEST(TorchStateDict, CorruptFilesAreRefusedInOneLine) {
  struct Case {
    std::string file, says;
  };
  for (const Case& c :
       {Case{"torch-bin-duplicate-record.bin", "appears twice"},
        Case{"torch-bin-short-storage.bin", "require a storage of at least 24 bytes, but storage only has 4"},
        Case{"torch-bin-claims-4gib.bin", "claims a 4294967280-byte value"},
        Case{"torch-bin-memo-index.bin", "stores memo entry 1751347043"}}) {
    const std::string path = source_file("tests/fixtures/fuzz/" + c.file);
    const std::string e = test::error_of([&] { read_torch_state_dict(path); });
    EXPECT_NE(e.find(path + ": "), std::string::npos) << e;
    EXPECT_NE(e.find(c.says), std::string::npos) << e;
    EXPECT_EQ(test::count_lines(e), 1) << e;
  }
  const std::string not_zip = test::error_of([] { parse_torch_state_dict("PK\x03\x04 not a zip", "x.bin"); });
  EXPECT_NE(not_zip.find("x.bin: not a state dict that torch.save wrote"), std::string::npos) << not_zip;
  EXPECT_EQ(test::count_lines(not_zip), 1) << not_zip;
}

}  // namespace
}  // namespace ddm
