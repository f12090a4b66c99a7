// Router metadata and loading (see router.h).
#include "router/router.h"

#include "config/config.h"
#include "models/checkpoint.h"
#include "util/error.h"

namespace ddm {

Json RouterMeta::to_json() const {
  Json j = Json::object();
  j["kind"] = "router";
  j["router"] = to_string(kind);
  j["targets"] = targets;
  j["k"] = k;
  j["dataset"] = dataset;
  j["sample_shape"] = Json(sample_shape);
  j["priors"] = Json(priors);
  j["schedule"] = schedule.to_json();
  j["t_min"] = t_min;
  j["t1"] = t1;
  j["t2"] = t2;
  j["bounds"] = bounds;
  if (has_derivative()) j["derivative"] = "logit";
  j["architecture"] = architecture;
  j["step"] = step;
  return j;
}

RouterMeta RouterMeta::from_json(const Json& j, const std::string& source) {
  try {
    require(j.at("kind").get<std::string>() == "router", "a {} checkpoint, not a router",
            j.at("kind").get<std::string>());
    RouterMeta m;
    m.kind = parse_enum<RouterKind>(j.at("router").get<std::string>(), "router");
    m.targets = j.value("targets", m.targets);  // routers written before the choice: exact
    m.k = static_cast<int>(json_int(j.at("k")));
    m.dataset = j.at("dataset").get<std::string>();
    m.sample_shape = json_ints(j.at("sample_shape"));
    for (const auto& p : j.at("priors")) m.priors.push_back(p.get<double>());
    m.schedule = Schedule::from_json(j.at("schedule"));
    m.t_min = j.at("t_min").get<double>();
    m.t1 = j.at("t1").get<double>();
    m.t2 = j.at("t2").get<double>();
    m.bounds = j.value("bounds", m.bounds);
    // MoG-da routers written without the key, or with "raw", have the retired raw d alpha/dt head.
    require(!m.has_derivative() || j.value("derivative", std::string("raw")) == "logit",
            "a MoG-da router with the retired raw d alpha/dt head; retrain it (ddm train-router --kind mog-da) "
            "to get the logit-velocity head");
    m.architecture = j.at("architecture");
    m.step = json_int(j.at("step"));
    return m;
  } catch (const std::exception& e) {  // ddm's checks and nlohmann's missing keys and types
    fail("{}: {}", source, json_error(e));
  }
}

namespace {
torch::Tensor times(const torch::Tensor& x, double t) {
  return torch::full({x.size(0)}, t, x.options().dtype(torch::kFloat32));
}
}  // namespace

torch::Tensor Router::alpha(const torch::Tensor& x, double t) const {
  torch::NoGradGuard no_grad;
  const auto& net = nets[meta.network_at(t)];
  return torch::softmax(net->forward(x, times(x, t)).logits.to(torch::kFloat32), 1);
}

RouterOut Router::evaluate(const torch::Tensor& x, double t) const {
  torch::NoGradGuard no_grad;
  return nets[meta.network_at(t)]->forward(x, times(x, t)).to_float();
}

torch::Tensor Router::prior(int64_t batch, torch::Device device) const {
  return torch::tensor(meta.priors, torch::kFloat32).to(device).unsqueeze(0).expand({batch, meta.k}).contiguous();
}

Router load_router(const std::string& path, torch::Device device) {
  const Checkpoint ckpt = load_checkpoint(path);
  Router r;
  r.path = path;
  if (!ckpt.meta.contains("router")) fail("{}: not a router checkpoint (an expert? use it with --experts)", path);
  r.meta = RouterMeta::from_json(ckpt.meta.at("router"), path);
  // The architecture record says what the network is: no training configuration needed.
  const RouterArch arch = router_arch(r.meta.architecture, r.meta.schedule, path);
  for (int i = 0; i < r.meta.networks(); ++i) {
    auto net = std::make_shared<RouterNet>(arch, r.meta.sample_shape, r.meta.k, r.meta.has_derivative());
    // The EMA of the weights where training kept one (router.ema), else the weights.
    const std::string prefix = format(ckpt.has(format("ema{}.alpha_head.weight", i)) ? "ema{}." : "net{}.", i);
    ckpt.load_module(prefix, *net);
    net->to(device);
    net->eval();
    r.nets.push_back(net);
  }
  return r;
}

}  // namespace ddm
