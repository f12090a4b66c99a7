// Router metadata and loading (see router.h).
#include "router/router.h"

#include "train/checkpoint.h"
#include "util/error.h"

namespace ddm {

Json RouterMeta::to_json() const {
  Json j = Json::object();
  j["kind"] = "router";
  j["router"] = to_string(kind);
  j["k"] = k;
  j["dataset"] = dataset;
  j["sample_shape"] = Json(sample_shape);
  j["priors"] = Json(priors);
  j["schedule"] = schedule.to_json();
  j["t_min"] = t_min;
  j["t1"] = t1;
  j["t2"] = t2;
  j["bounds"] = bounds;
  if (derivative) j["derivative"] = to_string(*derivative);
  j["architecture"] = architecture;
  j["step"] = step;
  return j;
}

RouterMeta RouterMeta::from_json(const Json& j, const std::string& source) {
  try {
    require(j.at("kind").as_string() == "router", "a {} checkpoint, not a router", j.at("kind").as_string());
    RouterMeta m;
    m.kind = parse_enum<RouterKind>(j.at("router").as_string(), "router");
    m.k = static_cast<int>(j.at("k").as_int());
    m.dataset = j.at("dataset").as_string();
    m.sample_shape = j.at("sample_shape").as_int_vector();
    for (const auto& p : j.at("priors").elements()) m.priors.push_back(p.as_double());
    m.schedule = Schedule::from_json(j.at("schedule"));
    m.t_min = j.at("t_min").as_double();
    m.t1 = j.at("t1").as_double();
    m.t2 = j.at("t2").as_double();
    if (const Json* b = j.find("bounds")) m.bounds = b->as_string();
    if (m.kind == RouterKind::kMogDa)
      m.derivative = j.find("derivative") ? parse_enum<DerivativeHead>(j.at("derivative").as_string(), "derivative") : DerivativeHead::kRaw;
    m.architecture = j.at("architecture");
    m.step = j.at("step").as_int();
    return m;
  } catch (const Error& e) {
    fail("{}: {}", source, e.what());
  }
}

namespace {
torch::Tensor times(const torch::Tensor& x, double t) { return torch::full({x.size(0)}, t, x.options().dtype(torch::kFloat32)); }
}  // namespace

torch::Tensor Router::alpha(const torch::Tensor& x, double t) const {
  torch::NoGradGuard no_grad;
  const auto& net = nets[meta.kind == RouterKind::kMogDa ? meta.interval(t) : 0];
  return torch::softmax(net->forward(x, times(x, t)).logits.to(torch::kFloat32), 1);
}

RouterOut Router::evaluate(const torch::Tensor& x, double t) const {
  torch::NoGradGuard no_grad;
  RouterOut out = nets[meta.kind == RouterKind::kMogDa ? meta.interval(t) : 0]->forward(x, times(x, t));
  for (torch::Tensor* v : {&out.logits, &out.velocity, &out.dalpha})
    if (v->defined()) *v = v->to(torch::kFloat32);
  return out;
}

std::string router_folder(const RouterConfig& rc) {
  const auto head = derivative_head(rc);
  return "router-" + to_string(rc.kind) + (head == DerivativeHead::kRaw ? "-raw" : "");
}

torch::Tensor Router::prior(int64_t batch, torch::Device device) const {
  return torch::tensor(meta.priors, torch::kFloat32).to(device).unsqueeze(0).expand({batch, meta.k}).contiguous();
}

Router load_router(const std::string& path, torch::Device device) {
  const Checkpoint ckpt = load_checkpoint(path);
  Router r;
  r.path = path;
  const Json* jm = ckpt.meta.find("router");
  if (!jm) fail("{}: not a router checkpoint (an expert? use it with --experts)", path);
  r.meta = RouterMeta::from_json(*jm, path);
  const Config cfg = config_from_json(ckpt.meta.at("config"), path);
  const int n = r.meta.kind == RouterKind::kMogDa ? 3 : 1;
  for (int i = 0; i < n; ++i) {
    auto net = std::make_shared<RouterNet>(cfg, r.meta.sample_shape, r.meta.k, r.meta.derivative);
    ckpt.load_module(format("net{}.", i), *net);
    net->to(device);
    net->eval();
    r.nets.push_back(net);
  }
  return r;
}

}  // namespace ddm
