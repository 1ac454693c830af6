#include "datasets/importer.hpp"

#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "datasets/area_checks.hpp"
#include "datasets/row_writer.hpp"
#include "datasets/seen_ids.hpp"
#include "datasets/text_encoding.hpp"
#include "geo/core/csv.hpp"
#include "geo/core/lg_code.hpp"
#include "geo/core/schedule.hpp"

namespace tsunagi::datasets {

namespace {

struct CtDeleter {
  void operator()(OGRCoordinateTransformation* ct) const {
    OGRCoordinateTransformation::DestroyCT(ct);
  }
};
using CtPtr = std::unique_ptr<OGRCoordinateTransformation, CtDeleter>;

OGRSpatialReference wgs84() {
  OGRSpatialReference s;
  s.importFromEPSG(4326);
  s.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return s;
}

/// A transformation to EPSG:4326 lon/lat, or null when `from` already is WGS84 lon/lat.
CtPtr transform_to_wgs84(const OGRSpatialReference& from_in, const std::string& what) {
  OGRSpatialReference from(from_in);
  from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  const OGRSpatialReference to = wgs84();
  if (from.IsSame(&to)) return nullptr;
  CtPtr ct(OGRCreateCoordinateTransformation(&from, &to));
  if (!ct) throw SourceError("cannot transform " + what + " to EPSG:4326 (PROJ found no way)");
  return ct;
}

/// Splits "a、b,c・d" style lists of code-list labels or ids.
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    const auto t = trim(cur);
    if (!t.empty()) out.emplace_back(t);
    cur.clear();
  };
  for (std::size_t i = 0; i < text.size();) {
    if (text.substr(i, 3) == "、" || text.substr(i, 3) == "，") {
      flush();
      i += 3;
    } else if (text[i] == ',' || text[i] == ';' || text[i] == '\n') {
      flush();
      ++i;
    } else {
      cur.push_back(text[i]);
      ++i;
    }
  }
  flush();
  return out;
}

/// Reads the next feature. GDAL returns null both at the end of the layer and when it cannot read
/// on (a CSV line over its 10 MB limit, a DBF cut short): the second must fail the whole import,
/// never pass for the end of the file (the rows after it would be lost, or closed by
/// --close-missing). `last_good` numbers the last row read; `word` "row" or "feature".
OGRFeatureUniquePtr next_feature_or_throw(OGRLayer& layer, const std::filesystem::path& file,
                                          std::string_view word, std::int64_t last_good) {
  CPLErrorReset();
  OGRFeatureUniquePtr feature(layer.GetNextFeature());
  if (!feature && CPLGetLastErrorType() >= CE_Failure) {
    std::string gdal = CPLGetLastErrorMsg();
    if (gdal.size() > 300) gdal = gdal.substr(0, 300) + "…";
    throw SourceError(file.filename().string() + " cannot be read past " + std::string(word) + " " +
                      std::to_string(last_good) + " (GDAL: " + gdal +
                      "); nothing was imported and no resource was closed — fix or re-export "
                      "the file");
  }
  return feature;
}

/// A CSV's point is read from its cells (parse_wkt_point, or the lat/lon columns), never from the
/// geometry GDAL makes of a column named WKT: tell GDAL not to parse it into an OGRGeometry on
/// every row (the text cell itself stays, KEEP_GEOM_COLUMNS=YES).
void ignore_csv_geometry(OGRLayer& layer) {
  const OGRFeatureDefn* defn = layer.GetLayerDefn();
  const int n = defn->GetGeomFieldCount();
  if (n == 0) return;
  std::vector<std::string> names = {"OGR_GEOMETRY"};  // the first geometry field, whatever its name
  for (int i = 1; i < n; ++i) names.emplace_back(defn->GetGeomFieldDefn(i)->GetNameRef());
  std::vector<const char*> list;
  list.reserve(names.size() + 1);
  for (const auto& s : names) list.push_back(s.c_str());
  list.push_back(nullptr);
  // Best effort: a driver that cannot ignore fields still parses the geometry, as before.
  (void)layer.SetIgnoredFields(list.data());
}

