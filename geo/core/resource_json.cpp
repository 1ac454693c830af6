#include "geo/core/resource_json.hpp"

#include <bit>
#include <cmath>
#include <set>
#include <span>

#include "geo/core/error.hpp"
#include "geo/core/resource_fields.hpp"

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
/// Every key of resource_fields(), distance_m (written by the list route) and unconfirmed
/// (「要確認」, written by the snapshot's FreshnessRule), both ignored on input.
Keys resource_keys() {
  static const std::vector<std::string_view> keys = [] {
    std::vector<std::string_view> k;
    for (const auto& f : resource_fields()) k.push_back(f.key);
    k.emplace_back("distance_m");
    k.emplace_back("unconfirmed");
    return k;
  }();
  return keys;
}
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

namespace {

// A plain field, from its row of resource_fields().
void put_plain(json& j, const ResourceField& f, const Resource& r) {
  const std::string key(f.key);
  switch (f.kind) {
    case FieldKind::text:
    case FieldKind::date:
      j[key] = r.*f.text;
      return;
    case FieldKind::integer:
      j[key] = opt(r.*f.integer);
      return;
    case FieldKind::boolean:
      j[key] = opt(r.*f.boolean);
      return;
    case FieldKind::code: {
      const auto& c = f.codes->by_value[static_cast<std::size_t>(f.get_code(r))];
      j[key] = std::string(c.id);
      if (f.ja_labels) j[key + "_ja"] = std::string(c.ja);
      return;
    }
    case FieldKind::code_set: {
      json ids = json::array();
      json ja = json::array();
      for (std::uint64_t b = f.get_codes(r); b != 0; b &= b - 1) {
        const auto& c = f.codes->by_value[static_cast<std::size_t>(std::countr_zero(b))];
        ids.push_back(std::string(c.id));
        if (f.ja_labels) ja.push_back(std::string(c.ja));
      }
      j[key] = std::move(ids);
      if (f.ja_labels) j[key + "_ja"] = std::move(ja);
      return;
    }
    case FieldKind::number:
    case FieldKind::object:
    case FieldKind::list:
      return;
  }
}

// The hand-written fields (HandField).
void put_hand(json& j, const ResourceField& f, const Resource& r) {
  const std::string key(f.key);
  switch (f.hand) {
    case HandField::none:
      return;
    case HandField::id:
      j[key] = r.id;
      return;
    case HandField::source_id:
      j[key] = r.source_id;
      return;
    case HandField::source_key:
      j[key] = r.source_key;
      return;
    case HandField::version:
      j[key] = r.version;
      return;
    case HandField::created_at:
      j[key] = r.created_at;
      return;
    case HandField::updated_at:
      j[key] = r.updated_at;
      return;
    case HandField::lon:
      j[key] = r.lon;
      return;
    case HandField::lat:
      j[key] = r.lat;
      return;
    case HandField::main_activity:
      j[key] = r.main_activity ? json(std::string(code_id(*r.main_activity))) : json();
      return;
    case HandField::schedules:
      j[key] = schedules_to_json(r.schedules);
      return;
    case HandField::fees:
      j[key] = fees_to_json(r.fees);
      return;
    case HandField::barrier_free:
      j[key] = barrier_free_to_json(r.barrier_free);
      return;
    case HandField::offer:
      j[key] = r.offer ? offer_to_json(*r.offer) : json();
      return;
  }
}

// A plain field from the API's JSON (present in `props`).
void get_plain(const json& v, const ResourceField& f, Resource& r) {
  const std::string key(f.key);
  switch (f.kind) {
    case FieldKind::text:
    case FieldKind::date:
      r.*f.text = get_string(v, key);
      return;
    case FieldKind::integer:
      r.*f.integer = get_opt_int(v, key);
      return;
    case FieldKind::boolean:
      r.*f.boolean = get_opt_bool(v, key);
      return;
    case FieldKind::code: {
      if (!v.is_string()) bad(key, "one of: " + f.codes->ids_joined());
      const auto s = v.get<std::string>();
      const auto c = f.codes->parse(s);
      if (!c) bad(key, "one of: " + f.codes->ids_joined() + " (got \"" + s + "\")");
      f.set_code(r, *c);
      return;
    }
    case FieldKind::code_set: {
      std::uint64_t bits = 0;
      if (!v.is_null()) {
        if (!v.is_array()) bad(key, "an array of: " + f.codes->ids_joined());
        for (const auto& item : v) {
          if (!item.is_string()) bad(key + "[]", "one of: " + f.codes->ids_joined());
          const auto s = item.get<std::string>();
          const auto c = f.codes->parse(s);
          if (!c) bad(key + "[]", "one of: " + f.codes->ids_joined() + " (got \"" + s + "\")");
          bits |= std::uint64_t{1} << *c;
        }
      }
      f.set_codes(r, bits);
      return;
    }
    case FieldKind::number:
    case FieldKind::object:
    case FieldKind::list:
      return;
  }
}

FieldMask all_fields() {
  FieldMask m;
  for (const auto& f : resource_fields()) m.set(f.index);
  return m;
}

}  // namespace

json to_json(const Resource& r) {
  static const FieldMask kAll = all_fields();
  return to_json(r, kAll);
}

json to_json(const Resource& r, const FieldMask& shown) {
  json j = json::object();
  for (const auto& f : resource_fields()) {
    if (!shown.test(f.index)) continue;
    if (f.plain()) {
      put_plain(j, f, r);
    } else {
      put_hand(j, f, r);
    }
  }
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
        resource_keys(), JsonShape{{"schedules", JsonShape::array_of(shape_of(kScheduleKeys))},
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
  check_keys(props, resource_keys(), "");
  Resource r;
  for (const auto& f : resource_fields()) {
    const auto it = props.find(std::string(f.key));
    const bool given = it != props.end();
    if (f.plain()) {
      if (given) {
        get_plain(*it, f, r);
      } else if (f.required) {
        bad(std::string(f.key), "given (one of: " + f.codes->ids_joined() + ")");
      }
      continue;
    }
    switch (f.hand) {
      case HandField::id:
        if (given) r.id = get_string(*it, "id");
        break;
      case HandField::lon:
      case HandField::lat:
        if (!props.contains("lon") || !props.contains("lat")) {
          bad("lon and lat", "given (WGS84 decimal degrees)");
        }
        if (f.hand == HandField::lon) {
          r.lon = get_double(*it, "lon");
        } else {
          r.lat = get_double(*it, "lat");
        }
        break;
      case HandField::main_activity:
        if (given && !it->is_null()) {
          r.main_activity = get_code<Activity>(*it, "main_activity");
          r.activities.insert(*r.main_activity);
        }
        break;
      case HandField::schedules:
        if (given) r.schedules = schedules_from_json(*it);
        break;
      case HandField::fees:
        if (given) r.fees = fees_from_json(*it);
        break;
      case HandField::barrier_free:
        if (given) r.barrier_free = barrier_free_from_json(*it);
        break;
      case HandField::offer:
        if (given && !it->is_null()) r.offer = offer_from_json(*it);
        break;
      case HandField::none:
      case HandField::source_id:
      case HandField::source_key:
      case HandField::version:
      case HandField::created_at:
      case HandField::updated_at:
        break;  // bookkeeping: the store's, ignored on input
    }
  }
  validate(r);
  return r;
}

}  // namespace tsunagi::geo
