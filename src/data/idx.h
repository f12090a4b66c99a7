// IDX files (MNIST, Fashion-MNIST), gzipped or not: magic 0x00000803 for images (N x 28 x 28
// uint8), 0x00000801 for labels; dimensions are big-endian int32.
#pragma once
#include <string>

#include "data/raw.h"
#include "util/byte_limit.h"

namespace ddm {

// Reads images and, when `labels_path` is not empty, labels; errors name the file. A header
// claiming more than `max_bytes` (data.max_bytes) is refused before anything is allocated.
RawData read_idx(const std::string& images_path, const std::string& labels_path, int64_t max_bytes = kDefaultMaxBytes);
// Finds "<dir>/<stem>" or "<dir>/<stem>.gz"; fails naming both when neither exists.
std::string find_idx_file(const std::string& dir, const std::string& stem);

}  // namespace ddm
