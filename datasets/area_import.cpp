#include "datasets/area_import.hpp"

#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "datasets/age_table.hpp"
#include "datasets/area_checks.hpp"
#include "datasets/text_encoding.hpp"
#include "datasets/voronoi.hpp"
#include "geo/catalog/indicator.hpp"
#include "geo/core/area.hpp"
#include "geo/core/ids.hpp"
#include "geo/core/lg_code.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::datasets {

namespace {

struct CtDeleter {
  void operator()(OGRCoordinateTransformation* ct) const {
    OGRCoordinateTransformation::DestroyCT(ct);
  }
};
using CtPtr = std::unique_ptr<OGRCoordinateTransformation, CtDeleter>;

CtPtr transform_to_wgs84(const OGRSpatialReference& from_in, const std::string& what) {
  OGRSpatialReference from(from_in);
  from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReference to;
  to.importFromEPSG(4326);
  to.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (from.IsSame(&to)) return nullptr;
  CtPtr ct(OGRCreateCoordinateTransformation(&from, &to));
  if (!ct) throw SourceError("cannot transform " + what + " to EPSG:4326 (PROJ found no way)");
  return ct;
}

bool is_polygonal(OGRwkbGeometryType t) {
  const auto f = wkbFlatten(t);
  return f == wkbPolygon || f == wkbMultiPolygon;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

/// Which e-Stat boundary product a layer is, from its fields (domain.md §4.1).
enum class EstatVintage : std::uint8_t { none, h27, r2 };

EstatVintage detect_estat(const std::vector<std::string>& fields) {
  auto has = [&](std::string_view n) {
    return std::find(fields.begin(), fields.end(), n) != fields.end();
  };
  if (!has("KEY_CODE") || !has("HCODE")) return EstatVintage::none;
  if (has("S_NAME") && has("PREF")) return EstatVintage::r2;
  if (has("MOJI") && has("KEN")) return EstatVintage::h27;
  return EstatVintage::none;
}

/// One area being assembled from the features sharing its code.
struct Group {
  std::string code;
  std::int64_t first_feature = 0;
  std::vector<geo::Geometry> parts;
  std::string name;
  std::string municipality_name;
  std::optional<double> population;
  std::optional<double> households;
  std::optional<std::pair<double, double>> label;
  bool label_from_largest = false;                ///< label came from the AREA_MAX_F = 'M' part
  std::optional<std::pair<double, double>> site;  ///< --approximate: the representative point
  double site_weight = -1;
  bool dropped = false;  ///< --approximate: no Voronoi cell
  std::string lg6;       ///< 地域・年齢別人口: the municipality of the row
};

/// A point from attribute fields: X_CODE/Y_CODE, lon/lat, 経度/緯度, or "location" = "lat,lon".
std::optional<std::pair<double, double>> point_from_fields(const OGRFeature& f,
                                                           const std::vector<std::string>& fields) {
  auto idx = [&](std::string_view n) -> int {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] == n) return static_cast<int>(i);
    }
    return -1;
  };
  auto num = [&](int i) -> std::optional<double> {
    if (i < 0 || !f.IsFieldSetAndNotNull(i)) return std::nullopt;
    const auto t = trim(f.GetFieldAsString(i));
    if (t.empty()) return std::nullopt;
    char* end = nullptr;
    const std::string s(t);
    const double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0') return std::nullopt;
    return v;
  };
  const std::pair<const char*, const char*> pairs[] = {{"X_CODE", "Y_CODE"},
                                                       {"lon", "lat"},
                                                       {"longitude", "latitude"},
                                                       {"経度", "緯度"},
                                                       {"x", "y"}};
  for (const auto& [xn, yn] : pairs) {
    const auto x = num(idx(xn));
    const auto y = num(idx(yn));
    if (x && y) return std::pair{*x, *y};
  }
  const int loc = idx("location");
  if (loc >= 0 && f.IsFieldSetAndNotNull(loc)) {
    const std::string t(trim(f.GetFieldAsString(loc)));
    const auto comma = t.find(',');
    if (comma != std::string::npos) {
      char* e1 = nullptr;
      char* e2 = nullptr;
      const std::string a = t.substr(0, comma);
      const std::string b = t.substr(comma + 1);
      const double lat = std::strtod(a.c_str(), &e1);
      const double lon = std::strtod(b.c_str(), &e2);
      if (e1 != a.c_str() && e2 != b.c_str()) return std::pair{lon, lat};
    }
  }
  return std::nullopt;
}