class RowImporter {
 public:
  RowImporter(geo::Store& store, const GdalSource& src, const ResolvedLayout& layout,
              const ImportOptions& opt, const BoundaryCheck& boundaries, FileReport& report,
              std::string actor)
      : src_(src),
        layout_(layout),
        opt_(opt),
        boundaries_(boundaries),
        report_(report),
        names_(src.field_names()),
        writer_(store, std::move(actor)) {
    csv_ = src.format() == SourceFormat::csv;
    if (csv_) {
      if (!opt.s_srs.empty()) {
        OGRSpatialReference s;
        if (s.SetFromUserInput(opt.s_srs.c_str()) != OGRERR_NONE) {
          throw SourceError("--s_srs " + opt.s_srs + ": PROJ does not know this CRS");
        }
        ct_ = transform_to_wgs84(s, "--s_srs " + opt.s_srs);
      }
    } else if (const OGRSpatialReference* srs = src.spatial_ref()) {
      ct_ = transform_to_wgs84(*srs, "the CRS of " + src.path().filename().string());
    } else if (!opt.s_srs.empty()) {
      OGRSpatialReference s;
      if (s.SetFromUserInput(opt.s_srs.c_str()) != OGRERR_NONE) {
        throw SourceError("--s_srs " + opt.s_srs + ": PROJ does not know this CRS");
      }
      ct_ = transform_to_wgs84(s, "--s_srs " + opt.s_srs);
    } else if (src.format() == SourceFormat::shapefile) {
      report_.warnings.push_back({0,
                                  "the shapefile has no .prj; coordinates are taken as EPSG:4326 "
                                  "lon/lat (pass --s_srs if they are not)"});
    }
    cells_.resize(names_.size());
  }

  void run() {
    OGRLayer& layer = src_.layer();
    if (csv_) ignore_csv_geometry(layer);
    layer.ResetReading();
    const std::int64_t expected = src_.expected_rows();
    // One id per row: sized once instead of rehashed ~18 times on the way to 200k rows.
    if (expected > 0)
      seen_.reserve(static_cast<std::size_t>(std::min<std::int64_t>(expected, 1 << 24)));
    std::int64_t index = 0;
    for (;;) {
      // CSV: the header is row 1, so the last row read is index + 1.
      OGRFeatureUniquePtr feature = next_feature_or_throw(
          layer, src_.path(), csv_ ? "row" : "feature", csv_ ? index + 1 : index);
      if (!feature) break;
      ++index;
      const std::int64_t row = csv_ ? index + 1 : index;  // CSV: header is row 1
      process(*feature, row);
      if (opt_.progress && (index & 4095) == 0) opt_.progress(index, expected);
    }
    const RowWriter::Counts written = writer_.finish();
    report_.inserted = written.inserted;
    report_.updated = written.updated;
    report_.unchanged = written.unchanged;
    report_.rows_read = index;
    if (opt_.progress) opt_.progress(index, index);
    for (const auto& [note, first_and_count] : lg_repairs_) {
      report_.warnings.push_back(
          {first_and_count.first,
           note + (first_and_count.second > 1
                       ? " (on " + std::to_string(first_and_count.second) + " rows; first shown)"
                       : "")});
    }
  }

  /// Source id → first row, for every row seen (rejected ones too: they are not "missing").
  [[nodiscard]] const SeenIds& seen_ids() const { return seen_; }

 private:
  const std::string& cell(Field f) const {
    static const std::string empty;
    const int c = layout_.col(f);
    return c >= 0 ? cells_[static_cast<std::size_t>(c)] : empty;
  }
  std::string text(Field f) const { return std::string(trim(cell(f))); }
  std::string column_name(Field f) const {
    const int c = layout_.col(f);
    return c >= 0 ? names_[static_cast<std::size_t>(c)] : std::string(field_id(f));
  }

