#include "geo/analysis/matching.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "geo/core/error.hpp"
#include "geo/spatial/geodesic.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/spatial/network.hpp"
#include "geo/spatial/wkb_geojson.hpp"

namespace tsunagi::geo {

using nlohmann::json;

namespace {

/// The kinds a person is placed in or joins, when the request names none.
EnumSet<ResourceKind> default_kinds() {
  return {ResourceKind::placement_site, ResourceKind::nofuku_site, ResourceKind::ibasho,
          ResourceKind::kayoi_no_ba, ResourceKind::chiiki_katsudo_shien_center};
}

template <typename E>
EnumSet<E> codes(const json& v, const std::string& key) {
  if (!v.is_array()) throw InvalidArgument(key + " must be a list of codes");
  EnumSet<E> out;
  for (const auto& c : v) {
    const auto parsed = c.is_string() ? parse_code<E>(c.get<std::string>()) : std::nullopt;
    if (!parsed) {
      throw InvalidArgument(key + ": '" + (c.is_string() ? c.get<std::string>() : c.dump()) +
                            "' is not known; use one or more of: " + code_ids_joined<E>());
    }
    out.insert(*parsed);
  }
  return out;
}

bool flag(const json& v, const std::string& key) {
  if (!v.is_boolean()) throw InvalidArgument(key + " must be true or false");
  return v.get<bool>();
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string minutes_ja(double m) {
  return std::to_string(static_cast<int>(std::ceil(m))) + "分";
}

std::string metres_ja(double m) {
  return m >= 1000 ? fmt("%.1f km", m / 1000)
                   : std::to_string(static_cast<int>(std::lround(m))) + " m";
}

std::string window_ja(const OpenWindow& w) {
  std::string s = std::string(code_ja(w.day)) + "曜";
  if (w.from_minute && w.to_minute) {
    const auto hm = [](int m) {
      char b[24];
      std::snprintf(b, sizeof b, "%d:%02d", m / 60, m % 60);
      return std::string(b);
    };
    s += " " + hm(*w.from_minute) + "〜" + hm(*w.to_minute);
  }
  return s;
}

}  // namespace

const JsonShape& match_request_shape() {
  static const JsonShape kShape =
      JsonShape{{"at", {}},
                {"area", {}},
                {"kinds", {}},
                {"activities", {}},
                {"tasks", {}},
                {"availability", JsonShape::array_of({{"day", {}}, {"from", {}}, {"to", {}}})},
                {"max_walk_min", {}},
                {"step_free", {}},
                {"short_hours", {}},
                {"low_contact", {}},
                {"companion", {}},
                {"age_band", {}},
                {"walking_profile", {}},
                {"limit", {}}}
          .with_note(
              "a match request holds no personal data: no name, address, birth date or "
              "diagnosis, at any depth");
  return kShape;
}

MatchRequest parse_match_request(const json& body, const Snapshot& snap) {
  if (!body.is_object()) throw InvalidArgument("the request must be a JSON object");
  match_request_shape().check(body);
  MatchRequest r;
  if (body.contains("at") == body.contains("area")) {
    throw InvalidArgument(
        "give the person's approximate place as at: [lon, lat] or area: a 町丁 "
        "id or code (one of them)");
  }
  if (body.contains("at")) {
    const auto& at = body["at"];
    if (!at.is_array() || at.size() != 2 || !at[0].is_number() || !at[1].is_number()) {
      throw InvalidArgument("at must be [lon, lat] in degrees");
    }
    r.lon = at[0].get<double>();
    r.lat = at[1].get<double>();
    if (!std::isfinite(r.lon) || !std::isfinite(r.lat) || r.lon < 122 || r.lon > 154 ||
        r.lat < 20 || r.lat > 46) {
      throw InvalidArgument("at must be [lon, lat] in Japan (longitude first)");
    }
    r.place = "point";
  } else {
    if (!body["area"].is_string()) throw InvalidArgument("area must be a 町丁 id or code");
    const std::string area = body["area"].get<std::string>();
    const Area* found = nullptr;
    for (const auto& a : snap.areas()) {
      if (a.id == area || a.code == area) found = &a;
    }
    if (found == nullptr) {
      throw InvalidArgument("area '" + area.substr(0, 60) + "' is not an area of this store");
    }
    r.lon = found->label_lon;
    r.lat = found->label_lat;
    r.place = "area " + found->id + " (" + found->name + "), at its representative point";
  }
  if (body.contains("kinds")) r.kinds = codes<ResourceKind>(body["kinds"], "kinds");
  if (body.contains("activities")) r.activities = codes<Activity>(body["activities"], "activities");
  if (body.contains("tasks")) r.tasks = codes<TaskTag>(body["tasks"], "tasks");
  if (body.contains("availability")) {
    const auto& av = body["availability"];
    if (!av.is_array()) throw InvalidArgument("availability must be a list like [\"火曜の午前\"]");
    for (const auto& w : av) {
      if (w.is_string()) {
        r.availability.push_back(parse_open_window(w.get<std::string>()));
      } else if (w.is_object()) {
        const auto get = [&](const char* k) {
          return w.contains(k) && w[k].is_string() ? w[k].get<std::string>() : std::string();
        };
        r.availability.push_back(make_open_window(get("day"), get("from"), get("to")));
      } else {
        throw InvalidArgument("availability: each entry is \"火曜の午前\" or {day, from, to}");
      }
    }
  }
  if (body.contains("max_walk_min")) {
    const auto& m = body["max_walk_min"];
    if (!m.is_number_integer() || m.get<int>() < 1 || m.get<int>() > 120) {
      throw InvalidArgument("max_walk_min must be a whole number of minutes from 1 to 120");
    }
    r.max_walk_min = m.get<int>();
  }
  if (body.contains("step_free")) r.step_free = flag(body["step_free"], "step_free");
  if (body.contains("short_hours")) r.short_hours = flag(body["short_hours"], "short_hours");
  if (body.contains("low_contact")) r.low_contact = flag(body["low_contact"], "low_contact");
  if (body.contains("companion")) r.companion = flag(body["companion"], "companion");
  if (body.contains("age_band")) {
    const auto& b = body["age_band"];
    const std::string s = b.is_string() ? b.get<std::string>() : "";
    int decade = -1;
    if (s.size() == 3 && s[2] == 's' && std::isdigit(static_cast<unsigned char>(s[0])) != 0 &&
        s[1] == '0') {
      decade = (s[0] - '0') * 10;
    }
    if (decade < 10) {
      throw InvalidArgument(
          "age_band must be a decade such as \"50s\" (10s … 90s), never a "
          "birth date");
    }
    r.age_from = decade;
    r.age_to = decade + 9;
  }
  if (body.contains("walking_profile")) {
    const auto& p = body["walking_profile"];
    const std::string s = p.is_string() ? p.get<std::string>() : "";
    if (s == "standard") {
      r.speed_m_per_min = kWalkStandardMPerMin;
    } else if (s == "slow") {
      r.speed_m_per_min = kWalkSlowMPerMin;
    } else {
      throw InvalidArgument("walking_profile must be standard (80 m/min) or slow (50 m/min)");
    }
    r.profile = s;
  }
  if (body.contains("limit")) {
    const auto& l = body["limit"];
    if (!l.is_number_integer() || l.get<int>() < 1 || l.get<int>() > 200) {
      throw InvalidArgument("limit must be a whole number from 1 to 200");
    }
    r.limit = static_cast<std::size_t>(l.get<int>());
  }
  return r;
}

MatchResult match(const Snapshot& snap, Audience a, const MatchRequest& req) {
  MatchResult out;
  out.request = req;
  out.origin_lon = req.lon;
  out.origin_lat = req.lat;
  const double max_m = req.max_walk_min * req.speed_m_per_min;
  const EnumSet<ResourceKind> kinds = req.kinds.empty() ? default_kinds() : req.kinds;

  // The walking network, when the store has one and the place is near it.
  const WalkGraph* graph = snap.network().get();
  std::optional<WalkGraph::Reach> reach;
  if (graph != nullptr) {
    if (const auto origin = graph->snap(req.lon, req.lat, 1000)) {
      out.walking = true;
      out.origin_off_network_m = origin->off_network_m;
      reach = graph->reach(*origin, max_m, req.step_free);
      if (origin->off_network_m > 150) {
        out.note = "the place is " + metres_ja(origin->off_network_m) +
                   " from the nearest walkable way; that part is counted as a straight walk";
      }
      for (const auto n : reach->settled()) out.reached.emplace_back(graph->lon(n), graph->lat(n));
    } else {
      out.note = "no walkable way within 1 km of the place: distances are straight lines × " +
                 fmt("%.1f", kDetourFactor);
    }
  } else {
    out.note =
        "no walking network in this store (tsunagi import --network): distances are "
        "straight lines × " +
        fmt("%.1f", kDetourFactor);
  }

  // Close places: a walk is never shorter than the straight line.
  const AudienceView& view = snap.view(a);
  const double dlat = max_m / 110574.0;
  const double dlon = max_m / (111320.0 * std::cos(req.lat * M_PI / 180));
  const BBox box{req.lon - dlon, req.lat - dlat, req.lon + dlon, req.lat + dlat};
  for (const auto i : view.within(box)) {
    const ServedResource& item = view.item(i);
    const Resource& r = item.resource();
    if (!kinds.contains(r.kind) || r.status != ResourceStatus::active) continue;
    const double straight = geodesic_distance_m(req.lon, req.lat, r.lon, r.lat);
    if (straight > max_m) continue;

    std::optional<double> walk;
    std::vector<std::pair<double, double>> route;
    if (reach) {
      if (const auto target = graph->snap(r.lon, r.lat, 500)) {
        walk = reach->to(*target);
        if (walk) {
          route = reach->route_to(*target);
          route.emplace_back(r.lon, r.lat);
        }
      }
    } else {
      walk = straight * kDetourFactor;
    }
    std::vector<std::string> why_not;
    if (!walk || *walk > max_m) {
      if (walk) {
        why_not.push_back("徒歩" + minutes_ja(*walk / req.speed_m_per_min) + "で" +
                          std::to_string(req.max_walk_min) + "分を超える");
      } else {
        why_not.push_back(std::to_string(req.max_walk_min) + "分以内に歩いて行けない" +
                          std::string(req.step_free ? "（段差のない道で）" : "") + "（直線 " +
                          metres_ja(straight) + "）");
      }
    }
    const PlacementOffer* offer = r.offer ? &*r.offer : nullptr;
    if ((offer != nullptr && offer->slots_open && *offer->slots_open <= 0) ||
        (r.vacancy && *r.vacancy <= 0 && r.capacity)) {
      why_not.emplace_back("満員");
    }
    double schedule_share = 1;
    if (!req.availability.empty()) {
      std::size_t met = 0;
      for (const auto& w : req.availability) {
        const bool meets = std::any_of(
            r.schedules.begin(), r.schedules.end(),
            [&](const Schedule& s) { return s.meets_on(w.day, w.from_minute, w.to_minute); });
        if (meets) ++met;
      }
      const bool irregular =
          !r.schedules.empty() &&
          std::all_of(r.schedules.begin(), r.schedules.end(),
                      [](const Schedule& s) { return s.rule == Schedule::Rule::irregular; });
      if (met == 0 && !irregular && !r.schedules.empty())
        why_not.emplace_back("曜日・時間が合わない");
      schedule_share =
          irregular || r.schedules.empty()
              ? 0.5
              : static_cast<double>(met) / static_cast<double>(req.availability.size());
    }
    if (req.step_free && r.barrier_free.step_free && !*r.barrier_free.step_free) {
      why_not.emplace_back("段差あり");
    }
    if (req.age_from &&
        ((r.age_max && *r.age_max < *req.age_from) || (r.age_min && *r.age_min > *req.age_to))) {
      why_not.emplace_back("対象年齢外");
    }
    if (req.short_hours && offer != nullptr && offer->min_hours_per_day &&
        *offer->min_hours_per_day > 3) {
      why_not.push_back("短時間の受入れ不可（1日" + fmt("%.0f", *offer->min_hours_per_day) +
                        "時間以上）");
    }
    if (!why_not.empty()) {
      out.excluded.push_back({&item, walk, straight, std::move(why_not)});
      continue;
    }

    MatchCandidate c;
    c.item = &item;
    c.walk_m = *walk;
    c.straight_m = straight;
    c.walk_min = *walk / req.speed_m_per_min;
    c.route = std::move(route);
    // 1. Walking time (40): the nearer, the better.
    const double walk_pts = 40.0 * std::max(0.0, 1.0 - c.walk_min / req.max_walk_min);
    c.factors.emplace_back("walk", walk_pts);
    c.reasons.push_back("徒歩" + minutes_ja(c.walk_min) + "（" + metres_ja(c.walk_m) + "" +
                        (out.walking ? "、道のり" : "、直線×" + fmt("%.1f", kDetourFactor)) + "）");
    // 2. Schedule (20): the share of the person's times it meets.
    c.factors.emplace_back("schedule", 20.0 * schedule_share);
    if (req.availability.empty()) {
      c.reasons.emplace_back("日時の希望なし");
    } else if (schedule_share == 0.5 &&
               (r.schedules.empty() || r.schedules.front().rule == Schedule::Rule::irregular)) {
      c.reasons.emplace_back("日程は要問合せ");
    } else {
      std::string met;
      for (const auto& w : req.availability) {
        const bool meets = std::any_of(
            r.schedules.begin(), r.schedules.end(),
            [&](const Schedule& s) { return s.meets_on(w.day, w.from_minute, w.to_minute); });
        if (meets) met += (met.empty() ? "" : "・") + window_ja(w);
      }
      c.reasons.push_back(met + "に開いている");
    }
    // 3. What the person wants to do (25): tasks of the offer, activities of the place.
    const int wanted = req.tasks.size() + req.activities.size();
    int matched = 0;
    std::string what;
    for (const auto& e : CodeTable<TaskTag>::entries) {
      if (req.tasks.contains(e.value) && offer != nullptr && offer->tasks.contains(e.value)) {
        ++matched;
        what += (what.empty() ? "" : "・") + std::string(e.ja);
      }
    }
    for (const auto& e : CodeTable<Activity>::entries) {
      if (req.activities.contains(e.value) && r.activities.contains(e.value)) {
        ++matched;
        what += (what.empty() ? "" : "・") + std::string(e.ja);
      }
    }
    const double fit = wanted == 0 ? 1.0 : static_cast<double>(matched) / wanted;
    c.factors.emplace_back("fit", 25.0 * fit);
    c.reasons.push_back(wanted == 0    ? "活動・作業の希望なし"
                        : matched == 0 ? "希望の活動・作業はない"
                                       : "希望に合う: " + what);
    // 4. Accommodations (10): short hours, low contact, a companion.
    std::vector<std::string> met_list;
    std::vector<std::string> missing_list;
    const auto need = [&](bool asked, Accommodation acc) {
      if (!asked) return;
      const bool ok = offer != nullptr && offer->accommodations.contains(acc);
      (ok ? met_list : missing_list).emplace_back(code_ja(acc));
    };
    need(req.short_hours, Accommodation::short_hours);
    need(req.low_contact, Accommodation::low_contact);
    need(req.companion, Accommodation::companion_ok);
    const auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : "・") + x;
      return s;
    };
    const std::size_t needs = met_list.size() + missing_list.size();
    const double acc = needs == 0 ? 1.0 : static_cast<double>(met_list.size()) / double(needs);
    c.factors.emplace_back("accommodations", 10.0 * acc);
    if (needs == 0) {
      c.reasons.emplace_back("配慮の希望なし");
    } else {
      std::string text;
      if (!met_list.empty()) text = "配慮あり: " + join(met_list);
      if (!missing_list.empty())
        text += (text.empty() ? "" : "／") + ("未確認: " + join(missing_list));
      c.reasons.push_back(text);
    }
    // 5. Open slots (5).
    const std::optional<int> open =
        offer != nullptr && offer->slots_open ? offer->slots_open : r.vacancy;
    c.factors.emplace_back("slots", open ? 5.0 : 2.5);
    c.reasons.push_back(open ? "空き" + std::to_string(*open) + (offer != nullptr ? "名" : "")
                             : "空きは未確認");
    if (req.step_free) {
      c.reasons.emplace_back(r.barrier_free.step_free ? "段差なし" : "段差の有無は未確認");
    }
    for (const auto& [k, v] : c.factors) c.score += v;
    out.candidates.push_back(std::move(c));
  }
  std::sort(out.candidates.begin(), out.candidates.end(), [](const auto& x, const auto& y) {
    if (x.score != y.score) return x.score > y.score;
    return x.item->resource().id < y.item->resource().id;
  });
  if (out.candidates.size() > req.limit) out.candidates.resize(req.limit);
  std::sort(out.excluded.begin(), out.excluded.end(), [](const auto& x, const auto& y) {
    if (x.straight_m != y.straight_m) return x.straight_m < y.straight_m;
    return x.item->resource().id < y.item->resource().id;
  });
  if (out.excluded.size() > 50) out.excluded.resize(50);
  return out;
}

