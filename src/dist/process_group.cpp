// c10d process groups (see process_group.h). The store follows torchrun's rule; collectives'
// failures become ddm's one-line errors.
#include "dist/process_group.h"

#include <chrono>
#include <thread>

#include "util/error.h"
#include "util/log.h"

#ifdef DDM_HAVE_C10D
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef DDM_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#endif

namespace ddm {

#ifdef DDM_HAVE_C10D
struct Dist::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::Backend> backend;
  std::string name;
  torch::Device device{torch::kCPU};  // where the backend wants tensors
};

namespace {

std::string first_line(const std::exception& e) {
  const auto* ce = dynamic_cast<const c10::Error*>(&e);
  return ddm::first_line(ce ? ce->what_without_backtrace() : e.what());
}

// torchrun's rule: with its agent's store every rank is a client under the attempt's prefix;
// otherwise (plain environment, Slurm without the agent) rank 0 hosts the store.
c10::intrusive_ptr<c10d::Store> make_store(const DistEnv& env, std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions o;
  o.port = static_cast<uint16_t>(env.master_port);
  o.isServer = !env.agent_store && env.rank == 0;
  o.numWorkers = env.agent_store ? std::nullopt : std::optional<std::size_t>(env.world_size);
  o.waitWorkers = !env.agent_store;
  o.timeout = timeout;
  c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, o);
  if (env.agent_store) store = c10::make_intrusive<c10d::PrefixStore>(env.store_prefix(), store);
  return store;
}

// Gloo's transport device: GLOO_SOCKET_IFNAME as in PyTorch, the loopback when the master is on
// this machine's loopback, else the interface this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const DistEnv& env) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (env.master_addr == "localhost" || env.master_addr.rfind("127.", 0) == 0)
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

c10::intrusive_ptr<c10d::Backend> make_backend(const DistEnv& env, const std::string& name,
                                               const c10::intrusive_ptr<c10d::Store>& store,
                                               std::chrono::milliseconds timeout) {
  if (name == "nccl") {
#ifdef DDM_HAVE_NCCL
    auto o = c10d::ProcessGroupNCCL::Options::create();
    o->timeout = timeout;
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, env.rank, env.world_size, o);
#else
    fail(
        "dist.backend=nccl: this ddm was built without NCCL (a CUDA build of LibTorch with -DDDM_CUDA=ON has it); use "
        "dist.backend=gloo");
#endif
  }
  auto o = c10d::ProcessGroupGloo::Options::create(timeout);
  o->devices.push_back(gloo_device(env));
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.world_size, o);
}

c10d::ReduceOp to_c10d(ReduceOp op) {
  return op == ReduceOp::kSum ? c10d::ReduceOp(c10d::ReduceOp::SUM) : c10d::ReduceOp(c10d::ReduceOp::MAX);
}

}  // namespace

bool Dist::available() { return true; }

Dist Dist::join(const DistEnv& env, const DistConfig& cfg, torch::Device device) {
  Dist d;
  d.env_ = env;
  if (!env.distributed()) return d;
  const bool nccl = cfg.backend == DistBackend::kNccl || (cfg.backend == DistBackend::kAuto && device.is_cuda());
  require(!nccl || device.is_cuda(),
          "dist.backend=nccl needs run.device=cuda (NCCL reduces CUDA tensors only); use dist.backend=gloo");
  d.impl_ = std::make_shared<Impl>();
  d.impl_->name = nccl ? "nccl" : "gloo";
  d.impl_->device = nccl ? device : torch::Device(torch::kCPU);
  const std::chrono::milliseconds timeout(static_cast<int64_t>(cfg.timeout_s) * 1000);
  try {
    d.impl_->store = make_store(env, timeout);
    d.impl_->backend = make_backend(env, d.impl_->name, d.impl_->store, timeout);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    fail("rank {} of {}: cannot join the process group at {}:{} ({}): {}", env.rank, env.world_size, env.master_addr,
         env.master_port, d.impl_->name, first_line(e));
  }
  return d;
}

std::string Dist::backend() const { return impl_ ? impl_->name : "none"; }

