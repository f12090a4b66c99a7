// CIFAR-10 binary format: records of one label byte then 3072 pixel bytes (1024 R, 1024 G,
// 1024 B, row-major 32x32); data_batch_1..5.bin for training, test_batch.bin for test.
#pragma once
#include <string>

#include "data/raw.h"

namespace ddm {

inline constexpr int kCifarRecordBytes = 1 + 3 * 32 * 32;

RawData read_cifar10(const std::string& dir, bool train);
// One batch file; errors name it (missing, truncated, bad label).
void append_cifar_batch(const std::string& path, RawData& out);

}  // namespace ddm