  void reject(std::int64_t row, std::string reason) {
    report_.rejected.push_back({row, std::move(reason)});
  }

  void process(OGRFeature& f, std::int64_t row) {
    // Read every cell as text; GDAL's buffer for non-string fields is reused, so copy.
    const int n = static_cast<int>(cells_.size());
    int last_set = -1;
    bool empty = true;
    for (int i = 0; i < n; ++i) {
      auto& c = cells_[static_cast<std::size_t>(i)];
      if (f.IsFieldSetAndNotNull(i)) {
        c.assign(f.GetFieldAsString(i));
        last_set = i;
        // tsunagi's CSV export guards formula cells with a leading ' (geo/core/csv): drop it.
        if (layout_.kind == LayoutKind::tsunagi_export && c.size() >= 2 && c[0] == '\'' &&
            geo::csv::looks_like_formula(std::string_view(c).substr(1))) {
          c.erase(0, 1);
        }
      } else {
        c.clear();
        if (f.IsFieldSet(i)) last_set = i;
      }
      if (src_.must_check_utf8() && !is_valid_utf8(c)) {
        throw SourceError(not_utf8_message(src_.path(), report_.row_word + " " +
                                                            std::to_string(row) + ", column " +
                                                            names_[static_cast<std::size_t>(i)]));
      }
      if (empty && !layout_.sequence_column[static_cast<std::size_t>(i)] && !trim(c).empty()) {
        empty = false;
      }
    }
    const OGRGeometry* geom = f.GetGeometryRef();
    if (empty && (geom == nullptr || geom->IsEmpty() || csv_)) {
      report_.empty_rows.push_back(row);
      return;
    }

    std::vector<std::string> reasons;
    if (csv_ && last_set + 1 < n) {
      report_.warnings.push_back({row, "has only " + std::to_string(last_set + 1) + " of " +
                                           std::to_string(n) +
                                           " columns (is the file cut short?)"});
    }

    geo::Resource r = layout_.defaults;
    r.name = text(Field::name);
    if (r.name.empty()) reasons.push_back("missing name (column " + column_name(Field::name) + ")");

    // ---- source id and duplicates ----
    std::string sid = text(Field::source_id);
    if (sid.empty()) {
      // No id column (or an empty cell): name + address identify the row across re-imports.
      sid = r.name + "@" + text(Field::address);
    }
    if (const auto first = seen_.insert(sid, row)) {
      reasons.push_back("duplicate source id " + quote(sid) + " (first used on " +
                        report_.row_word + " " + std::to_string(*first) + ")");
    }
    r.source_key = sid;

    // ---- kind ----
    if (layout_.fixed_kind) {
      r.kind = *layout_.fixed_kind;
    } else {
      const std::string k = text(Field::kind);
      bool found = false;
      for (const auto& [value, kind] : layout_.kind_values) {
        if (value == k) {
          r.kind = kind;
          found = true;
          break;
        }
      }
      if (!found) {
        if (auto parsed = geo::parse_code<geo::ResourceKind>(k)) {
          r.kind = *parsed;
        } else {
          reasons.push_back("unknown kind " + quote(k) + " in column " + column_name(Field::kind) +
                            " (expected one of " + geo::code_ids_joined<geo::ResourceKind>() + ")");
        }
      }
    }

    // ---- coordinates ----
    read_coordinates(f, geom, r, reasons);

    // ---- codes, contact, text ----
    if (const std::string lg = text(Field::lg_code); !lg.empty()) {
      try {
        const auto code = geo::parse_lg_code(lg);
        r.lg_code = code.code;
        if (code.repaired) {
          auto& entry = lg_repairs_[column_name(Field::lg_code) + " " + quote(lg) + " read as " +
                                    code.code + ": " + code.repair_note];
          if (entry.second++ == 0) entry.first = row;
        }
      } catch (const geo::InvalidArgument& e) {
        reasons.push_back("bad 全国地方公共団体コード " + quote(lg) + " in column " +
                          column_name(Field::lg_code) + ": " + e.what());
      }
    }
    auto copy = [&](Field fld, geo::Text& dst) {
      if (layout_.has(fld)) {
        std::string v = text(fld);
        if (!v.empty()) dst = std::move(v);
      }
    };
    copy(Field::name_kana, r.name_kana);
    copy(Field::subtype, r.subtype);
    copy(Field::description, r.description);
    copy(Field::address, r.address);
    copy(Field::building, r.building);
    copy(Field::phone, r.phone);
    copy(Field::fax, r.fax);
    copy(Field::email, r.email);
    copy(Field::url, r.url);
    copy(Field::fee_note, r.fee_note);
    copy(Field::parking, r.parking);
    copy(Field::note, r.note);
    copy(Field::operator_name, r.operator_name);
    copy(Field::corporate_number, r.corporate_number);
    copy(Field::official_id, r.official_id);
    copy(Field::verified_at, r.verified_at);
    // The fields the field table imports (layouts.hpp table_io_fields()).
    for (const auto& [field, col] : layout_.table_columns) {
      const std::string_view v = trim(cells_[static_cast<std::size_t>(col)]);
      if (v.empty()) continue;
      try {
        geo::set_field_text(*field, r, v);
      } catch (const geo::InvalidArgument& e) {
        reasons.push_back("column " + names_[static_cast<std::size_t>(col)] + ": " + e.what());
      }
    }
    if (layout_.kind == LayoutKind::mhlw_kaigo && !r.url.empty() && !r.url.starts_with("http")) {
      // The MHLW URL column often holds an e-mail address or a phone number instead.
      if (r.url.find('@') != std::string::npos && r.email.empty()) {
        r.email = r.url;
      } else {
        r.note += (r.note.empty() ? "" : "\n") + std::string("URL欄: ") + r.url;
      }
      r.url.clear();
    }

    // ---- capacity ----
    if (const std::string cap = text(Field::capacity); !cap.empty()) {
      if (auto v = parse_capacity(cap)) {
        if (!(layout_.capacity_zero_unknown && *v == 0)) r.capacity = *v;
      } else {
        report_.warnings.push_back({row, column_name(Field::capacity) + " " + quote(cap) +
                                             " is not a number of people; capacity left empty"});
      }
    }

    // ---- code lists (tsunagi export, mapping) ----
    read_code(Field::venue, r.venue, row);
    read_code(Field::operator_type, r.operator_type, row);
    read_code(Field::publish, r.publish, row);
    read_code(Field::status, r.status, row);
    read_set(Field::targets, r.targets, row);
    read_set(Field::activities, r.activities, row);

    // ---- schedules ----
    read_schedules(r, reasons);

    if (reasons.empty()) {
      try {
        geo::validate(r);
      } catch (const geo::InvalidArgument& e) {
        reasons.emplace_back(e.what());
      }
    }
    if (!reasons.empty()) {
      std::string all;
      for (const auto& s : reasons) all += (all.empty() ? "" : "; ") + s;
      reject(row, std::move(all));
      return;
    }
    if (opt_.strict && !report_.rejected.empty()) return;  // will be rolled back: stop writing

    r.source_id = report_.source_id;
    writer_.push(std::move(r));
  }

