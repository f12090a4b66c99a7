// A folder of PNG/JPEG/BMP images (CelebA-HQ and the like), each resized (shorter side) and
// centre-cropped to `resolution`, with optional labels from a text file:
//   - "<file name> <integer label>" per line, or
//   - CelebA's attribute table (line 1: count, line 2: attribute names, then "<file> 1 -1 ..."),
//     with `attribute` naming the column that becomes a 0/1 label.
#pragma once
#include <string>

#include "data/raw.h"
#include "util/byte_limit.h"

namespace ddm {

struct ImageFolderOptions {
  std::string dir;
  int resolution = 64;
  int channels = 3;
  std::string labels;                    // label file; empty for none
  std::string attribute;                 // attribute table column; empty for "<file> <label>" lines
  int64_t limit = 0;                     // first N files (sorted by name); 0: all
  int threads = 0;                       // decoding threads; 0: hardware concurrency
  int64_t max_bytes = kDefaultMaxBytes;  // largest decoded image a file may declare
};

RawData read_image_folder(const ImageFolderOptions& opt);

}  // namespace ddm