std::string text_field(const OGRFeature& f, int i) {
  if (i < 0 || !f.IsFieldSetAndNotNull(i)) return {};
  return std::string(trim(f.GetFieldAsString(i)));
}

std::optional<double> number_field(const OGRFeature& f, int i) {
  if (i < 0 || !f.IsFieldSetAndNotNull(i)) return std::nullopt;
  const auto t = trim(f.GetFieldAsString(i));
  if (t.empty()) return std::nullopt;
  return f.GetFieldAsDouble(i);
}

}  // namespace

AreaImportReport import_areas(geo::Store& store, const std::filesystem::path& file,
                              const AreaImportOptions& opt) {
  AreaImportReport report;
  report.file = file.string();
  GdalMessageCapture capture;
  GdalSource src = GdalSource::open(file, opt.encoding);
  report.format = std::string(format_name(src.format()));
  report.encoding = src.encoding_note();
  const auto& fields = src.field_names();
  const EstatVintage estat = detect_estat(fields);
  const auto age = estat == EstatVintage::none ? detect_age_table(fields) : std::nullopt;
  const bool age_layout = age && opt.code_field.empty();
  int lg_i = -1;         ///< 地域・年齢別人口: the municipality code column
  std::string age_city;  ///< 地域・年齢別人口: its 市区町村名
  const std::string fname = file.filename().string();
  auto field_index = [&](const std::string& name) -> int {
    const auto it = std::find(fields.begin(), fields.end(), name);
    return it == fields.end() ? -1 : static_cast<int>(it - fields.begin());
  };
  auto require_field = [&](const std::string& name, std::string_view option) {
    const int i = field_index(name);
    if (i < 0) {
      throw SourceError(fname + " has no field '" + name + "' (" + std::string(option) +
                        "); its fields are: " + join(fields));
    }
    return i;
  };

  int code_i = -1;
  int name_i = -1;
  int hcode_i = -1;
  int jinko_i = -1;
  int setai_i = -1;
  int x_i = -1;
  int y_i = -1;
  int max_i = -1;
  int kigo_i = -1;
  int city_name_i = -1;
  int css_name_i = -1;
  if (estat != EstatVintage::none) {
    if (opt.kind || !opt.code_field.empty()) {
      report.issues.push_back({0,
                               "an e-Stat 小地域境界 layer: kinds come from KEY_CODE, "
                               "--area-type/--code-field are ignored"});
    }
    report.layout = estat == EstatVintage::h27 ? "e-Stat 小地域境界 2015 (h27ka)"
                                               : "e-Stat 小地域境界 2020 (r2ka)";
    code_i = field_index("KEY_CODE");
    name_i = field_index(estat == EstatVintage::h27 ? "MOJI" : "S_NAME");
    hcode_i = field_index("HCODE");
    jinko_i = field_index("JINKO");
    setai_i = field_index("SETAI");
    x_i = field_index("X_CODE");
    y_i = field_index("Y_CODE");
    max_i = field_index("AREA_MAX_F");
    kigo_i = field_index("KIGO_E");
    city_name_i = field_index(estat == EstatVintage::h27 ? "GST_NAME" : "CITY_NAME");
    css_name_i = field_index("CSS_NAME");
  } else if (age && opt.code_field.empty()) {
    // An 地域・年齢別人口 file: each row's 地域名 and location ("lat,lon") make a small area.
    if (!opt.approximate) {
      throw SourceError(fname +
                        " is an 地域・年齢別人口 table: its rows have points, not boundaries; "
                        "build approximate areas from them with --approximate, or import its "
                        "figures with --table");
    }
    report.layout = "地域・年齢別人口 (representative points)";
    code_i = age->region_code;
    name_i = age->region_name;
    lg_i = age->municipality_code;
    city_name_i = age->city_name;
  } else {
    if (opt.code_field.empty()) {
      throw SourceError(fname +
                        " is not an e-Stat 小地域境界 layer (no KEY_CODE/HCODE): name the field "
                        "holding each area's code with --code-field (and its kind with "
                        "--area-type); its fields are: " +
                        join(fields));
    }
    if (!opt.kind) {
      throw SourceError("give the kind of the areas of " + fname + " with --area-type (one of " +
                        geo::code_ids_joined<geo::AreaKind>() + ")");
    }
    code_i = require_field(opt.code_field, "--code-field");
    if (!opt.name_field.empty()) {
      name_i = require_field(opt.name_field, "--name-field");
    } else {
      for (const char* n : {"name", "NAME", "名称", "名前"}) {
        if ((name_i = field_index(n)) >= 0) break;
      }
    }
    report.layout = "area layer (" + std::string(geo::code_id(*opt.kind)) + ")";
  }
  if (!opt.parent_id.empty() && estat == EstatVintage::none && !store.area(opt.parent_id)) {
    throw SourceError("--parent " + opt.parent_id + " is not an area of the store");
  }

  OGRLayer& layer = src.layer();
  CtPtr ct;
  if (const OGRSpatialReference* srs = src.spatial_ref()) {
    ct = transform_to_wgs84(*srs, "the CRS of " + fname);
  }
  auto check_text = [&](const std::string& s, std::int64_t index) {
    if (src.must_check_utf8() && !is_valid_utf8(s)) {
      throw SourceError(not_utf8_message(file, "feature " + std::to_string(index)));
    }
  };
  auto drop = [&](std::int64_t index, const std::string& reason, const std::string& detail) {
    ++report.dropped[reason];
    report.issues.push_back({index, "dropped: " + reason + (detail.empty() ? "" : " " + detail)});
  };

  std::vector<Group> groups;
  std::unordered_map<std::string, std::size_t> by_code;
  std::int64_t kigo_marked = 0;
  std::int64_t index = 0;
  layer.ResetReading();
  for (;;) {
    CPLErrorReset();
    OGRFeatureUniquePtr f(layer.GetNextFeature());
    if (!f) {
      if (CPLGetLastErrorType() >= CE_Failure) {
        throw SourceError(fname + " cannot be read past feature " + std::to_string(index) +
                          " (GDAL: " + CPLGetLastErrorMsg() + "); nothing was imported");
      }
      break;
    }
    ++index;
    std::string code = text_field(*f, code_i);
    std::string name = text_field(*f, name_i);
    std::string lg6;
    if (age_layout) {
      std::string lg;
      for (const char c : text_field(*f, lg_i)) {
        if (c >= '0' && c <= '9') lg.push_back(c);
      }
      if (lg.size() == 5) lg += geo::lg_check_digit(lg);
      if (lg.size() != 6) {
        drop(index, "no 市区町村コード", name);
        continue;
      }
      if (name.empty() || name == text_field(*f, city_name_i)) {
        drop(index, name.empty() ? "no 地域名" : "the municipality's total row", name);
        continue;
      }
      lg6 = lg;
      if (age_city.empty()) age_city = text_field(*f, city_name_i);
      // no 地域コード: the municipality and the name make the code
      if (code.empty()) code = lg.substr(0, 5) + "-" + normalize_area_name(name);
    }
    check_text(code, index);
    check_text(name, index);
    if (estat != EstatVintage::none && text_field(*f, hcode_i) == "8154") {
      drop(index, "water area (HCODE 8154)", code);
      continue;
    }
    if (code.empty()) {
      drop(index, "no code", estat != EstatVintage::none ? "(KEY_CODE empty)" : "");
      continue;
    }
    if (estat != EstatVintage::none) {
      const bool digits =
          std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits || (code.size() != 5 && code.size() != 9 && code.size() != 11)) {
        drop(index, "KEY_CODE is not 5, 9 or 11 digits", "'" + code + "'");
        continue;
      }
    }
    OGRGeometry* g = f->GetGeometryRef();
    std::optional<geo::Geometry> geom;
    std::optional<std::pair<double, double>> site;
    if (opt.approximate) {
      if (g != nullptr && !g->IsEmpty() && wkbFlatten(g->getGeometryType()) == wkbPoint) {
        if (ct && g->transform(ct.get()) != OGRERR_NONE) {
          throw SourceError(fname + " feature " + std::to_string(index) +
                            " cannot be transformed to EPSG:4326");
        }
        const auto* pt = g->toPoint();
        site = std::pair{pt->getX(), pt->getY()};
      } else {
        site = point_from_fields(*f, fields);
      }
      if (!site) {
        drop(index, "no point", code);
        continue;
      }
      require_area_point(site->first, site->second, fname, index, code + " " + name);
    } else {
      if (g == nullptr || g->IsEmpty()) {
        drop(index, "no geometry", code);
        continue;
      }
      if (!is_polygonal(g->getGeometryType())) {
        drop(index, "not a polygon",
             std::string(OGRGeometryTypeToName(g->getGeometryType())) + " " + code +
                 (wkbFlatten(g->getGeometryType()) == wkbPoint
                      ? " (for representative points give --approximate)"
                      : ""));
        continue;
      }
      if (ct && g->transform(ct.get()) != OGRERR_NONE) {
        throw SourceError(fname + " feature " + std::to_string(index) +
                          " cannot be transformed to EPSG:4326");
      }
      std::string wkb(static_cast<std::size_t>(g->WkbSize()), '\0');
      g->exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(wkb.data()), wkbVariantIso);
      geom = geo::Geometry::from_wkb(wkb);
      if (!require_area_polygon(*geom, fname, index, code + " " + name)) {
        const std::string why = geom->invalid_reason();
        geom = geom->make_valid();
        ++report.repaired;
        report.issues.push_back({index, "repaired invalid geometry of " + code + " (" + why + ")"});
      }
    }
    auto [it, fresh] = by_code.try_emplace(code, groups.size());
    if (fresh) {
      groups.emplace_back();
      groups.back().code = code;
      groups.back().first_feature = index;
    } else {
      ++report.features_merged;
    }
    Group& grp = groups[it->second];
    if (grp.name.empty()) grp.name = name;
    if (grp.lg6.empty()) grp.lg6 = lg6;
    if (geom) grp.parts.push_back(std::move(*geom));
    if (site) {
      // points sharing a code: the site is the point of the part with the most people
      const double weight = number_field(*f, jinko_i).value_or(0);
      if (!grp.site || weight > grp.site_weight) {
        grp.site = site;
        grp.site_weight = weight;
      }
    }
    if (estat != EstatVintage::none) {
      if (grp.municipality_name.empty()) {
        grp.municipality_name = text_field(*f, city_name_i) + text_field(*f, css_name_i);
        check_text(grp.municipality_name, index);
      }
      if (const auto p = number_field(*f, jinko_i))
        grp.population = grp.population.value_or(0) + *p;
      if (const auto h = number_field(*f, setai_i))
        grp.households = grp.households.value_or(0) + *h;
      const auto x = number_field(*f, x_i);
      const auto y = number_field(*f, y_i);
      const bool largest = text_field(*f, max_i) == "M";
      if (x && y && *x != 0 && *y != 0 && (!grp.label || (largest && !grp.label_from_largest))) {
        grp.label = std::pair{*x, *y};
        grp.label_from_largest = largest;
      }
      if (!text_field(*f, kigo_i).empty()) ++kigo_marked;
    }
  }
  report.features_read = index;
  if (groups.empty()) {
    throw SourceError(fname + " holds no usable area (" + std::to_string(index) +
                      " features read, every one dropped)");
  }
  if (opt.approximate) {
    // Each cell is clipped to its own municipality (never to a hull of the points: several towns
    // in one file would spill over each other, their neighbours and the sea): the one the
    // e-Stat code names, or the stored boundary holding the point; --boundary-area clips all.
    std::map<std::string, std::vector<std::size_t>> by_clip;  // clip area id → groups
    std::map<std::string, std::string> clip_wkb;
    if (!opt.boundary_area.empty()) {
      const auto b = store.area(opt.boundary_area);
      if (!b || b->wkb.empty()) {
        throw SourceError("--boundary-area " + opt.boundary_area +
                          " is not an area of the store with a boundary");
      }
      clip_wkb[b->id] = b->wkb;
      for (std::size_t gi = 0; gi < groups.size(); ++gi) by_clip[b->id].push_back(gi);
    } else {
      std::vector<geo::Area> towns;
      for (auto& m : store.areas(geo::AreaKind::municipality)) {
        if (!m.wkb.empty()) towns.push_back(std::move(m));
      }
      std::set<std::string> missing;
      std::vector<std::optional<geo::PreparedGeometry>> prepared(towns.size());
      auto prepared_of = [&](std::size_t t) -> const geo::PreparedGeometry& {
        if (!prepared[t]) prepared[t].emplace(geo::Geometry::from_wkb(towns[t].wkb));
        return *prepared[t];
      };
      // A representative point just outside its town's boundary (a quay, a coast the boundary
      // generalises) starts its cell from the nearest point of the boundary, within 1 km.
      constexpr double kNudgeM = 1000;
      auto nudge = [&](Group& grp, std::size_t t) -> bool {
        const auto [x, y] = *grp.site;
        const auto [nx, ny] = geo::Geometry::from_wkb(towns[t].wkb).nearest_point_to(x, y);
        const double dx = (nx - x) * 111320.0 * std::cos(y * M_PI / 180);
        const double dy = (ny - y) * 110574.0;
        const double m = std::sqrt(dx * dx + dy * dy);
        if (m > kNudgeM) return false;
        grp.site = std::pair{nx, ny};
        report.issues.push_back({grp.first_feature, "the point of " + grp.code + " " + grp.name +
                                                        " lies " + std::to_string(std::lround(m)) +
                                                        " m outside " + towns[t].id +
                                                        ": its cell starts from the nearest "
                                                        "point of the boundary"});
        return true;
      };
      for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        Group& grp = groups[gi];
        std::string town;
        if (estat != EstatVintage::none || !grp.lg6.empty()) {
          const std::string lg5 = grp.code.substr(0, 5);
          town = !grp.lg6.empty() ? "municipality:" + grp.lg6
                                  : "municipality:" + lg5 + geo::lg_check_digit(lg5);
          const auto t = std::find_if(towns.begin(), towns.end(),
                                      [&](const geo::Area& m) { return m.id == town; });
          if (t == towns.end()) {
            missing.insert(town);
            continue;
          }
          const auto ti = static_cast<std::size_t>(t - towns.begin());
          if (!prepared_of(ti).contains_point(grp.site->first, grp.site->second) &&
              !nudge(grp, ti)) {
            grp.dropped = true;
            drop(grp.first_feature,
                 "point more than 1 km outside its municipality's boundary (check its "
                 "coordinates)",
                 grp.code + " " + grp.name);
            continue;
          }
        } else {
          for (std::size_t t = 0; t < towns.size() && town.empty(); ++t) {
            if (prepared_of(t).contains_point(grp.site->first, grp.site->second)) {
              town = towns[t].id;
            }
          }
          for (std::size_t t = 0; t < towns.size() && town.empty(); ++t) {
            if (nudge(grp, t)) town = towns[t].id;
          }
          if (town.empty()) {
            if (towns.empty()) {
              throw SourceError(
                  "approximate areas are clipped to their municipality, and the store has no "
                  "municipality boundary: import it first (tsunagi import --boundary "
                  "N03-….geojson) or name the area to clip to with --boundary-area ID");
            }
            grp.dropped = true;
            drop(grp.first_feature,
                 "point more than 1 km outside every stored municipality boundary", grp.code);
            continue;
          }
        }
        by_clip[town].push_back(gi);
      }
      if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        throw SourceError(
            "approximate areas are clipped to their own municipality, and the store has no "
            "boundary of " +
            list +
            ": import the N03 boundaries of these municipalities first (tsunagi import "
            "--boundary CODE.geojson), or name the area to clip to with --boundary-area ID");
      }
      for (const auto& m : towns) {
        if (by_clip.contains(m.id)) clip_wkb[m.id] = m.wkb;
      }
    }
    for (const auto& [clip, members] : by_clip) {
      std::vector<std::pair<double, double>> sites;
      sites.reserve(members.size());
      for (const auto gi : members) sites.push_back(*groups[gi].site);
      const VoronoiResult vr = voronoi_cells(sites, clip_wkb.at(clip));
      report.clip += (report.clip.empty() ? "" : ", ") + clip;
      for (std::size_t k = 0; k < members.size(); ++k) {
        Group& grp = groups[members[k]];
        if (!vr.cells[k]) {
          grp.dropped = true;
          drop(grp.first_feature,
               "no Voronoi cell (point outside the boundary of " + clip + " or shared)", grp.code);
          continue;
        }
        grp.parts.clear();
        grp.parts.push_back(geo::Geometry::from_wkb(*vr.cells[k]));
        grp.label = grp.site;
      }
    }
  }
  if (kigo_marked > 0) {
    report.issues.push_back(
        {0, std::to_string(kigo_marked) +
                " features carry an e-Stat KIGO_E mark (figures combined with another area for "
                "confidentiality): their JINKO/SETAI are stored as published"});
  }

  // The source row.
  geo::SourceInfo source;
  source.key = !opt.source_key.empty() ? opt.source_key : "areas:" + file.stem().string();
  source.title = !opt.title.empty() ? opt.title : fname;
  source.imported_at = geo::utc_now_iso();
  std::string vintage;
  if (estat != EstatVintage::none) {
    const bool h27 = estat == EstatVintage::h27;
    vintage = h27 ? "census2015" : "census2020";
    report.ref_date = !opt.ref_date.empty() ? opt.ref_date : (h27 ? "2015-10-01" : "2020-10-01");
    if (opt.title.empty()) {
      source.title =
          std::string(h27 ? "平成27年" : "令和2年") + "国勢調査 小地域（町丁・字等）境界 " + fname;
    }
    source.publisher = "総務省統計局（政府統計の総合窓口 e-Stat）";
    source.url = "https://www.e-stat.go.jp/gis";
    source.license = !opt.license.empty() ? opt.license : "estat_terms";
    source.attribution = !opt.attribution.empty()
                             ? opt.attribution
                             : std::string("「政府統計の総合窓口(e-Stat)」境界データ（") +
                                   (h27 ? "平成27年" : "令和2年") +
                                   "国勢調査 小地域）を加工して作成";
    source.vintage = vintage;
  } else if (age_layout) {
    vintage = file.stem().string();
    source.publisher = age_city;
    if (opt.title.empty()) source.title = "地域・年齢別人口（" + age_city + "）の代表点 " + fname;
    source.license = !opt.license.empty() ? opt.license : "cc_by_4_0";
    source.attribution =
        !opt.attribution.empty()
            ? opt.attribution
            : (age_city.empty() ? fname
                                : "出典「" + age_city + "オープンデータ」(" + age_city + ")");
  } else {
    vintage = file.stem().string();
    source.license = opt.license;
    source.attribution = opt.attribution;
  }
  const std::int64_t source_id = store.upsert_source(source);
  report.source_id = source_id;

  // Areas.
  std::vector<geo::StatValue> values;
  std::map<std::string, std::vector<std::size_t>> by_municipality;  // parent id → groups
  std::map<std::string, std::string> municipality_names;
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    Group& grp = groups[gi];
    if (grp.dropped) continue;
    geo::Geometry merged =
        grp.parts.size() == 1 ? grp.parts.front().clone() : geo::Geometry::union_all(grp.parts);
    if (!merged.is_valid()) merged = merged.make_valid();
    merged = merged.as_multi_polygon();
    geo::Area a;
    a.code = grp.code;
    a.name = grp.name.empty() ? grp.code : grp.name;
    a.source_id = source_id;
    a.vintage = vintage;
    a.wkb = merged.wkb();
    a.approximate = opt.approximate;
    if (estat != EstatVintage::none) {
      const std::string lg5 = grp.code.substr(0, 5);
      const std::string lg6 = lg5 + geo::lg_check_digit(lg5);
      a.lg_code = lg6;
      if (grp.code.size() == 5) {
        a.kind = geo::AreaKind::municipality;
        a.code = lg6;
        a.id = "municipality:" + lg6;
        if (a.name == grp.code && !grp.municipality_name.empty()) a.name = grp.municipality_name;
      } else {
        // One layer (町丁・字等) whatever the code length: 9 digits = a 大字・町 without 丁目,
        // 11 = a 丁目 or a 字 within one.
        a.kind = geo::AreaKind::small_area;
        a.level = geo::small_area_level_of(grp.code, a.name);
        a.id = geo::small_area_id_of(grp.code);
        a.parent_id = "municipality:" + lg6;
        by_municipality[a.parent_id].push_back(gi);
        if (!grp.municipality_name.empty()) municipality_names[a.parent_id] = grp.municipality_name;
      }
    } else if (age_layout) {
      a.kind = geo::AreaKind::small_area;
      a.level = a.name.ends_with("丁目") ? geo::SmallAreaLevel::chome : geo::SmallAreaLevel::oaza;
      a.id = geo::small_area_id_of(grp.code);
      a.lg_code = grp.lg6;
      a.parent_id = "municipality:" + grp.lg6;
    } else {
      a.kind = *opt.kind;
      a.id = std::string(geo::code_id(a.kind)) + ":" + grp.code;
      a.parent_id = !opt.parent_id.empty() ? opt.parent_id : opt.boundary_area;
      if (opt.parent_id.starts_with("municipality:")) {
        a.lg_code = opt.parent_id.substr(std::string_view("municipality:").size());
      }
    }
    if (grp.label) {
      a.label_lon = grp.label->first;
      a.label_lat = grp.label->second;
    } else {
      // the largest part's interior point
      const geo::Geometry* largest = &grp.parts.front();
      for (const auto& p : grp.parts) {
        if (p.area() > largest->area()) largest = &p;
      }
      const auto [lx, ly] = largest->point_on_surface();
      a.label_lon = lx;
      a.label_lat = ly;
    }
    store.put_area(a);
    ++report.areas_written;
    if (estat != EstatVintage::none && a.kind != geo::AreaKind::municipality) {
      auto add = [&](const char* key, const std::optional<double>& v) {
        geo::StatValue s;
        s.area_id = a.id;
        s.key = key;
        s.ref_date = report.ref_date;
        s.source_id = source_id;
        s.value = v;
        s.status = v ? geo::StatStatus::value : geo::StatStatus::missing;
        values.push_back(std::move(s));
      };
      add("population", grp.population);
      add("households", grp.households);
    }
  }

  // Parents: a municipality absent from the store is dissolved from its small areas.
  for (const auto& [parent, members] : by_municipality) {
    if (store.area(parent)) continue;
    std::vector<geo::Geometry> parts;
    for (const auto gi : members) {
      const auto a = store.area(geo::small_area_id_of(groups[gi].code));
      if (a) parts.push_back(geo::Geometry::from_wkb(a->wkb));
    }
    geo::Geometry dissolved = geo::Geometry::union_all(parts);
    if (!dissolved.is_valid()) dissolved = dissolved.make_valid();
    dissolved = dissolved.as_multi_polygon();
    geo::Area m;
    m.kind = geo::AreaKind::municipality;
    m.code = parent.substr(std::string_view("municipality:").size());
    m.lg_code = m.code;
    m.id = parent;
    m.name = municipality_names.contains(parent) ? municipality_names[parent] : m.code;
    m.source_id = source_id;
    m.vintage = vintage;
    m.wkb = dissolved.wkb();
    m.approximate = opt.approximate;
    const auto [lx, ly] = dissolved.point_on_surface();
    m.label_lon = lx;
    m.label_lat = ly;
    store.put_area(m);
    report.municipalities_created.push_back(m.id + " " + m.name);
  }

  if (!values.empty()) {
    std::vector<geo::StatDef> defs;
    for (const char* key : {"population", "households"}) {
      geo::StatDef d;
      d.key = key;
      d.label = std::string(geo::known_stat_label(key).value_or(key));
      d.unit = geo::StatUnit::count;
      d.publish = geo::PublishLevel::public_;
      d.source_id = source_id;
      d.note = std::string(key) == "population" ? "国勢調査 JINKO (小地域境界データ)"
                                                : "国勢調査 SETAI (小地域境界データ)";
      defs.push_back(std::move(d));
    }
    store.put_stats(defs, values);
    report.stat_values = static_cast<std::int64_t>(values.size());
  }
  for (const auto& m : capture.messages()) report.issues.push_back({0, "GDAL: " + m});
  return report;
}