  void read_coordinates(OGRFeature& /*f*/, const OGRGeometry* geom, geo::Resource& r,
                        std::vector<std::string>& reasons) {
    double x = 0, y = 0;
    bool have = false;
    if (!csv_ && geom != nullptr && !geom->IsEmpty()) {
      const auto type = wkbFlatten(geom->getGeometryType());
      if (type == wkbPoint) {
        const auto* p = geom->toPoint();
        x = p->getX();
        y = p->getY();
        have = true;
      } else if (type == wkbMultiPoint && geom->toMultiPoint()->getNumGeometries() == 1) {
        const auto* p = geom->toMultiPoint()->getGeometryRef(0);
        x = p->getX();
        y = p->getY();
        have = true;
      } else {
        reasons.push_back(std::string("has a ") + OGRGeometryTypeToName(type) +
                          " geometry; a resource needs a point");
        return;
      }
    } else if (layout_.has(Field::wkt) &&
               !(layout_.has(Field::lat) && !trim(cell(Field::lat)).empty())) {
      std::string error;
      const auto p = parse_wkt_point(cell(Field::wkt), error);
      if (!p) {
        reasons.push_back("column " + column_name(Field::wkt) + " " + error);
        return;
      }
      x = p->first;
      y = p->second;
      have = true;
    } else if (layout_.has(Field::lat) && layout_.has(Field::lon)) {
      const auto& lat_text = cell(Field::lat);
      const auto& lon_text = cell(Field::lon);
      if (trim(lat_text).empty() && trim(lon_text).empty()) {
        reasons.push_back("missing coordinates (" + column_name(Field::lat) + " and " +
                          column_name(Field::lon) + " are empty)");
        return;
      }
      const auto lat = parse_decimal(lat_text);
      const auto lon = parse_decimal(lon_text);
      if (!lat.value) reasons.push_back(column_name(Field::lat) + " " + lat.error);
      if (!lon.value) reasons.push_back(column_name(Field::lon) + " " + lon.error);
      if (!lat.value || !lon.value) return;
      x = *lon.value;
      y = *lat.value;
      have = true;
    }
    if (!have) {
      reasons.emplace_back("no coordinates (the feature has no geometry)");
      return;
    }
    if (ct_) {
      if (!ct_->Transform(1, &x, &y)) {
        reasons.push_back("coordinates (" + format_coordinate(x) + ", " + format_coordinate(y) +
                          ") cannot be transformed to EPSG:4326");
        return;
      }
    }
    if (std::string why = check_lon_lat(x, y); !why.empty()) {
      reasons.push_back(std::move(why));
      return;
    }
    if (std::string why = boundaries_.check(x, y); !why.empty()) {
      reasons.push_back(std::move(why));
      return;
    }
    r.lon = x;
    r.lat = y;
  }

