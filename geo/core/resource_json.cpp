#include "geo/core/resource_json.hpp"

#include <cmath>
#include <set>
#include <span>

#include "geo/core/error.hpp"

namespace tsunagi::geo {

using nlohmann::json;

namespace {

template <typename T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

template <typename E>
json ids(EnumSet<E> set) {
  json a = json::array();
  set.for_each([&](E v) { a.push_back(std::string(code_id(v))); });
  return a;
}

template <typename E>
json labels(EnumSet<E> set) {
  json a = json::array();
  set.for_each([&](E v) { a.push_back(std::string(code_ja(v))); });
  return a;
}

// ---- reading, with messages that name the field ----

[[noreturn]] void bad(const std::string& field, const std::string& expected) {
  throw InvalidArgument(field + " must be " + expected);
}

std::string get_string(const json& j, const std::string& field) {
  if (j.is_null()) return {};
  if (!j.is_string()) bad(field, "a string");
  return j.get<std::string>();
}

std::optional<int> get_opt_int(const json& j, const std::string& field) {
  if (j.is_null()) return std::nullopt;
  if (!j.is_number_integer()) bad(field, "an integer or null");
  const auto v = j.get<std::int64_t>();
  if (v < -1000000000 || v > 1000000000) bad(field, "an integer of reasonable size");
  return static_cast<int>(v);
}

std::optional<double> get_opt_double(const json& j, const std::string& field) {
  if (j.is_null()) return std::nullopt;
  if (!j.is_number()) bad(field, "a number or null");
  const double v = j.get<double>();
  if (!std::isfinite(v)) bad(field, "a finite number");
  return v;
}

double get_double(const json& j, const std::string& field) {
  if (!j.is_number()) bad(field, "a number");
  return *get_opt_double(j, field);
}

std::optional<bool> get_opt_bool(const json& j, const std::string& field) {
  if (j.is_null()) return std::nullopt;
  if (!j.is_boolean()) bad(field, "true, false or null");
  return j.get<bool>();
}

template <typename E>
E get_code(const json& j, const std::string& field) {
  if (!j.is_string()) bad(field, "one of: " + code_ids_joined<E>());
  const auto s = j.get<std::string>();
  auto v = parse_code<E>(s);
  if (!v) bad(field, "one of: " + code_ids_joined<E>() + " (got \"" + s + "\")");
  return *v;
}

template <typename E>
EnumSet<E> get_code_set(const json& j, const std::string& field) {
  EnumSet<E> set;
  if (j.is_null()) return set;
  if (!j.is_array()) bad(field, "an array of: " + code_ids_joined<E>());
  for (const auto& item : j) set.insert(get_code<E>(item, field + "[]"));
  return set;
}

// The keys a resource's JSON may hold, at each depth: read by resource_from_json and by the
// shape every request body is checked against (resource_shape), so that the two cannot differ.
using Keys = std::span<const std::string_view>;
constexpr std::array<std::string_view, 10> kScheduleKeys{
    "rule", "weekdays", "nth",  "interval_weeks", "start",
    "end",  "note",     "text", "rrule",          "freq_class"};
constexpr std::array<std::string_view, 4> kFeeKeys{"person", "amount_yen", "per", "note"};
constexpr std::array<std::string_view, 5> kBarrierFreeKeys{
    "step_free", "accessible_toilet", "elevator", "parking_accessible", "hearing_support"};
constexpr std::array<std::string_view, 18> kOfferKeys{"kind",
                                                      "tasks",
                                                      "task_description",
                                                      "slots_total",
                                                      "slots_open",
                                                      "min_hours_per_day",
                                                      "max_hours_per_day",
                                                      "duration",
                                                      "trial_visit_ok",
                                                      "eligibility_note",
                                                      "accommodations",
                                                      "reward",
                                                      "reward_note",
                                                      "insurance",
                                                      "pickup",
                                                      "nearest_stop",
                                                      "walk_min_from_stop",
                                                      "contact_role"};
constexpr std::array<std::string_view, 50> kResourceKeys{"id",
                                                         "kind",
                                                         "subtype",
                                                         "name",
                                                         "name_kana",
                                                         "description",
                                                         "lon",
                                                         "lat",
                                                         "accuracy",
                                                         "lg_code",
                                                         "address",
                                                         "building",
                                                         "venue",
                                                         "operator_type",
                                                         "operator_name",
                                                         "corporate_number",
                                                         "official_id",
                                                         "phone",
                                                         "fax",
                                                         "email",
                                                         "url",
                                                         "contact_public",
                                                         "activities",
                                                         "main_activity",
                                                         "targets",
                                                         "age_min",
                                                         "age_max",
                                                         "residency_restriction",
                                                         "schedules",
                                                         "fees",
                                                         "fee_note",
                                                         "meal_provided",
                                                         "reservation_required",
                                                         "barrier_free",
                                                         "parking",
                                                         "capacity",
                                                         "capacity_unit",
                                                         "vacancy",
                                                         "vacancy_as_of",
                                                         "offer",
                                                         "publish",
                                                         "status",
                                                         "verified_at",
                                                         "note",
                                                         "version",
                                                         "updated_at",
                                                         "created_at",
                                                         "source_id",
                                                         "source_key",
                                                         "distance_m"};
constexpr std::array<std::string_view, 4> kFeatureKeys{"type", "id", "geometry", "properties"};

/// Rejects keys that are neither known nor derived (derived ones are written by to_json and
/// ignored on input so that a GET → PUT round trip works).
void check_keys(const json& j, Keys known, const std::string& where) {
  for (const auto& [key, value] : j.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    if (key.size() > 3 && key.ends_with("_ja")) continue;
    throw InvalidArgument("unknown field \"" + where + key + "\"");
  }
}

/// The shape of an object of these keys (and their `_ja` labels, which to_json writes), with
/// `nested` giving the shapes of the keys that hold objects or arrays of them.
JsonShape shape_of(Keys keys, JsonShape nested = {}) {
  JsonShape s = std::move(nested);
  for (const auto k : keys) {
    const std::string ja = std::string(k) + "_ja";
    s = s.merged_with(JsonShape{{k, {}}, {ja, {}}});
  }
  return s;
}

json schedule_to_json(const Schedule& s) {
  json nth = json::array();
  for (int n = 1; n <= 5; ++n) {
    if (s.nth & (1u << n)) nth.push_back(n);
  }
  if (s.nth & 1u) nth.push_back(-1);
  return json{
      {"rule", s.rule == Schedule::Rule::weekly        ? "weekly"
               : s.rule == Schedule::Rule::monthly_nth ? "monthly_nth"
               : s.rule == Schedule::Rule::daily       ? "daily"
                                                       : "irregular"},
      {"weekdays", ids(s.weekdays)},
      {"nth", nth},
      {"interval_weeks", s.interval_weeks},
      {"start", s.start_minute ? json(format_time_of_day(*s.start_minute)) : json(nullptr)},
      {"end", s.end_minute ? json(format_time_of_day(*s.end_minute)) : json(nullptr)},
      {"note", s.note},
      {"text", s.to_japanese()},
      {"rrule", s.rrule()},
      {"freq_class", std::string(code_id(s.freq_class()))},
  };
}

// Schedule text parsed where `field` is read: its message then names the field.
Schedule parse_schedule_in(const std::string& text, const std::string& field) {
  try {
    return parse_schedule(text);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(field + ": " + e.what());
  }
}

Schedule schedule_from_json(const json& j, const std::string& field) {
  if (j.is_string()) return parse_schedule_in(j.get<std::string>(), field);
  if (!j.is_object()) bad(field, "an object or Japanese schedule text");
  check_keys(j, kScheduleKeys, field + ".");
  if (!j.contains("rule")) {
    if (!j.contains("text")) bad(field, "an object with \"rule\" or \"text\"");
    return parse_schedule_in(get_string(j["text"], field + ".text"), field + ".text");
  }
  Schedule s;
  const auto rule = get_string(j["rule"], field + ".rule");
  if (rule == "weekly") {
    s.rule = Schedule::Rule::weekly;
  } else if (rule == "monthly_nth") {
    s.rule = Schedule::Rule::monthly_nth;
  } else if (rule == "daily") {
    s.rule = Schedule::Rule::daily;
  } else if (rule == "irregular") {
    s.rule = Schedule::Rule::irregular;
  } else {
    bad(field + ".rule", "one of: weekly, monthly_nth, daily, irregular");
  }
  if (j.contains("weekdays"))
    s.weekdays = get_code_set<Weekday>(j["weekdays"], field + ".weekdays");
  if (j.contains("nth") && !j["nth"].is_null()) {
    if (!j["nth"].is_array()) bad(field + ".nth", "an array of 1..5 or -1 (last)");
    for (const auto& n : j["nth"]) {
      const auto v = get_opt_int(n, field + ".nth[]");
      if (!v || *v == 0 || *v < -1 || *v > 5) bad(field + ".nth[]", "1..5 or -1 (last)");
      s.nth = static_cast<std::uint8_t>(s.nth | (*v == -1 ? 1u : (1u << *v)));
    }
  }
  if (j.contains("interval_weeks")) {
    const auto v = get_opt_int(j["interval_weeks"], field + ".interval_weeks");
    if (v) {
      if (*v < 1 || *v > 4) bad(field + ".interval_weeks", "1..4");
      s.interval_weeks = *v;
    }
  }
  auto time = [&](const char* key) -> std::optional<int> {
    if (!j.contains(key) || j[key].is_null()) return std::nullopt;
    const std::string text = get_string(j[key], field + "." + key);
    try {
      return parse_time_of_day(text);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(field + "." + key + ": " + e.what());
    }
  };
  s.start_minute = time("start");
  s.end_minute = time("end");
  if (j.contains("note")) s.note = get_string(j["note"], field + ".note");
  if (s.rule == Schedule::Rule::monthly_nth && s.nth == 0) {
    bad(field + ".nth", "non-empty for a monthly_nth rule");
  }
  if ((s.rule == Schedule::Rule::weekly || s.rule == Schedule::Rule::monthly_nth) &&
      s.weekdays.empty()) {
    bad(field + ".weekdays", "non-empty for a " + rule + " rule");
  }
  return s;
}

Fee fee_from_json(const json& j, const std::string& field) {
  if (!j.is_object()) bad(field, "an object");
  check_keys(j, kFeeKeys, field + ".");
  Fee f;
  if (j.contains("person")) f.person = get_code<PersonKind>(j["person"], field + ".person");
  if (j.contains("amount_yen")) f.amount_yen = get_opt_int(j["amount_yen"], field + ".amount_yen");
  if (j.contains("per")) f.per = get_code<FeePer>(j["per"], field + ".per");
  if (j.contains("note")) f.note = get_string(j["note"], field + ".note");
  return f;
}

}  // namespace

json schedules_to_json(const std::vector<Schedule>& s) {
  json a = json::array();
  for (const auto& x : s) a.push_back(schedule_to_json(x));
  return a;
}

std::vector<Schedule> schedules_from_json(const json& j) {
  std::vector<Schedule> out;
  if (j.is_null()) return out;
  if (!j.is_array()) bad("schedules", "an array");
  for (std::size_t i = 0; i < j.size(); ++i) {
    out.push_back(schedule_from_json(j[i], "schedules[" + std::to_string(i) + "]"));
  }
  return out;
}

json fees_to_json(const std::vector<Fee>& fees) {
  json a = json::array();
  for (const auto& f : fees) {
    a.push_back({{"person", std::string(code_id(f.person))},
                 {"amount_yen", opt(f.amount_yen)},
                 {"per", std::string(code_id(f.per))},
                 {"note", f.note}});
  }
  return a;
}

std::vector<Fee> fees_from_json(const json& j) {
  std::vector<Fee> out;
  if (j.is_null()) return out;
  if (!j.is_array()) bad("fees", "an array");
  for (std::size_t i = 0; i < j.size(); ++i) {
    out.push_back(fee_from_json(j[i], "fees[" + std::to_string(i) + "]"));
  }
  return out;
}

json barrier_free_to_json(const BarrierFree& b) {
  return {{"step_free", opt(b.step_free)},
          {"accessible_toilet", opt(b.accessible_toilet)},
          {"elevator", opt(b.elevator)},
          {"parking_accessible", opt(b.parking_accessible)},
          {"hearing_support", opt(b.hearing_support)}};
}

BarrierFree barrier_free_from_json(const json& j) {
  BarrierFree b;
  if (j.is_null()) return b;
  if (!j.is_object()) bad("barrier_free", "an object");
  check_keys(j, kBarrierFreeKeys, "barrier_free.");
  auto get = [&](const char* k) {
    return j.contains(k) ? get_opt_bool(j[k], std::string("barrier_free.") + k)
                         : std::optional<bool>{};
  };
  b.step_free = get("step_free");
  b.accessible_toilet = get("accessible_toilet");
  b.elevator = get("elevator");
  b.parking_accessible = get("parking_accessible");
  b.hearing_support = get("hearing_support");
  return b;
}

json offer_to_json(const PlacementOffer& o) {
  return {{"kind", std::string(code_id(o.kind))},
          {"kind_ja", std::string(code_ja(o.kind))},
          {"tasks", ids(o.tasks)},
          {"tasks_ja", labels(o.tasks)},
          {"task_description", o.task_description},
          {"slots_total", opt(o.slots_total)},
          {"slots_open", opt(o.slots_open)},
          {"min_hours_per_day", opt(o.min_hours_per_day)},
          {"max_hours_per_day", opt(o.max_hours_per_day)},
          {"duration", std::string(code_id(o.duration))},
          {"trial_visit_ok", opt(o.trial_visit_ok)},
          {"eligibility_note", o.eligibility_note},
          {"accommodations", ids(o.accommodations)},
          {"accommodations_ja", labels(o.accommodations)},
          {"reward", std::string(code_id(o.reward))},
          {"reward_note", o.reward_note},
          {"insurance", std::string(code_id(o.insurance))},
          {"pickup", opt(o.pickup)},
          {"nearest_stop", o.nearest_stop},
          {"walk_min_from_stop", opt(o.walk_min_from_stop)},
          {"contact_role", o.contact_role}};
}

PlacementOffer offer_from_json(const json& j) {
  if (!j.is_object()) bad("offer", "an object or null");
  check_keys(j, kOfferKeys, "offer.");
  PlacementOffer o;
  auto has = [&](const char* k) { return j.contains(k); };
  if (has("kind")) o.kind = get_code<OfferKind>(j["kind"], "offer.kind");
  if (has("tasks")) o.tasks = get_code_set<TaskTag>(j["tasks"], "offer.tasks");
  if (has("task_description"))
    o.task_description = get_string(j["task_description"], "offer.task_description");
  if (has("slots_total")) o.slots_total = get_opt_int(j["slots_total"], "offer.slots_total");
  if (has("slots_open")) o.slots_open = get_opt_int(j["slots_open"], "offer.slots_open");
  if (has("min_hours_per_day"))
    o.min_hours_per_day = get_opt_double(j["min_hours_per_day"], "offer.min_hours_per_day");
  if (has("max_hours_per_day"))
    o.max_hours_per_day = get_opt_double(j["max_hours_per_day"], "offer.max_hours_per_day");
  if (has("duration")) o.duration = get_code<DurationKind>(j["duration"], "offer.duration");
  if (has("trial_visit_ok"))
    o.trial_visit_ok = get_opt_bool(j["trial_visit_ok"], "offer.trial_visit_ok");
  if (has("eligibility_note"))
    o.eligibility_note = get_string(j["eligibility_note"], "offer.eligibility_note");
  if (has("accommodations"))
    o.accommodations = get_code_set<Accommodation>(j["accommodations"], "offer.accommodations");
  if (has("reward")) o.reward = get_code<RewardType>(j["reward"], "offer.reward");
  if (has("reward_note")) o.reward_note = get_string(j["reward_note"], "offer.reward_note");
  if (has("insurance")) o.insurance = get_code<Insurance>(j["insurance"], "offer.insurance");
  if (has("pickup")) o.pickup = get_opt_bool(j["pickup"], "offer.pickup");
  if (has("nearest_stop")) o.nearest_stop = get_string(j["nearest_stop"], "offer.nearest_stop");
  if (has("walk_min_from_stop"))
    o.walk_min_from_stop = get_opt_int(j["walk_min_from_stop"], "offer.walk_min_from_stop");
  if (has("contact_role")) o.contact_role = get_string(j["contact_role"], "offer.contact_role");
  return o;
}

json to_json(const Resource& r) {
  json j{
      {"id", r.id},
      {"kind", std::string(code_id(r.kind))},
      {"kind_ja", std::string(code_ja(r.kind))},
      {"subtype", r.subtype},
      {"name", r.name},
      {"name_kana", r.name_kana},
      {"description", r.description},
      {"lon", r.lon},
      {"lat", r.lat},
      {"accuracy", std::string(code_id(r.accuracy))},
      {"lg_code", r.lg_code},
      {"address", r.address},
      {"building", r.building},
      {"venue", std::string(code_id(r.venue))},
      {"venue_ja", std::string(code_ja(r.venue))},
      {"operator_type", std::string(code_id(r.operator_type))},
      {"operator_type_ja", std::string(code_ja(r.operator_type))},
      {"operator_name", r.operator_name},
      {"corporate_number", r.corporate_number},
      {"official_id", r.official_id},
      {"phone", r.phone},
      {"fax", r.fax},
      {"email", r.email},
      {"url", r.url},
      {"contact_public", opt(r.contact_public)},
      {"activities", ids(r.activities)},
      {"activities_ja", labels(r.activities)},
      {"main_activity", r.main_activity ? json(std::string(code_id(*r.main_activity))) : json()},
      {"targets", ids(r.targets)},
      {"targets_ja", labels(r.targets)},
      {"age_min", opt(r.age_min)},
      {"age_max", opt(r.age_max)},
      {"residency_restriction", r.residency_restriction},
      {"schedules", schedules_to_json(r.schedules)},
      {"fees", fees_to_json(r.fees)},
      {"fee_note", r.fee_note},
      {"meal_provided", opt(r.meal_provided)},
      {"reservation_required", opt(r.reservation_required)},
      {"barrier_free", barrier_free_to_json(r.barrier_free)},
      {"parking", r.parking},
      {"capacity", opt(r.capacity)},
      {"capacity_unit", std::string(code_id(r.capacity_unit))},
      {"vacancy", opt(r.vacancy)},
      {"vacancy_as_of", r.vacancy_as_of},
      {"publish", std::string(code_id(r.publish))},
      {"publish_ja", std::string(code_ja(r.publish))},
      {"status", std::string(code_id(r.status))},
      {"status_ja", std::string(code_ja(r.status))},
      {"verified_at", r.verified_at},
      {"version", r.version},
      {"updated_at", r.updated_at},
      {"note", r.note},
      {"offer", r.offer ? offer_to_json(*r.offer) : json()},
      {"source_id", r.source_id},
      {"source_key", r.source_key},
      {"created_at", r.created_at},
  };
  return j;
}

json geojson_feature(const Resource& r, json props) {
  const double lon = props["lon"].get<double>();
  const double lat = props["lat"].get<double>();
  return {{"type", "Feature"},
          {"id", r.id},
          {"geometry", {{"type", "Point"}, {"coordinates", {lon, lat}}}},
          {"properties", std::move(props)}};
}

const JsonShape& resource_shape() {
  static const JsonShape kShape = [] {
    const JsonShape props = shape_of(
        kResourceKeys, JsonShape{{"schedules", JsonShape::array_of(shape_of(kScheduleKeys))},
                                 {"fees", JsonShape::array_of(shape_of(kFeeKeys))},
                                 {"barrier_free", shape_of(kBarrierFreeKeys)},
                                 {"offer", shape_of(kOfferKeys)}});
    // A Feature: its geometry is a Point; its properties are the resource.
    const JsonShape feature{{"type", {}},
                            {"id", {}},
                            {"geometry", {{"type", {}}, {"coordinates", {}}}},
                            {"properties", props}};
    return props.merged_with(feature);
  }();
  return kShape;
}

Resource resource_from_json(const json& j) {
  if (!j.is_object()) throw InvalidArgument("a resource must be a JSON object");
  json props = j;
  // A GeoJSON Feature is accepted too: its properties plus the Point geometry.
  if (j.contains("type") && j["type"] == "Feature") {
    check_keys(j, kFeatureKeys, "");
    props =
        j.contains("properties") && j["properties"].is_object() ? j["properties"] : json::object();
    const json& g = j.contains("geometry") ? j["geometry"] : json();
    if (!g.is_object() || g.value("type", "") != "Point" || !g.contains("coordinates") ||
        !g["coordinates"].is_array() || g["coordinates"].size() < 2) {
      bad("geometry", "a GeoJSON Point with [lon, lat] coordinates");
    }
    props["lon"] = g["coordinates"][0];
    props["lat"] = g["coordinates"][1];
  }
  check_keys(props, kResourceKeys, "");
  Resource r;
  auto has = [&](const char* k) { return props.contains(k); };
  auto str = [&](const char* k, std::string& out) {
    if (has(k)) out = get_string(props[k], k);
  };
  if (has("id")) r.id = get_string(props["id"], "id");
  if (!has("kind")) bad("kind", "given (one of: " + code_ids_joined<ResourceKind>() + ")");
  r.kind = get_code<ResourceKind>(props["kind"], "kind");
  str("subtype", r.subtype);
  str("name", r.name);
  str("name_kana", r.name_kana);
  str("description", r.description);
  if (!has("lon") || !has("lat")) bad("lon and lat", "given (WGS84 decimal degrees)");
  r.lon = get_double(props["lon"], "lon");
  r.lat = get_double(props["lat"], "lat");
  if (has("accuracy")) r.accuracy = get_code<PositionAccuracy>(props["accuracy"], "accuracy");
  str("lg_code", r.lg_code);
  str("address", r.address);
  str("building", r.building);
  if (has("venue")) r.venue = get_code<VenueKind>(props["venue"], "venue");
  if (has("operator_type"))
    r.operator_type = get_code<OperatorType>(props["operator_type"], "operator_type");
  str("operator_name", r.operator_name);
  str("corporate_number", r.corporate_number);
  str("official_id", r.official_id);
  str("phone", r.phone);
  str("fax", r.fax);
  str("email", r.email);
  str("url", r.url);
  if (has("contact_public"))
    r.contact_public = get_opt_bool(props["contact_public"], "contact_public");
  if (has("activities")) r.activities = get_code_set<Activity>(props["activities"], "activities");
  if (has("main_activity") && !props["main_activity"].is_null()) {
    r.main_activity = get_code<Activity>(props["main_activity"], "main_activity");
    r.activities.insert(*r.main_activity);
  }
  if (has("targets")) r.targets = get_code_set<TargetGroup>(props["targets"], "targets");
  if (has("age_min")) r.age_min = get_opt_int(props["age_min"], "age_min");
  if (has("age_max")) r.age_max = get_opt_int(props["age_max"], "age_max");
  str("residency_restriction", r.residency_restriction);
  if (has("schedules")) r.schedules = schedules_from_json(props["schedules"]);
  if (has("fees")) r.fees = fees_from_json(props["fees"]);
  str("fee_note", r.fee_note);
  if (has("meal_provided")) r.meal_provided = get_opt_bool(props["meal_provided"], "meal_provided");
  if (has("reservation_required"))
    r.reservation_required = get_opt_bool(props["reservation_required"], "reservation_required");
  if (has("barrier_free")) r.barrier_free = barrier_free_from_json(props["barrier_free"]);
  str("parking", r.parking);
  if (has("capacity")) r.capacity = get_opt_int(props["capacity"], "capacity");
  if (has("capacity_unit"))
    r.capacity_unit = get_code<CapacityUnit>(props["capacity_unit"], "capacity_unit");
  if (has("vacancy")) r.vacancy = get_opt_int(props["vacancy"], "vacancy");
  str("vacancy_as_of", r.vacancy_as_of);
  if (has("offer") && !props["offer"].is_null()) r.offer = offer_from_json(props["offer"]);
  if (has("publish")) r.publish = get_code<PublishLevel>(props["publish"], "publish");
  if (has("status")) r.status = get_code<ResourceStatus>(props["status"], "status");
  str("verified_at", r.verified_at);
  str("note", r.note);
  validate(r);
  return r;
}

}  // namespace tsunagi::geo
