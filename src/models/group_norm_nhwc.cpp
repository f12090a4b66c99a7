// Channels-last GroupNorm for inference (see group_norm_nhwc.h). The loops run along the channel
// axis, which is contiguous in NHWC, so the compiler vectorises them; target_clones builds an
// x86-64-v4 (AVX-512 with 16-bit lanes, which bf16 needs) and a v3 (AVX2) copy next to the
// portable one, chosen when the program loads.
#include "models/group_norm_nhwc.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <c10/core/GradMode.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "util/error.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define DDM_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define DDM_VECTOR_CLONES
#endif

namespace ddm::nn {
namespace {

inline float load(float v) { return v; }
inline float load(uint16_t bf16) {
  const uint32_t bits = static_cast<uint32_t>(bf16) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
inline void store(float v, float* out) { *out = v; }
// Round to nearest even, as at::BFloat16 does; NaN stays a quiet NaN.
inline void store(float v, uint16_t* out) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  const uint32_t rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
  *out = static_cast<uint16_t>(v != v ? 0x7FC0u : rounded);
}

// Per-channel sums of x and of (x - centre[c])^2 over `positions` rows of `c` channels. Float
// within blocks of 64 rows, double across them, so large images keep their precision.
template <typename T>
DDM_VECTOR_CLONES void channel_moments(const T* __restrict x, int64_t positions, int64_t c,
                                       const float* __restrict centre, double* __restrict sum, double* __restrict sq) {
  std::vector<float> s(static_cast<size_t>(c)), q(static_cast<size_t>(c));
  for (int64_t p0 = 0; p0 < positions; p0 += 64) {
    std::fill(s.begin(), s.end(), 0.0f);
    std::fill(q.begin(), q.end(), 0.0f);
    const int64_t p1 = std::min(positions, p0 + 64);
    float* __restrict sp = s.data();
    float* __restrict qp = q.data();
    for (int64_t p = p0; p < p1; ++p) {
      const T* __restrict row = x + p * c;
      for (int64_t j = 0; j < c; ++j) {
        const float d = load(row[j]) - centre[j];
        sp[j] += d;
        qp[j] += d * d;
      }
    }
    for (int64_t j = 0; j < c; ++j) sum[j] += s[j], sq[j] += q[j];
  }
}

// exp(x) for SiLU in vectorisable arithmetic (Cephes' expf: x = n ln2 + r, a degree-6
// polynomial in r, 2^n from the exponent bits), relative error about 1e-7 on [-87, 88]; outside,
// x is clamped (NaN goes to 88, so that silu(NaN) stays NaN).
inline float exp_clamped(float x) {
  x = x < 88.0f ? x : 88.0f;
  x = x > -87.0f ? x : -87.0f;
  // n = round(x / ln 2) by adding and removing 1.5 * 2^23 (plain float adds, which vectorise
  // where floor() would be a library call)
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * r * r + r + 1.0f;
  const uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return e * scale;
}

// y = x * scale[c] + shift[c], then SiLU if asked (the ResBlocks' GroupNorm -> SiLU in one pass).
template <typename T, bool Silu>
DDM_VECTOR_CLONES void affine(const T* __restrict x, int64_t positions, int64_t c, const float* __restrict scale,
                              const float* __restrict shift, T* __restrict y) {
  for (int64_t p = 0; p < positions; ++p)
    for (int64_t j = 0; j < c; ++j) {
      const float v = load(x[p * c + j]) * scale[j] + shift[j];
      store(Silu ? v / (1.0f + exp_clamped(-v)) : v, &y[p * c + j]);
    }
}

// One sample: one pass for the statistics, then y = x * scale[c] + shift[c]. Each channel's
// moments are taken about its first value (shifted data, so the variance does not cancel for a
// large mean), then combined per group with Chan et al.'s pairwise formula.
template <typename T>
void normalise_sample(const T* x, T* y, int64_t positions, int64_t c, int64_t groups, const float* gamma,
                      const float* beta, double eps, bool silu) {
  const int64_t cg = c / groups;
  const double p = static_cast<double>(positions);
  std::vector<float> centre(static_cast<size_t>(c)), scale(static_cast<size_t>(c)), shift(static_cast<size_t>(c));
  std::vector<double> sum(static_cast<size_t>(c), 0.0), sq(static_cast<size_t>(c), 0.0);
  for (int64_t j = 0; j < c; ++j) centre[j] = load(x[j]);
  channel_moments(x, positions, c, centre.data(), sum.data(), sq.data());
  for (int64_t g = 0; g < groups; ++g) {
    double mean = 0, m2 = 0;
    for (int64_t j = g * cg; j < (g + 1) * cg; ++j) mean += centre[j] + sum[j] / p;
    mean /= static_cast<double>(cg);
    for (int64_t j = g * cg; j < (g + 1) * cg; ++j) {
      const double channel_mean = centre[j] + sum[j] / p;
      m2 += std::max(0.0, sq[j] - sum[j] * sum[j] / p) + p * (channel_mean - mean) * (channel_mean - mean);
    }
    const double rstd = 1.0 / std::sqrt(m2 / (p * static_cast<double>(cg)) + eps);
    for (int64_t j = g * cg; j < (g + 1) * cg; ++j) {
      scale[j] = static_cast<float>(gamma[j] * rstd);
      shift[j] = static_cast<float>(beta[j] - mean * gamma[j] * rstd);
    }
  }
  (silu ? affine<T, true> : affine<T, false>)(x, positions, c, scale.data(), shift.data(), y);
}

}  // namespace

bool group_norm_nhwc_applies(const torch::Tensor& x) {
  return !c10::GradMode::is_enabled() && x.device().is_cpu() && x.dim() == 4 && !x.is_contiguous() &&
         x.is_contiguous(torch::MemoryFormat::ChannelsLast) &&
         (x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kBFloat16);
}

torch::Tensor group_norm_nhwc(const torch::Tensor& x, int64_t groups, const torch::Tensor& gamma,
                              const torch::Tensor& beta, double eps, bool silu) {
  RECORD_FUNCTION("ddm::group_norm_nhwc", std::vector<c10::IValue>{});  // a row in `ddm bench sample --profile`
  require(group_norm_nhwc_applies(x),
          "group_norm_nhwc: expects a channels-last float or bf16 CPU tensor without gradient");
  const int64_t n = x.size(0), c = x.size(1), positions = x.size(2) * x.size(3);
  require(groups > 0 && c % groups == 0 && gamma.numel() == c && beta.numel() == c,
          "group_norm_nhwc: {} channels, {} groups", c, groups);
  const torch::Tensor g = gamma.to(torch::kFloat32).contiguous(), b = beta.to(torch::kFloat32).contiguous();
  torch::Tensor y = torch::empty_like(x, torch::MemoryFormat::ChannelsLast);
  const bool bf16 = x.scalar_type() == torch::kBFloat16;
  const size_t width = bf16 ? 2 : 4;
  const auto* in = static_cast<const char*>(x.data_ptr());
  auto* out = static_cast<char*>(y.data_ptr());
  at::parallel_for(0, n, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const size_t offset = static_cast<size_t>(i * positions * c) * width;
      if (bf16)
        normalise_sample(reinterpret_cast<const uint16_t*>(in + offset), reinterpret_cast<uint16_t*>(out + offset),
                         positions, c, groups, g.data_ptr<float>(), b.data_ptr<float>(), eps, silu);
      else
        normalise_sample(reinterpret_cast<const float*>(in + offset), reinterpret_cast<float*>(out + offset), positions,
                         c, groups, g.data_ptr<float>(), b.data_ptr<float>(), eps, silu);
    }
  });
  return y;
}

}  // namespace ddm::nn
