// CIFAR-10 binary reader (see cifar.h).
#include "data/cifar.h"

#include "util/error.h"
#include "util/fs.h"

namespace ddm {

void append_cifar_batch(const std::string& path, RawData& out) {
  if (!path_exists(path)) fail("missing CIFAR-10 file {}", path);
  const std::string bytes = read_file(path);
  if (bytes.empty() || bytes.size() % kCifarRecordBytes != 0)
    fail("{}: {} bytes is not a whole number of {}-byte CIFAR-10 records (truncated?)", path, bytes.size(),
         kCifarRecordBytes);
  const size_t records = bytes.size() / kCifarRecordBytes;
  out.sample_shape = {3, 32, 32};
  for (size_t r = 0; r < records; ++r) {
    const auto* rec = reinterpret_cast<const uint8_t*>(bytes.data()) + r * kCifarRecordBytes;
    if (rec[0] > 9) fail("{}: record {} has label {} (CIFAR-10 labels are 0..9)", path, r, rec[0]);
    out.labels.push_back(rec[0]);
    out.pixels.insert(out.pixels.end(), rec + 1, rec + kCifarRecordBytes);
  }
  out.n += static_cast<int64_t>(records);
}

RawData read_cifar10(const std::string& dir, bool train) {
  RawData raw;
  if (train) {
    for (int b = 1; b <= 5; ++b) append_cifar_batch(path_join(dir, format("data_batch_{}.bin", b)), raw);
  } else {
    append_cifar_batch(path_join(dir, "test_batch.bin"), raw);
  }
  raw.class_names = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  return raw;
}

}  // namespace ddm
