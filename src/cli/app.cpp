// Command dispatch, --version and the top-level error handler.
#include "cli/app.h"

#include <c10/util/Exception.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <cstdio>
#include <iostream>
#include <new>

#include "dist/env.h"
#include "util/error.h"
#include "util/log.h"
#include "util/progress.h"

#ifndef DDM_VERSION
#define DDM_VERSION "unknown"
#endif

namespace ddm::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"prepare", "partition a data set into K shards (writes <run>/shards.json)", cmd_prepare},
      {"train-expert", "train one expert on its shard (--shard k), or the baseline on all data (--shard all)",
       cmd_train_expert, true},
      {"train-router", "train the router (--kind mog-a|mog-da|sobolev) on the shards", cmd_train_router, true},
      {"router-profile", "mean |dalpha/dt| and entropy of alpha against t (choose MoG-da's intervals)",
       cmd_router_profile},
      {"router-check", "each alpha source against the exact alpha along exact PF-ODE paths (TV, argmax)",
       cmd_router_check},
      {"sample", "generate samples: N steps, routing rule, alpha source (writes PNGs, grid, .npz, summary)", cmd_sample,
       true},
      {"trajectory", "trajectory error against a many-step reference, fitted err = c N^-p (paper E.3)", cmd_trajectory},
      {"theory", "exact experts on a 2-D mixture: pathwise error and W2 against N per rule and solver (design 6)",
       cmd_theory},
      {"evaluate", "Table 1: classifier-feature FD per rule and N, class shares and confidence by rule", cmd_evaluate,
       true},
      {"fid", "Frechet distance of two image sets or stats files (--features classifier: not FID)", cmd_fid, true},
      {"export", "an expert as a diffusers DDIMPipeline folder, a router as safetensors, or a whole run", cmd_export},
      {"import", "a diffusers UNet2DModel or pipeline folder as a ddm expert (the baseline, an expert, or --init)",
       cmd_import},
      {"info", "describe a data set (--config), a shard manifest or a checkpoint", cmd_info},
      {"bench", "benchmarks printing one JSON line: train, sample", cmd_bench},
      {"dist-check", "check a data-parallel setup under torchrun: every collective ddm uses, known answers, timings",
       cmd_dist_check, true},
  };
  return table;
}

namespace {

void print_usage() {
  std::cout << "ddm " DDM_VERSION " - decentralized diffusion models on LibTorch\n\n"
            << "usage: ddm <command> [--config FILE] [--set key.path=value ...] [options]\n"
            << "       ddm <command> --help\n       ddm help --markdown   (the reference: docs/cli-reference.md)\n     "
               "  ddm --version\n\ncommands:\n";
  for (const auto& c : commands()) std::cout << format("  {:<14} {}\n", c.name, c.summary);
}

int report(const std::string& message, int status) {
  ProgressBar::clear_line();
  std::fprintf(stderr, "ddm: error: %s\n", first_line(message).c_str());
  return status;
}

}  // namespace

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "help" && args[1] == "--markdown") {
    print_reference();
    return 0;
  }
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    print_usage();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "version") {
    std::cout << "ddm " DDM_VERSION << "\nLibTorch " << TORCH_VERSION << "\nCUDA: "
              << (torch::cuda::is_available() ? format("available ({} device(s))", torch::cuda::device_count())
                                              : std::string("not available"))
              << "\n";
    return 0;
  }
  const Command* cmd = nullptr;
  for (const auto& c : commands())
    if (args[0] == c.name) cmd = &c;
  if (!cmd) {
    std::string names;
    for (const auto& c : commands()) names += std::string(names.empty() ? "" : ", ") + c.name;
    return report(format("unknown command '{}' (commands: {})", args[0], names), 2);
  }
  try {
    if (const DistEnv env = read_dist_env(); env.distributed() && !cmd->data_parallel)
      throw UsageError(
          format("WORLD_SIZE={}: ddm {} runs as one process; start it without torchrun (train-expert, train-router, "
                 "sample, evaluate, fid and dist-check run data-parallel)",
                 env.world_size, cmd->name));
    return cmd->run({args.begin() + 1, args.end()});
  } catch (const UsageError& e) {
    return report(e.what(), 2);
  } catch (const Error& e) {
    return report(e.what(), 1);
  } catch (const c10::Error& e) {
    return report(std::string("LibTorch: ") + e.what_without_backtrace(), 1);
  } catch (const std::bad_alloc&) {
    return report("out of memory", 1);
  } catch (const std::exception& e) {
    return report(e.what(), 1);
  }
}

}  // namespace ddm::cli
