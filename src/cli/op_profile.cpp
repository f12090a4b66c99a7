// Per-operator self time from LibTorch's Kineto profiler (see op_profile.h).
#include "cli/op_profile.h"

#include <torch/csrc/autograd/profiler_kineto.h>

#include <algorithm>
#include <map>
#include <vector>

namespace ddm::cli {
namespace {
namespace prof = torch::profiler::impl;

struct Span {
  uint64_t start, end;
  std::string name;
};

struct OpTotal {
  int64_t calls = 0;
  uint64_t self_ns = 0;
};

// Self time per operator: on each thread the spans nest, so a stack of open spans gives every
// span's children; a span's self time is its length less its direct children's lengths.
std::map<std::string, OpTotal> self_times(std::map<uint64_t, std::vector<Span>>& by_thread) {
  std::map<std::string, OpTotal> out;
  for (auto& [tid, spans] : by_thread) {
    std::sort(spans.begin(), spans.end(),
              [](const Span& a, const Span& b) { return a.start != b.start ? a.start < b.start : a.end > b.end; });
    std::vector<std::pair<const Span*, uint64_t>> open;  // span, children's time so far
    auto close = [&] {
      const auto [s, child] = open.back();
      open.pop_back();
      const uint64_t len = s->end - s->start;
      OpTotal& t = out[s->name];
      t.calls += 1;
      t.self_ns += len > child ? len - child : 0;
      if (!open.empty()) open.back().second += len;
    };
    for (const Span& s : spans) {
      while (!open.empty() && open.back().first->end <= s.start) close();
      open.emplace_back(&s, 0);
    }
    while (!open.empty()) close();
  }
  return out;
}

}  // namespace

OpProfile::OpProfile() {
  const prof::ProfilerConfig config(prof::ProfilerState::KINETO);
  torch::autograd::profiler::prepareProfiler(config,
                                             {prof::ActivityType::CPU});  // Kineto's set-up, as torch.profiler does
  torch::autograd::profiler::enableProfiler(config, {prof::ActivityType::CPU});
  active_ = true;
}

OpProfile::~OpProfile() {
  if (active_) torch::autograd::profiler::disableProfiler();
}

Json OpProfile::table() {
  std::map<uint64_t, std::vector<Span>> by_thread;
  if (active_) {
    const auto result = torch::autograd::profiler::disableProfiler();
    active_ = false;
    for (const auto& e : result->events())
      if (e.deviceType() == c10::DeviceType::CPU && e.endNs() > e.startNs())
        by_thread[e.startThreadId()].push_back({e.startNs(), e.endNs(), e.name()});
  }
  const auto totals = self_times(by_thread);
  uint64_t all = 0;
  for (const auto& [name, t] : totals) all += t.self_ns;
  std::vector<std::pair<std::string, OpTotal>> rows(totals.begin(), totals.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.self_ns > b.second.self_ns; });
  Json out = Json::array();
  for (const auto& [name, t] : rows)
    out.push_back({{"op", name},
                   {"calls", t.calls},
                   {"self_ms", static_cast<double>(t.self_ns) / 1e6},
                   {"share", all ? static_cast<double>(t.self_ns) / static_cast<double>(all) : 0.0}});
  return out;
}

}  // namespace ddm::cli
