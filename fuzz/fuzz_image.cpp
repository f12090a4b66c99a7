// libFuzzer target: image decoding (PNG, JPEG, BMP through stb_image) with the size cap, then
// the resize and centre crop the image-folder reader applies. The first byte picks the channels.
#include "fuzz_target.h"
#include "util/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int channels = (data[0] % 3 == 0) ? 0 : (data[0] % 3 == 1 ? 1 : 3);
  const std::string path = ddm::fuzz::as_file(data + 1, size - 1, ".img");
  return ddm::fuzz::run([&] {
    const ddm::Image img = ddm::read_image(path, channels, int64_t{64} << 20);
    if (img.width <= 4096 && img.height <= 4096) ddm::resize_center_crop(img, 8);
  });
}