namespace {

// After a failed collective: which ranks are gone. Each survivor posts itself in the store and
// waits a few seconds for the others; whoever never posts has stopped. Without the store (its
// host, rank 0 outside torchrun's agent, died with it) the answer is that host.
std::string stopped_ranks(Dist::Impl& impl, const DistEnv& env) {
  const std::string prefix = "ddm/alive-after-failure/";
  try {
    impl.store->set(prefix + std::to_string(env.rank), std::vector<uint8_t>{1});
    std::vector<int> gone;
    for (int tries = 0; tries < 30; ++tries) {
      gone.clear();
      for (int r = 0; r < env.world_size; ++r)
        if (!impl.store->check({prefix + std::to_string(r)})) gone.push_back(r);
      if (gone.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (gone.empty()) return "every rank is still running";
    std::string names;
    for (const int r : gone) names += (names.empty() ? "" : ", ") + std::to_string(r);
    return format("rank{} {} stopped", gone.size() > 1 ? "s" : "", names);
  } catch (const std::exception&) {
    return env.agent_store ? "torchrun's store is gone" : "rank 0 (which hosts the store) stopped";
  }
}

// Runs one collective on `t` (moved to the backend's device and back), turning c10d's failures
// (a peer that died, a timeout) into one line naming this rank, the collective and the ranks
// that stopped.
template <class Launch>
void collective(Dist::Impl& impl, const DistEnv& env, const char* what, torch::Tensor& t, Launch launch) {
  const bool move = t.device() != impl.device || !t.is_contiguous();
  std::vector<at::Tensor> buf{move ? t.to(impl.device).contiguous() : t};
  try {
    launch(buf)->wait();
  } catch (const std::exception& e) {
    fail("rank {} of {}: {} failed ({}): {}", env.rank, env.world_size, what, stopped_ranks(impl, env), first_line(e));
  }
  if (move) t.copy_(buf[0]);
}
}  // namespace

void Dist::all_reduce(std::vector<torch::Tensor>& tensors, ReduceOp op) const {
  if (!impl_) return;
  c10d::AllreduceOptions o;
  o.reduceOp = to_c10d(op);
  for (auto& t : tensors)
    collective(*impl_, env_, "all_reduce", t,
               [&](std::vector<at::Tensor>& b) { return impl_->backend->allreduce(b, o); });
}

void Dist::broadcast(std::vector<torch::Tensor>& tensors, int root) const {
  if (!impl_) return;
  c10d::BroadcastOptions o;
  o.rootRank = root;
  for (auto& t : tensors)
    collective(*impl_, env_, "broadcast", t,
               [&](std::vector<at::Tensor>& b) { return impl_->backend->broadcast(b, o); });
}

void Dist::barrier() const {
  if (!impl_) return;
  torch::Tensor t = torch::zeros({1});
  collective(*impl_, env_, "barrier", t, [&](std::vector<at::Tensor>&) { return impl_->backend->barrier(); });
}

#else  // built without c10d

struct Dist::Impl {};

bool Dist::available() { return false; }

Dist Dist::join(const DistEnv& env, const DistConfig&, torch::Device) {
  require(!env.distributed(),
          "WORLD_SIZE={}: this ddm was built without c10d (Gloo), so it runs as one process only; install libgloo-dev "
          "(scripts/setup.sh does) and rebuild",
          env.world_size);
  return Dist();
}

std::string Dist::backend() const { return "none"; }
void Dist::all_reduce(std::vector<torch::Tensor>&, ReduceOp) const {}
void Dist::broadcast(std::vector<torch::Tensor>&, int) const {}
void Dist::barrier() const {}

#endif

double Dist::max(double v) const {
  if (!active()) return v;
  std::vector<torch::Tensor> t{torch::full({1}, v, torch::kFloat64)};
  all_reduce(t, ReduceOp::kMax);
  return t[0].item<double>();
}

int64_t Dist::broadcast_value(int64_t v, int root) const {
  if (!active()) return v;
  std::vector<torch::Tensor> t{torch::full({1}, v, torch::kInt64)};
  broadcast(t, root);
  return t[0].item<int64_t>();
}

}  // namespace ddm
