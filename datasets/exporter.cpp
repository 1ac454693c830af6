#include "datasets/exporter.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "datasets/gdal_source.hpp"
#include "datasets/layouts.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/core/csv.hpp"
#include "geo/core/resource_json.hpp"

namespace tsunagi::datasets {

namespace {

std::string number(double v) {
  char buf[32];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact form
  return ec == std::errc() ? std::string(buf, ptr) : std::string();
}

template <typename E>
std::string labels(geo::EnumSet<E> set) {
  std::string out;
  set.for_each([&](E v) {
    if (!out.empty()) out += "、";
    out += geo::code_ja(v);
  });
  return out;
}

std::string schedules_text(const std::vector<geo::Schedule>& schedules) {
  std::string out;
  for (const auto& s : schedules) {
    if (!out.empty()) out += "／";
    out += s.to_japanese();
  }
  return out;
}

std::string field_value(const geo::Resource& r, Field f) {
  switch (f) {
    case Field::source_id:
      return r.id;
    case Field::name:
      return r.name;
    case Field::name_kana:
      return r.name_kana;
    case Field::kind:
      return std::string(geo::code_ja(r.kind));
    case Field::subtype:
      return r.subtype;
    case Field::description:
      return r.description;
    case Field::address:
      return r.address;
    case Field::building:
      return r.building;
    case Field::lat:
      return number(r.lat);
    case Field::lon:
      return number(r.lon);
    case Field::lg_code:
      return r.lg_code;
    case Field::phone:
      return r.phone;
    case Field::fax:
      return r.fax;
    case Field::email:
      return r.email;
    case Field::url:
      return r.url;
    case Field::capacity:
      return r.capacity ? std::to_string(*r.capacity) : std::string();
    case Field::schedule:
      return schedules_text(r.schedules);
    case Field::fee_note:
      return r.fee_note;
    case Field::parking:
      return r.parking;
    case Field::note:
      return r.note;
    case Field::operator_type:
      return r.operator_type == geo::OperatorType::unknown
                 ? std::string()
                 : std::string(geo::code_ja(r.operator_type));
    case Field::operator_name:
      return r.operator_name;
    case Field::corporate_number:
      return r.corporate_number;
    case Field::official_id:
      return r.official_id;
    case Field::targets:
      return labels(r.targets);
    case Field::activities:
      return labels(r.activities);
    case Field::venue:
      return r.venue == geo::VenueKind::unknown ? std::string()
                                                : std::string(geo::code_ja(r.venue));
    case Field::publish:
      return std::string(geo::code_ja(r.publish));
    case Field::status:
      return std::string(geo::code_ja(r.status));
    case Field::verified_at:
      return r.verified_at;
    case Field::wkt:
    case Field::weekdays:
    case Field::start_time:
    case Field::end_time:
    case Field::schedule_note:
    case Field::count_:
      break;
  }
  return {};
}

bool selected(const geo::Resource& r, const ExportOptions& o) {
  if (o.kind && r.kind != *o.kind) return false;
  if (!o.include_closed && r.status == geo::ResourceStatus::closed) return false;
  return true;
}

std::filesystem::path temp_beside(const std::filesystem::path& out) {
  auto tmp = out;
  tmp += ".tmp-" + std::to_string(::getpid());
  if (out.has_extension()) tmp += out.extension();  // GDAL picks drivers by extension
  return tmp;
}

/// Calls f(r) for every resource of the view that the options select, in id order.
template <typename F>
void for_each_selected(const geo::AudienceView& view, const ExportOptions& o, F&& f) {
  for (const auto& item : view.items()) {
    if (selected(item->resource(), o)) f(*item);
  }
}

std::int64_t write_text(const geo::AudienceView& view, const std::filesystem::path& tmp,
                        const ExportOptions& o) {
  std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
  if (!f) throw geo::InvalidArgument("cannot write " + tmp.string());
  std::int64_t n = 0;
  std::string line;
  if (o.format == ExportFormat::csv) {
    f << "\xEF\xBB\xBF" << export_csv_header() << ',' << kViewColumn
      << "\r\n";  // BOM: Excel then reads UTF-8
    const std::string_view label = view_label(o.view);
    for_each_selected(view, o, [&](const geo::ServedResource& item) {
      line = export_csv_row(item.resource());
      line += ',';
      line += label;
      line += "\r\n";
      f.write(line.data(), static_cast<std::streamsize>(line.size()));
      ++n;
    });
  } else {
    f << "{\"type\":\"FeatureCollection\",\"tsunagi:view\":\"" << geo::audience_id(o.view)
      << "\",\"features\":[\n";
    for_each_selected(view, o, [&](const geo::ServedResource& item) {
      if (n > 0) f << ",\n";
      f << item.feature();
      ++n;
    });
    f << "\n]}\n";
  }
  f.close();
  if (!f) throw geo::InvalidArgument("cannot write " + tmp.string() + " (disk full?)");
  return n;
}

std::int64_t write_gpkg(const geo::AudienceView& view, const std::filesystem::path& tmp,
                        const ExportOptions& o) {
  ensure_gdal_registered();
  GdalMessageCapture capture;
  GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
  if (drv == nullptr) throw geo::InvalidArgument("GDAL has no GPKG driver");
  GDALDatasetUniquePtr ds(drv->Create(tmp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds)
    throw geo::InvalidArgument("cannot create " + tmp.string() + ": " + capture.last_error());
  OGRSpatialReference srs;
  srs.importFromEPSG(4326);
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  const std::string identifier =
      "IDENTIFIER=tsunagi resources (" + std::string(geo::audience_id(o.view)) + " view)";
  const std::string description = "DESCRIPTION=" + std::string(view_label(o.view)) + ": what the " +
                                  std::string(geo::audience_id(o.view)) +
                                  " audience may see (tsunagi export --view " +
                                  std::string(geo::audience_id(o.view)) + ")";
  const char* layer_opts[] = {"FID=fid", "GEOMETRY_NAME=geom", identifier.c_str(),
                              description.c_str(), nullptr};
  OGRLayer* layer = ds->CreateLayer("resources", &srs, wkbPoint, const_cast<char**>(layer_opts));
  if (layer == nullptr) throw geo::InvalidArgument("cannot create the GeoPackage layer");
  struct Col {
    const char* name;
    OGRFieldType type;
  };
  const Col cols[] = {
      {"id", OFTString},           {"kind", OFTString},        {"kind_ja", OFTString},
      {"subtype", OFTString},      {"name", OFTString},        {"name_kana", OFTString},
      {"address", OFTString},      {"building", OFTString},    {"lg_code", OFTString},
      {"phone", OFTString},        {"fax", OFTString},         {"email", OFTString},
      {"url", OFTString},          {"capacity", OFTInteger},   {"targets", OFTString},
      {"activities", OFTString},   {"schedules", OFTString},   {"publish", OFTString},
      {"status", OFTString},       {"verified_at", OFTString}, {"note", OFTString},
      {"source_id", OFTInteger64}, {"source_key", OFTString},
  };
  for (const auto& c : cols) {
    OGRFieldDefn fd(c.name, c.type);
    if (layer->CreateField(&fd) != OGRERR_NONE) {
      throw geo::InvalidArgument(std::string("cannot create the GeoPackage field ") + c.name);
    }
  }
  // The fields whose export the field table gives, as text under their keys.
  std::vector<std::string> table_names;
  for (const auto* f : table_io_fields()) {
    table_names.emplace_back(f->key);
    OGRFieldDefn fd(table_names.back().c_str(), OFTString);
    if (layer->CreateField(&fd) != OGRERR_NONE) {
      throw geo::InvalidArgument("cannot create the GeoPackage field " + table_names.back());
    }
  }
  std::int64_t n = 0;
  ds->StartTransaction();
  OGRFeatureDefn* defn = layer->GetLayerDefn();
  for_each_selected(view, o, [&](const geo::ServedResource& item) {
    const geo::Resource& r = item.resource();
    OGRFeature feat(defn);
    feat.SetField("id", r.id.c_str());
    feat.SetField("kind", std::string(geo::code_id(r.kind)).c_str());
    feat.SetField("kind_ja", std::string(geo::code_ja(r.kind)).c_str());
    feat.SetField("subtype", r.subtype.c_str());
    feat.SetField("name", r.name.c_str());
    feat.SetField("name_kana", r.name_kana.c_str());
    feat.SetField("address", r.address.c_str());
    feat.SetField("building", r.building.c_str());
    feat.SetField("lg_code", r.lg_code.c_str());
    feat.SetField("phone", r.phone.c_str());
    feat.SetField("fax", r.fax.c_str());
    feat.SetField("email", r.email.c_str());
    feat.SetField("url", r.url.c_str());
    if (r.capacity) feat.SetField("capacity", *r.capacity);
    feat.SetField("targets", geo::code_ids(r.targets).c_str());
    feat.SetField("activities", geo::code_ids(r.activities).c_str());
    feat.SetField("schedules", schedules_text(r.schedules).c_str());
    feat.SetField("publish", std::string(geo::code_id(r.publish)).c_str());
    feat.SetField("status", std::string(geo::code_id(r.status)).c_str());
    feat.SetField("verified_at", r.verified_at.c_str());
    feat.SetField("note", r.note.c_str());
    feat.SetField("source_id", static_cast<GIntBig>(r.source_id));
    feat.SetField("source_key", r.source_key.c_str());
    for (std::size_t i = 0; i < table_names.size(); ++i) {
      feat.SetField(table_names[i].c_str(), geo::field_text(*table_io_fields()[i], r).c_str());
    }
    OGRPoint pt(r.lon, r.lat);
    feat.SetGeometry(&pt);
    if (layer->CreateFeature(&feat) != OGRERR_NONE) {
      throw geo::InvalidArgument("cannot write a GeoPackage feature: " + capture.last_error());
    }
    ++n;
  });
  if (ds->CommitTransaction() != OGRERR_NONE) {
    throw geo::InvalidArgument("cannot write " + tmp.string() + ": " + capture.last_error());
  }
  ds.reset();
  return n;
}

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view text) {
  if (text == "csv") return ExportFormat::csv;
  if (text == "geojson") return ExportFormat::geojson;
  if (text == "gpkg") return ExportFormat::gpkg;
  return std::nullopt;
}

std::string export_csv_header() {
  std::string out;
  for (const auto& [header, field] : tsunagi_export_columns()) {
    if (!out.empty()) out += ',';
    geo::csv::append_cell(out, header);
  }
  for (const auto* f : table_io_fields()) {
    out += ',';
    geo::csv::append_cell(out, f->label);
  }
  return out;
}

std::string export_csv_row(const geo::Resource& r) {
  std::string out;
  bool first = true;
  for (const auto& [header, field] : tsunagi_export_columns()) {
    if (!first) out += ',';
    first = false;
    geo::csv::append_cell(out, field_value(r, field));
  }
  for (const auto* f : table_io_fields()) {
    out += ',';
    geo::csv::append_cell(out, geo::field_text(*f, r));
  }
  return out;
}

std::string_view view_label(geo::Audience view) {
  switch (view) {
    case geo::Audience::public_:
      return "一般公開用";
    case geo::Audience::partners:
      return "関係機関用";
    case geo::Audience::internal:
      return "内部用";
  }
  return "一般公開用";
}

std::int64_t export_resources(const geo::Store& store, const std::filesystem::path& out,
                              const ExportOptions& options) {
  // The same projection every route serves from: what the chosen audience may know, no more.
  const auto snapshot = geo::Snapshot::build(store, nullptr, options.freshness);
  const geo::AudienceView& view = snapshot->view(options.view);
  const auto tmp = temp_beside(out);
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  std::int64_t n = 0;
  try {
    n = options.format == ExportFormat::gpkg ? write_gpkg(view, tmp, options)
                                             : write_text(view, tmp, options);
  } catch (...) {
    std::filesystem::remove(tmp, ec);
    throw;
  }
  std::filesystem::rename(tmp, out, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw geo::InvalidArgument("cannot write " + out.string() + ": " + ec.message());
  }
  return n;
}

}  // namespace tsunagi::datasets