  template <typename E>
  void read_code(Field fld, E& dst, std::int64_t row) {
    if (!layout_.has(fld)) return;
    const std::string v = text(fld);
    if (v.empty()) return;
    if (auto c = geo::parse_code<E>(v)) {
      dst = *c;
    } else {
      report_.warnings.push_back({row, column_name(fld) + " " + quote(v) + " is not one of " +
                                           geo::code_ids_joined<E>() + "; ignored"});
    }
  }

  template <typename E>
  void read_set(Field fld, geo::EnumSet<E>& dst, std::int64_t row) {
    if (!layout_.has(fld)) return;
    const std::string v = text(fld);
    if (v.empty()) return;
    geo::EnumSet<E> set;
    for (const auto& item : split_list(v)) {
      if (auto c = geo::parse_code<E>(item)) {
        set.insert(*c);
      } else {
        report_.warnings.push_back({row, column_name(fld) + " " + quote(item) + " is not one of " +
                                             geo::code_ids_joined<E>() + "; ignored"});
      }
    }
    dst = set;
  }

  void read_schedules(geo::Resource& r, std::vector<std::string>& reasons) {
    const std::string note = text(Field::schedule_note);
    if (const std::string s = text(Field::schedule); !s.empty()) {
      try {
        r.schedules = geo::parse_schedules(s);
      } catch (const geo::InvalidArgument& e) {
        reasons.push_back("the schedule " + quote(s) + " in column " +
                          column_name(Field::schedule) + " cannot be read: " + e.what());
      }
      return;
    }
    const std::string days = text(Field::weekdays);
    const std::string start = text(Field::start_time);
    const std::string end = text(Field::end_time);
    if (days.empty() && start.empty() && end.empty()) {
      if (!note.empty()) {
        // Only a remark such as 「24時間対応」: kept as an irregular schedule's note.
        geo::Schedule irregular;
        irregular.note = note;
        r.schedules = {irregular};
      }
      return;
    }
    try {
      r.schedules = geo::schedules_from_fields(days, start, end, note);
    } catch (const geo::InvalidArgument& e) {
      std::string what = "the days/times " + quote(days);
      if (!start.empty() || !end.empty()) what += " " + quote(start + "〜" + end);
      reasons.push_back(
          what + " (columns " + column_name(Field::weekdays) +
          (layout_.has(Field::start_time) ? ", " + column_name(Field::start_time) : "") +
          (layout_.has(Field::end_time) ? ", " + column_name(Field::end_time) : "") +
          ") cannot be read: " + e.what());
    }
  }

