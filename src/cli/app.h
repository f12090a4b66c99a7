// The `ddm` command table and entry point.
#pragma once
#include <string>
#include <vector>

namespace ddm {
struct SampleConfig;
}

namespace ddm::cli {

using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
  const char* name;
  const char* summary;
  CommandFn run;
  // Runs data-parallel under torchrun (WORLD_SIZE > 1); the others refuse it.
  bool data_parallel = false;
};

const std::vector<Command>& commands();
// `ddm help --markdown`: every command's options and every config key as docs/cli-reference.md.
void print_reference();
// Runs `ddm argv...`; turns every failure into one "ddm: error: ..." line and an exit status
// (1: failure, 2: bad command line).
int run(int argc, char** argv);

// The commands (one file each: cmd_<name>.cpp).
int cmd_prepare(const std::vector<std::string>& args);
int cmd_info(const std::vector<std::string>& args);
int cmd_train_expert(const std::vector<std::string>& args);
int cmd_dist_check(const std::vector<std::string>& args);
int cmd_bench(const std::vector<std::string>& args);
int cmd_train_router(const std::vector<std::string>& args);
int cmd_router_profile(const std::vector<std::string>& args);
int cmd_router_check(const std::vector<std::string>& args);
int cmd_sample(const std::vector<std::string>& args);
int cmd_trajectory(const std::vector<std::string>& args);
int cmd_theory(const std::vector<std::string>& args);
int cmd_evaluate(const std::vector<std::string>& args);
int cmd_fid(const std::vector<std::string>& args);
int cmd_export(const std::vector<std::string>& args);
int cmd_import(const std::vector<std::string>& args);

}  // namespace ddm::cli
