// Expert metadata and loading for sampling (see expert.h).
#include "models/expert.h"

#include "config/config.h"
#include "models/checkpoint.h"
#include "models/denoiser.h"
#include "util/error.h"

namespace ddm {

Json ExpertMeta::to_json() const {
  Json j = Json::object();
  j["kind"] = "expert";
  j["shard"] = shard == kAllShards ? Json("all") : Json(shard);
  j["k"] = k;
  j["dataset"] = dataset;
  j["sample_shape"] = Json(sample_shape);
  j["schedule"] = schedule.to_json();
  j["prediction"] = to_string(prediction);
  j["t_min"] = t_min;
  j["architecture"] = architecture;
  j["step"] = step;
  return j;
}

ExpertMeta ExpertMeta::from_json(const Json& j, const std::string& source) {
  try {
    require(j.at("kind").get<std::string>() == "expert", "a {} checkpoint, not an expert",
            j.at("kind").get<std::string>());
    ExpertMeta m;
    const Json& shard = j.at("shard");
    m.shard = shard.is_string() ? kAllShards : static_cast<int>(json_int(shard));
    m.k = static_cast<int>(json_int(j.at("k")));
    m.dataset = j.at("dataset").get<std::string>();
    m.sample_shape = json_ints(j.at("sample_shape"));
    m.schedule = Schedule::from_json(j.at("schedule"));
    m.prediction = parse_enum<Prediction>(j.at("prediction").get<std::string>(), "prediction");
    m.t_min = j.at("t_min").get<double>();
    m.architecture = j.at("architecture");
    m.step = json_int(j.at("step"));
    return m;
  } catch (const std::exception& e) {  // ddm's checks and nlohmann's missing keys and types
    fail("{}: {}", source, json_error(e));
  }
}

DenoiseFn Expert::denoiser() const { return make_denoiser(net, meta.schedule, meta.prediction); }

Expert load_expert(const std::string& path, torch::Device device) {
  const Checkpoint ckpt = load_checkpoint(path);
  Expert e;
  e.path = path;
  e.meta = ExpertMeta::from_json(ckpt.meta.at("expert"), path);
  e.net = make_network(model_config_from_architecture(e.meta.architecture, path), e.meta.sample_shape);
  ckpt.load_module("ema.", *e.net);
  e.net->to(device);
  e.net->eval();
  return e;
}

}  // namespace ddm