  const GdalSource& src_;
  const ResolvedLayout& layout_;
  const ImportOptions& opt_;
  const BoundaryCheck& boundaries_;
  FileReport& report_;
  const std::vector<std::string>& names_;
  bool csv_ = false;
  CtPtr ct_;
  std::vector<std::string> cells_;
  SeenIds seen_;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> lg_repairs_;  // note → first, count
  // Stores the checked rows on its own thread; declared last, so it is joined first.
  RowWriter writer_;
};

bool is_polygonal(OGRwkbGeometryType t) {
  const auto f = wkbFlatten(t);
  return f == wkbPolygon || f == wkbMultiPolygon;
}

}  // namespace

std::string default_source_key(const std::filesystem::path& file) {
  return file.stem().string();
}

FileReport import_resources(geo::Store& store, const std::filesystem::path& file,
                            const ImportOptions& options, const BoundaryCheck& boundaries) {
  FileReport report;
  report.file = file.string();
  const std::string started = geo::utc_now_iso();

  Encoding enc = options.encoding;
  if (enc == Encoding::auto_detect && options.mapping && options.mapping->encoding) {
    enc = *options.mapping->encoding;
  }
  GdalMessageCapture capture;
  GdalSource src = GdalSource::open(file, enc);
  report.format = std::string(format_name(src.format()));
  report.encoding = src.encoding_note();
  if (src.format() != SourceFormat::csv) report.row_word = "feature";
  for (const auto& w : src.warnings()) report.warnings.push_back({0, w});

  const bool has_geometry =
      src.format() != SourceFormat::csv && src.layer().GetLayerDefn()->GetGeomFieldCount() > 0;
  if (options.layout == LayoutKind::boundary ||
      (options.layout == LayoutKind::auto_detect && !options.mapping && has_geometry &&
       is_polygonal(src.layer().GetGeomType()))) {
    throw SourceError(file.filename().string() +
                      " holds polygons, not resource points; import a municipality boundary with "
                      "--boundary " +
                      file.string());
  }
  LayoutRequest req;
  req.layout = options.layout;
  req.kind = options.kind;
  req.kind_column = options.kind_column;
  req.mapping = options.mapping ? &*options.mapping : nullptr;
  const ResolvedLayout layout =
      resolve_layout(src.field_names(), has_geometry, req, file.filename().string());
  report.layout = layout.description;

  geo::SourceInfo info;
  info.key = options.source_key;
  if (info.key.empty() && options.mapping) info.key = options.mapping->source_key;
  if (info.key.empty()) info.key = default_source_key(file);
  report.source_key = info.key;
  if (auto existing = store.source_by_key(info.key)) info = *existing;
  auto set_if = [](std::string& dst, const std::string& a, const std::string& b) {
    if (!a.empty()) {
      dst = a;
    } else if (!b.empty()) {
      dst = b;
    }
  };
  const MappingFile empty_mapping;
  const MappingFile& m = options.mapping ? *options.mapping : empty_mapping;
  set_if(info.title, options.title, m.title);
  if (info.title.empty()) info.title = file.filename().string();
  set_if(info.license, options.license, m.license);
  set_if(info.attribution, options.attribution, m.attribution);
  set_if(info.publisher, std::string(), m.publisher);
  set_if(info.url, std::string(), m.url);
  set_if(info.vintage, std::string(), m.vintage);
  info.imported_at = started;
  report.source_id = store.upsert_source(info);

  // Rows this source brought last time, to report (or close) the ones missing now.
  const auto previous = store.source_keys(report.source_id);

  RowImporter rows(store, src, layout, options, boundaries, report, "import:" + info.key);
  rows.run();
  if (options.strict && !report.rejected.empty()) {
    report.strict_failed = true;
    report.inserted = report.updated = report.unchanged = 0;
  }
  for (const auto& m2 : capture.messages()) report.warnings.push_back({0, m2});

  if (!report.strict_failed) {
    const auto& seen = rows.seen_ids();
    for (const auto& [key, id] : previous) {
      if (seen.contains(key)) continue;
      MissingRow miss;
      miss.source_id = key;
      miss.resource_id = id;
      auto res = store.resource(id);
      if (res) miss.name = res->name;
      if (res && res->status == geo::ResourceStatus::closed) continue;  // closed before
      if (options.close_missing && res) {
        store.close(id, res->version, "import:" + info.key);
        miss.closed = true;
      }
      report.missing.push_back(std::move(miss));
    }
    geo::ImportRun run;
    run.source_id = report.source_id;
    run.started_at = started;
    run.finished_at = geo::utc_now_iso();
    run.inserted = report.inserted;
    run.updated = report.updated;
    run.unchanged = report.unchanged;
    run.rejected = static_cast<std::int64_t>(report.rejected.size());
    run.report_json = to_json(report).dump();
    store.record_import(run);
  }
  return report;
}