namespace {

double round1(double v) {
  return std::round(v * 10) / 10;
}

json line_json(const std::vector<std::pair<double, double>>& pts) {
  json coords = json::array();
  for (const auto& [x, y] : pts) coords.push_back({x, y});
  return {{"type", "LineString"}, {"coordinates", coords}};
}

json catchment(const MatchResult& r) {
  const double max_m = r.request.max_walk_min * r.request.speed_m_per_min;
  if (r.walking) {
    if (r.reached.size() < 3) return nullptr;
    std::vector<std::pair<double, double>> pts = r.reached;
    pts.emplace_back(r.origin_lon, r.origin_lat);
    try {
      return wkb_to_geojson(Geometry::multi_point(pts).concave_hull(0.2).wkb()).geometry;
    } catch (const GeometryError&) {
      return nullptr;
    }
  }
  // A circle of the straight-line reach (the walk limit over the detour factor).
  const double radius = max_m / kDetourFactor;
  json ring = json::array();
  for (int k = 0; k <= 64; ++k) {
    const double t = 2 * M_PI * (k % 64) / 64;
    ring.push_back(
        {r.origin_lon + radius * std::cos(t) / (111320.0 * std::cos(r.origin_lat * M_PI / 180)),
         r.origin_lat + radius * std::sin(t) / 110574.0});
  }
  return {{"type", "Polygon"}, {"coordinates", json::array({ring})}};
}

}  // namespace

