#include "server/resource_params.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "geo/core/error.hpp"
#include "server/bbox.hpp"
#include "server/errors.hpp"

namespace tsunagi::server {

namespace {

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    out.push_back(part);
    start = end + 1;
  }
  return out;
}

std::vector<double> parse_numbers(std::string_view key, std::string_view text, std::size_t n,
                                  std::string_view shape) {
  const auto parts = split_commas(text);
  if (parts.size() != n) {
    throw ApiError(ErrorCode::invalid_parameter, std::string(key) + " must be " +
                                                     std::string(shape) + " (" + std::to_string(n) +
                                                     " comma-separated numbers); got " +
                                                     std::to_string(parts.size()) + " values");
  }
  std::vector<double> out;
  for (const auto p : parts) {
    double v = 0;
    const auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || !std::isfinite(v)) {
      throw ApiError(ErrorCode::invalid_parameter,
                     std::string(key) + " must be " + std::string(shape) + "; '" +
                         std::string(p.substr(0, 40)) + "' is not a number");
    }
    out.push_back(v);
  }
  return out;
}

template <typename E>
geo::EnumSet<E> parse_codes(std::string_view key, std::string_view text) {
  geo::EnumSet<E> set;
  for (const auto p : split_commas(text)) {
    const auto v = geo::parse_code<E>(p);
    if (!v) {
      throw ApiError(
          ErrorCode::invalid_parameter,
          std::string(key) + ": '" + std::string(p.substr(0, 60)) +
              "' is not known; use one or more (comma-separated) of: " + geo::code_ids_joined<E>());
    }
    set.insert(*v);
  }
  return set;
}

}  // namespace

const std::vector<std::string_view>& resource_query_keys() {
  static const std::vector<std::string_view> keys = {
      "bbox",      "kind",    "activity",     "target",      "open",        "open_day",
      "open_from", "open_to", "barrier_free", "has_vacancy", "q",           "near",
      "status",    "limit",   "offset",       "sort",        "municipality"};
  return keys;
}

geo::BBox parse_bbox(std::string_view text, double max_area_deg2) {
  return server::parse_bbox(text, BBoxRules{false, false, max_area_deg2}).boxes.front();
}

geo::LonLat parse_point(std::string_view key, std::string_view text) {
  const auto v = parse_numbers(key, text, 2, "lon,lat");
  if (v[0] < -180 || v[0] > 180 || v[1] < -90 || v[1] > 90) {
    throw ApiError(ErrorCode::invalid_parameter,
                   std::string(key) +
                       " must be lon,lat in degrees (longitude first, -180..180; "
                       "latitude -90..90)");
  }
  return {v[0], v[1]};
}

std::size_t parse_count(std::string_view key, std::string_view text, std::size_t min,
                        std::size_t max) {
  std::size_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) {
    throw ApiError(ErrorCode::invalid_parameter,
                   std::string(key) + " must be a whole number from " + std::to_string(min) +
                       " to " + std::to_string(max) + ", not '" + std::string(text.substr(0, 40)) +
                       "'");
  }
  return v;
}

bool parse_flag(std::string_view key, std::string_view text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  throw ApiError(ErrorCode::invalid_parameter, std::string(key) + " must be true or false, not '" +
                                                   std::string(text.substr(0, 40)) + "'");
}

geo::ResourceQuery parse_resource_query(const QueryParams& query, const Config& config,
                                        const std::vector<std::string_view>& known) {
  query.require_known(known);
  geo::ResourceQuery q;
  q.limit = static_cast<std::size_t>(config.default_page_size);
  if (const auto* v = query.get("bbox")) q.bbox = parse_bbox(*v, config.max_bbox_area_deg2);
  if (const auto* v = query.get("kind")) q.kinds = parse_codes<geo::ResourceKind>("kind", *v);
  if (const auto* v = query.get("activity")) {
    q.activities = parse_codes<geo::Activity>("activity", *v);
  }
  if (const auto* v = query.get("target")) q.targets = parse_codes<geo::TargetGroup>("target", *v);
  try {
    const auto* open = query.get("open");
    const auto* day = query.get("open_day");
    const auto* from = query.get("open_from");
    const auto* to = query.get("open_to");
    if (open && (day || from || to)) {
      throw ApiError(ErrorCode::invalid_parameter,
                     "give either open (e.g. open=wed,13:00-15:00) or open_day/open_from/open_to, "
                     "not both");
    }
    if (open) q.open = geo::parse_open_window(*open);
    if (day) {
      q.open = geo::make_open_window(*day, from ? *from : "", to ? *to : "");
    } else if (from || to) {
      throw ApiError(ErrorCode::invalid_parameter, "open_from/open_to need open_day (e.g. wed)");
    }
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_parameter, std::string("open: ") + e.what());
  }
  if (const auto* v = query.get("barrier_free")) q.barrier_free = parse_flag("barrier_free", *v);
  if (const auto* v = query.get("has_vacancy")) q.has_vacancy = parse_flag("has_vacancy", *v);
  if (const auto* v = query.get("q")) {
    if (v->size() > 400) {
      throw ApiError(ErrorCode::invalid_parameter, "q may be at most 400 bytes long");
    }
    q.text = *v;
  }
  if (const auto* v = query.get("near")) q.near = parse_point("near", *v);
  if (const auto* v = query.get("sort")) {
    if (*v != "name" && *v != "id") {
      throw ApiError(ErrorCode::invalid_parameter, "sort must be name or id");
    }
    if (*v == "name" && q.near) {
      throw ApiError(ErrorCode::invalid_parameter,
                     "sort=name cannot go with near (near orders by distance)");
    }
    q.by_name = *v == "name";
  }
  if (const auto* v = query.get("status")) {
    q.statuses = parse_codes<geo::ResourceStatus>("status", *v);
  }
  if (const auto* v = query.get("limit")) {
    q.limit = parse_count("limit", *v, 0, static_cast<std::size_t>(config.max_page_size));
  }
  if (const auto* v = query.get("offset")) q.offset = parse_count("offset", *v, 0, 10'000'000);
  return q;
}

}  // namespace tsunagi::server
