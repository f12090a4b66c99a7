// `ddm export`: experts, routers or a whole run in the PyTorch ecosystem's layouts
// (interop/exchange.h): an expert as a diffusers DDIMPipeline folder, a router as safetensors.
#include <iostream>

#include "cli/app.h"
#include "cli/args.h"
#include "interop/exchange.h"
#include "models/checkpoint.h"
#include "util/error.h"
#include "util/fs.h"

namespace ddm::cli {

int cmd_export(const std::vector<std::string>& argv) {
  Args args(
      "export",
      "Write an expert checkpoint as a diffusers DDIMPipeline folder (model_index.json, unet/, scheduler/: "
      "DDIMPipeline.from_pretrained loads it), a router as safetensors, or (no CHECKPOINT) every expert and router of "
      "the run of --config.",
      true, "[CHECKPOINT]");
  args.add()("out", "output folder", cxxopts::value<std::string>());
  if (!args.parse(argv)) return 0;
  if (!args.has("out")) throw UsageError("export: --out DIR is required");
  const std::string out = args.get<std::string>("out");
  const auto inputs = args.positional();
  if (inputs.size() > 1) throw UsageError("export: give one CHECKPOINT, or none to export the run of --config");
  if (inputs.empty()) {
    const auto written = export_run(RunLayout(args.config().run_dir()), out);
    for (const auto& w : written) std::cout << "wrote " << w << "\n";
    std::cout << format("wrote {}/priors.json ({} folders)\n", out, written.size());
    return 0;
  }
  const Json meta = read_checkpoint_meta(inputs[0]);
  if (meta.contains("router"))
    export_router(inputs[0], out);
  else if (meta.contains("expert"))
    export_expert(inputs[0], out);
  else
    fail("{}: neither an expert nor a router checkpoint", inputs[0]);
  std::cout << format("wrote {}\n", out);
  return 0;
}

}  // namespace ddm::cli
