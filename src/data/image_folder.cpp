// Image-folder reader (see image_folder.h). Decoding is spread over threads: a CelebA-HQ folder
// is 30,000 large JPEGs.
#include "data/image_folder.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "util/error.h"
#include "util/fs.h"
#include "util/image.h"

namespace fs = std::filesystem;

namespace ddm {
namespace {

std::map<std::string, int64_t> read_labels(const ImageFolderOptions& opt) {
  std::ifstream in(opt.labels);
  if (!in) fail("cannot read label file {}", opt.labels);
  std::map<std::string, int64_t> labels;
  std::string line;
  int line_no = 0;
  if (opt.attribute.empty()) {
    while (std::getline(in, line)) {
      ++line_no;
      std::istringstream ss(line);
      std::string name;
      int64_t label;
      if (!(ss >> name)) continue;  // blank line
      if (!(ss >> label) || label < 0) fail("{}:{}: expected '<file name> <label >= 0>'", opt.labels, line_no);
      labels[name] = label;
    }
    return labels;
  }
  // CelebA attribute table.
  std::getline(in, line);  // count
  ++line_no;
  std::getline(in, line);
  ++line_no;
  std::istringstream header(line);
  std::vector<std::string> names;
  for (std::string a; header >> a;) names.push_back(a);
  const auto col = std::find(names.begin(), names.end(), opt.attribute);
  if (col == names.end()) fail("{}: no attribute '{}' in line 2", opt.labels, opt.attribute);
  const size_t c = static_cast<size_t>(col - names.begin());
  while (std::getline(in, line)) {
    ++line_no;
    std::istringstream ss(line);
    std::string name;
    if (!(ss >> name)) continue;
    std::vector<int> values;
    for (int v; ss >> v;) values.push_back(v);
    if (values.size() != names.size())
      fail("{}:{}: {} attribute values, header names {}", opt.labels, line_no, values.size(), names.size());
    labels[name] = values[c] > 0 ? 1 : 0;
  }
  return labels;
}

}  // namespace

RawData read_image_folder(const ImageFolderOptions& opt) {
  if (!is_directory(opt.dir)) fail("image folder {} does not exist", opt.dir);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(opt.dir)) {
    if (!e.is_regular_file()) continue;
    const std::string ext = to_lower(e.path().extension().string());
    if (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) fail("image folder {} holds no .png/.jpg/.jpeg/.bmp files", opt.dir);
  if (opt.limit > 0 && static_cast<int64_t>(files.size()) > opt.limit) files.resize(static_cast<size_t>(opt.limit));

  RawData raw;
  raw.n = static_cast<int64_t>(files.size());
  const int r = opt.resolution, c = opt.channels;
  raw.sample_shape = {c, r, r};
  const size_t per = static_cast<size_t>(c) * r * r;
  raw.pixels.resize(per * files.size());

  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex mu;
  auto work = [&] {
    for (size_t i; (i = next++) < files.size();) {
      try {
        const Image img = resize_center_crop(read_image(files[i], c, opt.max_bytes), r);
        uint8_t* dst = raw.pixels.data() + i * per;
        for (int ch = 0; ch < c; ++ch)  // HWC -> CHW
          for (size_t p = 0; p < static_cast<size_t>(r) * r; ++p) dst[ch * r * r + p] = img.pixels[p * c + ch];
      } catch (...) {
        std::lock_guard lock(mu);
        if (!error) error = std::current_exception();
        next = files.size();
      }
    }
  };
  const int n_threads =
      std::max(1, opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (int t = 0; t < n_threads; ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);

  if (!opt.labels.empty()) {
    const auto labels = read_labels(opt);
    for (const auto& f : files) {
      const std::string name = fs::path(f).filename().string();
      const auto it = labels.find(name);
      if (it == labels.end()) fail("{}: no label for image {}", opt.labels, name);
      raw.labels.push_back(it->second);
    }
    if (!opt.attribute.empty()) raw.class_names = {"not " + opt.attribute, opt.attribute};
  }
  return raw;
}

}  // namespace ddm
