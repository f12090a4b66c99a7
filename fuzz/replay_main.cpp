// A plain driver for the fuzz targets, as libFuzzer's standalone mode: feeds every file of the
// given folders (or the given files) to LLVMFuzzerTestOneInput once, in name order. CTest replays
// each committed seed corpus through its target's own code with it, in every build, the
// sanitizer build included (tests/CMakeLists.txt), so CI runs the readers on the corpora without
// clang. A refusal is ddm's Error, caught in the target; anything else ends the process.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    if (!fs::is_directory(argv[i])) {
      files.emplace_back(argv[i]);
      continue;
    }
    for (const auto& e : fs::directory_iterator(argv[i]))
      if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    std::cout << "replayed " << f.string() << " (" << bytes.size() << " bytes)\n";
  }
  if (files.empty()) std::cerr << "replay: no inputs: nothing was checked\n";
  return files.empty() ? 1 : 0;
}