FileReport import_boundary(geo::Store& store, const std::filesystem::path& file,
                           std::string_view lg_code, const ImportOptions& credit) {
  FileReport report;
  report.file = file.string();
  report.row_word = "feature";
  GdalMessageCapture capture;
  GdalSource src = GdalSource::open(file, Encoding::auto_detect);
  report.format = std::string(format_name(src.format()));
  report.encoding = src.encoding_note();
  report.layout = "municipality boundary";
  OGRLayer& layer = src.layer();
  CtPtr ct;
  if (const OGRSpatialReference* srs = src.spatial_ref()) {
    ct = transform_to_wgs84(*srs, "the CRS of " + file.filename().string());
  }
  const int name_field = [&] {
    for (const char* n : {"name", "N03_004", "名称"}) {
      const int i = layer.GetLayerDefn()->GetFieldIndex(n);
      if (i >= 0) return i;
    }
    return -1;
  }();
  std::vector<geo::Geometry> parts;
  std::string name;
  std::int64_t index = 0;
  layer.ResetReading();
  for (;;) {
    OGRFeatureUniquePtr f = next_feature_or_throw(layer, file, "feature", index);
    if (!f) break;
    ++index;
    OGRGeometry* g = f->GetGeometryRef();
    if (g == nullptr || g->IsEmpty()) {
      report.warnings.push_back({index, "has no geometry; skipped"});
      continue;
    }
    if (!is_polygonal(g->getGeometryType())) {
      report.warnings.push_back({index, std::string("is a ") +
                                            OGRGeometryTypeToName(g->getGeometryType()) +
                                            ", not a polygon; skipped"});
      continue;
    }
    if (ct && g->transform(ct.get()) != OGRERR_NONE) {
      throw SourceError(file.filename().string() + " feature " + std::to_string(index) +
                        " cannot be transformed to EPSG:4326");
    }
    if (name.empty() && name_field >= 0 && f->IsFieldSetAndNotNull(name_field)) {
      name = f->GetFieldAsString(name_field);
    }
    std::string wkb(static_cast<std::size_t>(g->WkbSize()), '\0');
    g->exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(wkb.data()), wkbVariantIso);
    parts.push_back(geo::Geometry::from_wkb(wkb));
    (void)require_area_polygon(parts.back(), file.filename().string(), index,
                               name_field >= 0 && f->IsFieldSetAndNotNull(name_field)
                                   ? f->GetFieldAsString(name_field)
                                   : "municipality boundary");
  }
  if (parts.empty()) {
    throw SourceError(file.filename().string() +
                      " holds no polygons; a boundary file (N03 "
                      "GeoJSON, shapefile) has the municipality's area");
  }
  std::string code_text(lg_code);
  if (code_text.empty()) code_text = file.stem().string();
  geo::LgCode code;
  try {
    code = geo::parse_lg_code(code_text);
  } catch (const geo::InvalidArgument& e) {
    throw SourceError("cannot tell the municipality of " + file.filename().string() +
                      ": its name is not a 全国地方公共団体コード (" + e.what() +
                      "); pass --lg-code CODE");
  }
  // Its source, credited wherever the boundary is shown: 国土数値情報 N03 asks for its credit.
  geo::SourceInfo source;
  source.key = "boundary:" + code.code;
  source.imported_at = geo::utc_now_iso();
  if (credit.attribution.empty()) {
    // N03 (as MLIT publishes it, or as converted by others): the credit its terms ask for.
    source.title = "国土数値情報（行政区域データ）" + (name.empty() ? code.code : name);
    source.publisher = "国土交通省";
    source.url = "https://nlftp.mlit.go.jp/ksj/gml/datalist/KsjTmplt-N03-v3_1.html";
    source.license = "cc_by_4_0";
    source.attribution = "「国土数値情報（行政区域データ）」（国土交通省）を加工して作成";
    source.vintage = "n03";
  } else {
    source.title = !credit.title.empty() ? credit.title : "行政区域 " + file.filename().string();
    source.license = credit.license;
    source.attribution = credit.attribution;
  }
  const std::int64_t source_id = store.upsert_source(source);
  geo::Geometry dissolved = geo::Geometry::union_all(parts);
  if (!dissolved.is_valid()) dissolved = dissolved.make_valid();
  dissolved = dissolved.as_multi_polygon();
  geo::Area a;
  a.source_id = source_id;
  a.kind = geo::AreaKind::municipality;
  a.code = code.code;
  a.lg_code = code.code;
  a.id = "municipality:" + code.code;
  a.name = name.empty() ? code.code : name;
  a.vintage = "n03";
  a.wkb = dissolved.wkb();
  const auto [lx, ly] = dissolved.point_on_surface();
  a.label_lon = lx;
  a.label_lat = ly;
  store.put_area(a);
  report.area_id = a.id;
  report.polygons = static_cast<std::int64_t>(parts.size());
  report.rows_read = index;
  for (const auto& m : capture.messages()) report.warnings.push_back({0, m});
  return report;
}

