// The alpha-source table (see alpha_sources.h; design.md section 4).
#include "run/alpha_sources.h"

#include "util/error.h"

namespace ddm {
namespace {

using R = RouterKind;

const AlphaSourceSpec kSpecs[] = {
    {AlphaSource::kRouter, R::kMogA, false, false, "MoG-a"},
    {AlphaSource::kSobolev, R::kSobolev, false, false, "Sobolev"},
    {AlphaSource::kIntegrated, R::kMogDa, true, false, "MoG-da, integrated"},
    {AlphaSource::kIntegratedCorrected, R::kMogDa, true, false, "MoG-da, integrated + corrected"},
    {AlphaSource::kOracle, std::nullopt, false, true, "exact alpha"},
};

}  // namespace

const AlphaSourceSpec& alpha_source_spec(AlphaSource source) {
  for (const auto& s : kSpecs)
    if (s.source == source) return s;
  fail("alpha source {} has no entry in the alpha-source table", static_cast<int>(source));
}

}  // namespace ddm
