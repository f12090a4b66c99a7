/* stb_image and stb_image_resize compiled into fuzz_image from Debian's headers, so that the
   decoder itself is instrumented (coverage and sanitizers): these definitions take precedence
   over libstb.so's uninstrumented copies of the same version. */
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb/stb_image_resize.h>