std::string render_text(const AreaImportReport& r, std::size_t max_listed) {
  std::string out = std::filesystem::path(r.file).filename().string() + ": " + r.layout + ", " +
                    r.format + (r.encoding.empty() ? "" : ", " + r.encoding) + "\n";
  std::int64_t dropped = 0;
  for (const auto& [why, n] : r.dropped) dropped += n;
  out += "  " + std::to_string(r.features_read) +
         " features read: " + std::to_string(r.areas_written) + " areas written, " +
         std::to_string(r.features_merged) + " features merged into an area of the same code, " +
         std::to_string(dropped) + " dropped, " + std::to_string(r.repaired) +
         " geometries repaired\n";
  for (const auto& [why, n] : r.dropped) {
    out += "  dropped " + std::to_string(n) + ": " + why + "\n";
  }
  for (const auto& m : r.municipalities_created) {
    out += "  parent area " + m + " created from its small areas (no boundary in the store)\n";
  }
  if (!r.clip.empty()) {
    out += "  approximate areas: Voronoi cells of the points, clipped to " + r.clip + "\n";
  }
  if (r.stat_values > 0) {
    out += "  statistics: population, households (" + std::to_string(r.stat_values) +
           " values, ref_date " + r.ref_date + ")\n";
  }
  std::size_t listed = 0;
  for (const auto& i : r.issues) {
    if (max_listed > 0 && listed++ >= max_listed) {
      out += "  … " + std::to_string(r.issues.size() - max_listed) + " more\n";
      break;
    }
    out += i.row > 0 ? "  feature " + std::to_string(i.row) + ": " + i.message + "\n"
                     : "  " + i.message + "\n";
  }
  return out;
}

}  // namespace tsunagi::datasets