BoundaryCheck load_boundaries(const geo::Store& store) {
  BoundaryCheck check;
  for (auto& a : store.areas(geo::AreaKind::municipality)) {
    if (a.wkb.empty()) continue;
    check.add(a.name + " (" + a.lg_code + ")", geo::Geometry::from_wkb(a.wkb));
  }
  return check;
}

ImportReport run_import(geo::Store& store, const std::vector<std::filesystem::path>& sources,
                        const RunOptions& options) {
  ImportReport report;
  bool failed = false;
  geo::Store::Transaction tx(store);
  for (const auto& b : options.boundaries) {
    try {
      report.files.push_back(import_boundary(store, b, options.boundary_lg_code, options.import));
    } catch (const geo::Error& e) {
      FileReport f;
      f.file = b.string();
      f.error = e.what();
      report.files.push_back(std::move(f));
      failed = true;
    }
  }
  if (!failed) {
    const BoundaryCheck boundaries = load_boundaries(store);
    for (const auto& s : sources) {
      try {
        report.files.push_back(import_resources(store, s, options.import, boundaries));
        if (report.files.back().strict_failed) failed = true;
      } catch (const geo::Error& e) {
        FileReport f;
        f.file = s.string();
        f.error = e.what();
        report.files.push_back(std::move(f));
        failed = true;
        break;  // nothing will be kept; no point reading further files
      }
    }
  }
  if (failed) {
    report.rolled_back = true;  // ~Transaction rolls back
  } else {
    tx.commit();
  }
  return report;
}

}  // namespace tsunagi::datasets