json match_json(const MatchResult& r) {
  json candidates = json::array();
  for (const auto& c : r.candidates) {
    const Resource& res = c.item->resource();
    json factors = json::object();
    for (const auto& [k, v] : c.factors) factors[k] = round1(v);
    json item = {{"id", res.id},
                 {"name", res.name},
                 {"kind", code_id(res.kind)},
                 {"kind_ja", code_ja(res.kind)},
                 {"lon", res.lon},
                 {"lat", res.lat},
                 {"walk_m", std::lround(c.walk_m)},
                 {"walk_min", static_cast<int>(std::ceil(c.walk_min))},
                 {"straight_m", std::lround(c.straight_m)},
                 {"score", round1(c.score)},
                 {"factors", factors},
                 {"reasons", c.reasons}};
    if (!c.route.empty()) item["route"] = line_json(c.route);
    candidates.push_back(std::move(item));
  }
  json excluded = json::array();
  for (const auto& e : r.excluded) {
    const Resource& res = e.item->resource();
    json item = {{"id", res.id},
                 {"name", res.name},
                 {"kind", code_id(res.kind)},
                 {"straight_m", std::lround(e.straight_m)},
                 {"reasons", e.reasons}};
    item["walk_m"] = e.walk_m ? json(std::lround(*e.walk_m)) : json(nullptr);
    excluded.push_back(std::move(item));
  }
  json out = {
      {"network", r.walking ? "walking" : "straight_line"},
      {"walking_profile", r.request.profile},
      {"speed_m_per_min", r.request.speed_m_per_min},
      {"max_walk_min", r.request.max_walk_min},
      {"origin", {{"lon", r.origin_lon}, {"lat", r.origin_lat}, {"place", r.request.place}}},
      {"candidates", std::move(candidates)},
      {"excluded", std::move(excluded)},
      {"catchment", catchment(r)}};
  if (!r.walking) out["detour_factor"] = kDetourFactor;
  if (r.origin_off_network_m) out["origin"]["off_network_m"] = std::lround(*r.origin_off_network_m);
  if (!r.note.empty()) out["note"] = r.note;
  return out;
}

}  // namespace tsunagi::geo
