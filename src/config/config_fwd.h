// Config by name only, for headers that take a whole configuration by reference: they need not
// include (and be rebuilt with) every section's fields.
#pragma once

namespace ddm {
struct Config;
}  // namespace ddm
