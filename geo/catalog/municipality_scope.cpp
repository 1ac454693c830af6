#include "geo/catalog/municipality_scope.hpp"

#include <algorithm>

#include "geo/core/error.hpp"
#include "geo/core/lg_code.hpp"
#include "geo/core/municipal_scope.hpp"
#include "geo/spatial/geometry.hpp"

namespace tsunagi::geo {

std::string municipality_short_name(std::string_view full) {
  std::string_view rest = full;
  // A prefecture is 2–4 characters ending in 都, 道, 府 or 県 (北海道, 神奈川県, 鹿児島県);
  // UTF-8 CJK characters are 3 bytes each.
  for (const std::string_view end : {"都", "道", "府", "県"}) {
    const auto at = rest.find(end);
    if (at != std::string_view::npos && at >= 3 && at <= 9 && rest.size() > at + end.size()) {
      rest.remove_prefix(at + end.size());
      break;
    }
  }
  // A 郡 before the town's own name (not the first character: 郡山市, 郡上市).
  constexpr std::string_view kGun = "郡";
  const auto gun = rest.find(kGun);
  if (gun != std::string_view::npos && gun > 0 && rest.size() > gun + kGun.size()) {
    rest.remove_prefix(gun + kGun.size());
  }
  return std::string(rest);
}

std::vector<Municipality> municipalities(const AreaLayer& layer) {
  std::vector<Municipality> out;
  const auto& areas = layer.areas();
  for (std::size_t i = 0; i < areas.size(); ++i) {
    const Area& a = areas[i];
    if (a.kind != AreaKind::municipality) continue;
    Municipality m{a.lg_code.empty() ? a.code : a.lg_code, a.name, municipality_short_name(a.name),
                   a.id, std::nullopt};
    const auto& env = layer.envelopes();
    if (i < env.size()) m.extent = env[i];
    out.push_back(std::move(m));
  }
  return out;
}

MunicipalityLookup find_municipality(const AreaLayer& layer, std::string_view code) {
  MunicipalityLookup out;
  const std::string shown(code.substr(0, 20));
  const bool six_digits = code.size() == 6 && std::all_of(code.begin(), code.end(), [](char c) {
                            return c >= '0' && c <= '9';
                          });
  bool check_ok = false;
  if (six_digits) {
    try {
      check_ok = parse_lg_code(code, LgCodeForm::six_digits).code == code;
    } catch (const InvalidArgument&) {
      check_ok = false;
    }
  }
  const auto towns = municipalities(layer);
  std::string known;
  for (const auto& t : towns) {
    if (!known.empty()) known += ", ";
    known += t.lg_code + " " + t.short_name;
  }
  if (known.empty()) known = "none: this store has no municipality boundary";
  if (!check_ok) {
    out.problem = MunicipalityProblem::malformed;
    out.message = "municipality '" + shown +
                  "' is not a 全国地方公共団体コード (6 digits with its check digit, e.g. "
                  "023612 for 藤崎町); the towns of this server are: " +
                  known;
    return out;
  }
  for (const auto& t : towns) {
    if (t.lg_code == code) {
      out.town = t;
      return out;
    }
  }
  out.problem = MunicipalityProblem::unknown;
  out.message = "municipality " + shown + " is not a town of this server; its towns are: " + known;
  return out;
}

namespace {

/// `code` when it is a 6-digit code with a right check digit, else "".
std::string well_formed(const std::string& code) {
  try {
    check_municipality_code(code);
    return code;
  } catch (const InvalidArgument&) {
    return {};
  }
}

}  // namespace

std::string municipality_at(const AreaLayer& layer, double lon, double lat) {
  const auto& areas = layer.areas();
  const auto& envelopes = layer.envelopes();
  for (std::size_t i = 0; i < areas.size(); ++i) {
    const Area& a = areas[i];
    if (a.kind != AreaKind::municipality || a.wkb.empty()) continue;
    if (i < envelopes.size() && envelopes[i] && !envelopes[i]->contains(lon, lat)) continue;
    try {
      if (Geometry::from_wkb(a.wkb).contains(Geometry::point(lon, lat))) {
        // A boundary of no 全国地方公共団体コード (an operator's own, the demo town's) is no town:
        // what lies in it belongs to no municipality, as without boundaries.
        return well_formed(a.lg_code.empty() ? a.code : a.lg_code);
      }
    } catch (const GeometryError&) {
      continue;  // a damaged boundary holds nothing
    }
  }
  return {};
}

}  // namespace tsunagi::geo
