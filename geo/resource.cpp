#include "geo/resource.hpp"

#include <cmath>

#include "geo/error.hpp"
#include "geo/lg_code.hpp"

namespace tsunagi::geo {

namespace {

void check_non_negative(const std::optional<int>& v, const char* field) {
  if (v && *v < 0) {
    throw InvalidArgument(std::string(field) + " must be 0 or more, got " + std::to_string(*v));
  }
}

}  // namespace

void validate(const Resource& r) {
  if (r.name.empty()) throw InvalidArgument("name is required");
  if (!std::isfinite(r.lon) || !std::isfinite(r.lat)) {
    throw InvalidArgument("lon and lat must be finite numbers");
  }
  if (r.lon < -180 || r.lon > 180) {
    throw InvalidArgument("lon must be within -180..180, got " + std::to_string(r.lon));
  }
  if (r.lat < -90 || r.lat > 90) {
    throw InvalidArgument("lat must be within -90..90, got " + std::to_string(r.lat));
  }
  check_non_negative(r.age_min, "age_min");
  check_non_negative(r.age_max, "age_max");
  if (r.age_min && r.age_max && *r.age_min > *r.age_max) {
    throw InvalidArgument("age_min (" + std::to_string(*r.age_min) + ") is greater than age_max (" +
                          std::to_string(*r.age_max) + ")");
  }
  check_non_negative(r.capacity, "capacity");
  check_non_negative(r.vacancy, "vacancy");
  if (r.capacity && r.vacancy && *r.vacancy > *r.capacity) {
    throw InvalidArgument("vacancy (" + std::to_string(*r.vacancy) + ") exceeds capacity (" +
                          std::to_string(*r.capacity) + ")");
  }
  if (!r.lg_code.empty()) {
    const LgCode c = parse_lg_code(r.lg_code);
    if (c.repaired || c.code != r.lg_code) {
      throw InvalidArgument("lg_code must be the 6-digit 全国地方公共団体コード, e.g. " + c.code);
    }
  }
  for (const auto& f : r.fees) check_non_negative(f.amount_yen, "fee amount_yen");
  if (r.offer) {
    check_non_negative(r.offer->slots_total, "offer.slots_total");
    check_non_negative(r.offer->slots_open, "offer.slots_open");
    if (r.offer->slots_total && r.offer->slots_open &&
        *r.offer->slots_open > *r.offer->slots_total) {
      throw InvalidArgument("offer.slots_open exceeds offer.slots_total");
    }
    if (r.offer->min_hours_per_day && r.offer->max_hours_per_day &&
        *r.offer->min_hours_per_day > *r.offer->max_hours_per_day) {
      throw InvalidArgument("offer.min_hours_per_day is greater than offer.max_hours_per_day");
    }
  }
  for (const auto& s : r.schedules) {
    if ((s.start_minute && (*s.start_minute < 0 || *s.start_minute > 1440)) ||
        (s.end_minute && (*s.end_minute < 0 || *s.end_minute > 1440))) {
      throw InvalidArgument("schedule times must be within 00:00..24:00");
    }
    if (s.rule != Schedule::Rule::irregular && s.rule != Schedule::Rule::daily &&
        s.weekdays.empty()) {
      throw InvalidArgument("a weekly or monthly schedule needs at least one weekday");
    }
  }
}

}  // namespace tsunagi::geo
