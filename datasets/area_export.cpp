#include "datasets/area_export.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "datasets/gdal_source.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/core/csv.hpp"
#include "geo/spatial/wkb_geojson.hpp"

namespace tsunagi::datasets {

namespace {

std::string number(double v) {
  char buf[32];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, ptr) : std::string();
}

std::filesystem::path temp_beside(const std::filesystem::path& out) {
  auto tmp = out;
  tmp += ".tmp-" + std::to_string(::getpid());
  if (out.has_extension()) tmp += out.extension();
  return tmp;
}

/// What the file holds: the visible columns and, per area, its figures by column.
struct Table {
  std::vector<const geo::IndicatorTable::Column*> columns;
  std::vector<std::vector<std::optional<geo::AreaFigure>>> figures;  // [area][column]
  std::set<std::int64_t> source_ids;
};

Table collect(const geo::AreaLayer& layer, geo::Audience a) {
  Table t;
  const auto& it = layer.indicators();
  std::map<std::string_view, std::size_t> pos;
  for (const auto& c : it.columns()) {
    if (!geo::column_visible(a, c)) continue;
    pos[c.key] = t.columns.size();
    t.columns.push_back(&c);
    if (c.source_id > 0) t.source_ids.insert(c.source_id);
  }
  for (std::size_t i = 0; i < layer.areas().size(); ++i) {
    std::vector<std::optional<geo::AreaFigure>> row(t.columns.size());
    for (const auto& f : geo::served_area_figures(a, it, i)) {
      const auto p = pos.find(f.key());
      if (p != pos.end()) row[p->second] = f;
    }
    t.figures.push_back(std::move(row));
    if (layer.areas()[i].source_id > 0) t.source_ids.insert(layer.areas()[i].source_id);
  }
  return t;
}

std::vector<geo::SourceInfo> sources_of(const geo::Store& store, const Table& t) {
  std::vector<geo::SourceInfo> out;
  for (const auto id : t.source_ids) {
    if (auto s = store.source_by_id(id)) out.push_back(std::move(*s));
  }
  return out;
}

const char* const kAreaColumns[] = {"id",          "kind",      "level",    "code",
                                    "name",        "parent_id", "lg_code",  "vintage",
                                    "approximate", "label_lon", "label_lat"};

std::vector<std::string> area_values(const geo::Area& a) {
  return {a.id,
          std::string(geo::code_id(a.kind)),
          std::string(geo::small_area_level_id(a.level)),
          a.code,
          a.name,
          a.parent_id,
          a.lg_code,
          a.vintage,
          a.approximate ? "true" : "false",
          number(a.label_lon),
          number(a.label_lat)};
}

void write_csv(const geo::AreaLayer& layer, const Table& t, const std::filesystem::path& tmp) {
  std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
  if (!f) throw geo::InvalidArgument("cannot write " + tmp.string());
  std::string line(geo::csv::kBom);  // Excel then reads UTF-8
  bool first = true;
  for (const char* c : kAreaColumns) {
    if (!first) line += ',';
    first = false;
    geo::csv::append_cell(line, c);
  }
  for (const auto* c : t.columns) {
    for (const char* suffix : {"", "_status", "_merged"}) {
      line += ',';
      geo::csv::append_cell(line, c->key + suffix);
    }
  }
  line += "\r\n";
  f << line;
  for (std::size_t i = 0; i < layer.areas().size(); ++i) {
    line.clear();
    first = true;
    for (const auto& v : area_values(layer.areas()[i])) {
      if (!first) line += ',';
      first = false;
      geo::csv::append_cell(line, v);
    }
    for (const auto& fig : t.figures[i]) {
      line += ',';
      if (fig && fig->value) geo::csv::append_cell(line, number(*fig->value));
      line += ',';
      if (fig && fig->status != geo::StatStatus::value) {
        geo::csv::append_cell(line, geo::stat_status_id(fig->status));
      }
      line += ',';
      if (fig) geo::csv::append_cell(line, fig->merged);
    }
    line += "\r\n";
    f << line;
  }
  f.close();
  if (!f) throw geo::InvalidArgument("cannot write " + tmp.string() + " (disk full?)");
}

std::string sources_text(const std::vector<geo::SourceInfo>& sources, geo::Audience a) {
  std::string out = "出典 (tsunagi export --layer areas, " + std::string(geo::audience_id(a)) +
                    " view: " + std::string(view_label(a)) + ")\r\n";
  // Each credit once (several files of one publisher often share it), with the files it covers.
  std::vector<std::size_t> order;
  std::map<std::string, std::vector<std::size_t>> by_credit;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const auto& s = sources[i];
    const std::string key = s.publisher + "\n" + (s.attribution.empty() ? s.title : s.attribution);
    auto& members = by_credit[key];
    if (members.empty()) order.push_back(i);
    members.push_back(i);
  }
  for (const auto first : order) {
    const auto& s = sources[first];
    const auto& members =
        by_credit[s.publisher + "\n" + (s.attribution.empty() ? s.title : s.attribution)];
    out += "\r\n" + (s.attribution.empty() ? s.title : s.attribution) + "\r\n";
    if (!s.publisher.empty()) out += "  提供: " + s.publisher + "\r\n";
    if (!s.license.empty()) out += "  ライセンス: " + s.license + "\r\n";
    if (!s.url.empty()) out += "  " + s.url + "\r\n";
    for (const auto i : members) out += "  - " + sources[i].title + "\r\n";
  }
  return out;
}

nlohmann::json sources_json(const std::vector<geo::SourceInfo>& sources) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& s : sources) {
    arr.push_back({{"id", s.id},
                   {"title", s.title},
                   {"publisher", s.publisher},
                   {"license", s.license},
                   {"attribution", s.attribution},
                   {"url", s.url},
                   {"vintage", s.vintage}});
  }
  return arr;
}

void write_geojson(const geo::AreaLayer& layer, const Table& t,
                   const std::vector<geo::SourceInfo>& sources, geo::Audience a,
                   const std::filesystem::path& tmp) {
  std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
  if (!f) throw geo::InvalidArgument("cannot write " + tmp.string());
  f << "{\"type\":\"FeatureCollection\",\"tsunagi:view\":\"" << geo::audience_id(a)
    << "\",\"sources\":" << sources_json(sources).dump() << ",\"features\":[\n";
  for (std::size_t i = 0; i < layer.areas().size(); ++i) {
    const geo::Area& area = layer.areas()[i];
    nlohmann::json props = {{"id", area.id},
                            {"kind", geo::code_id(area.kind)},
                            {"level", geo::small_area_level_id(area.level)},
                            {"code", area.code},
                            {"name", area.name},
                            {"parent_id", area.parent_id},
                            {"lg_code", area.lg_code},
                            {"vintage", area.vintage},
                            {"approximate", area.approximate},
                            {"label_lon", area.label_lon},
                            {"label_lat", area.label_lat}};
    std::vector<geo::AreaFigure> figs;
    for (const auto& fig : t.figures[i]) {
      if (fig) figs.push_back(*fig);
    }
    geo::add_figure_properties(props, figs);
    nlohmann::json feat = {{"type", "Feature"},
                           {"id", area.id},
                           {"geometry", area.wkb.empty() ? nlohmann::json(nullptr)
                                                         : geo::wkb_to_geojson(area.wkb).geometry},
                           {"properties", std::move(props)}};
    if (i > 0) f << ",\n";
    f << feat.dump();
  }
  f << "\n]}\n";
  f.close();
  if (!f) throw geo::InvalidArgument("cannot write " + tmp.string() + " (disk full?)");
}

void write_gpkg(const geo::AreaLayer& layer, const Table& t,
                const std::vector<geo::SourceInfo>& sources, geo::Audience a,
                const std::filesystem::path& tmp) {
  ensure_gdal_registered();
  GdalMessageCapture capture;
  GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
  if (drv == nullptr) throw geo::InvalidArgument("GDAL has no GPKG driver");
  GDALDatasetUniquePtr ds(drv->Create(tmp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) {
    throw geo::InvalidArgument("cannot create " + tmp.string() + ": " + capture.last_error());
  }
  OGRSpatialReference srs;
  srs.importFromEPSG(4326);
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  const std::string description = "DESCRIPTION=" + std::string(view_label(a)) +
                                  ": area figures the " + std::string(geo::audience_id(a)) +
                                  " audience may see; sources in the table 'sources'";
  const char* layer_opts[] = {"FID=fid", "GEOMETRY_NAME=geom", description.c_str(), nullptr};
  OGRLayer* layer_out =
      ds->CreateLayer("areas", &srs, wkbMultiPolygon, const_cast<char**>(layer_opts));
  if (layer_out == nullptr) throw geo::InvalidArgument("cannot create the GeoPackage layer");
  auto field = [&](OGRLayer* l, const std::string& name, OGRFieldType type) {
    OGRFieldDefn fd(name.c_str(), type);
    if (l->CreateField(&fd) != OGRERR_NONE) {
      throw geo::InvalidArgument("cannot create the GeoPackage field " + name);
    }
  };
  for (const char* c : kAreaColumns) {
    const std::string_view n(c);
    field(layer_out, c,
          n == "label_lon" || n == "label_lat" ? OFTReal
          : n == "approximate"                 ? OFTInteger
                                               : OFTString);
  }
  for (const auto* c : t.columns) {
    field(layer_out, c->key, OFTReal);
    field(layer_out, c->key + "_status", OFTString);
    field(layer_out, c->key + "_merged", OFTString);
  }
  ds->StartTransaction();
  OGRFeatureDefn* defn = layer_out->GetLayerDefn();
  for (std::size_t i = 0; i < layer.areas().size(); ++i) {
    const geo::Area& area = layer.areas()[i];
    OGRFeature feat(defn);
    const auto vals = area_values(area);
    for (std::size_t k = 0; k < vals.size(); ++k) {
      const std::string_view n(kAreaColumns[k]);
      if (n == "label_lon") {
        feat.SetField(kAreaColumns[k], area.label_lon);
      } else if (n == "label_lat") {
        feat.SetField(kAreaColumns[k], area.label_lat);
      } else if (n == "approximate") {
        feat.SetField(kAreaColumns[k], area.approximate ? 1 : 0);
      } else {
        feat.SetField(kAreaColumns[k], vals[k].c_str());
      }
    }
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      const auto& fig = t.figures[i][c];
      if (!fig) continue;
      if (fig->value) feat.SetField(t.columns[c]->key.c_str(), *fig->value);
      if (fig->status != geo::StatStatus::value) {
        feat.SetField((t.columns[c]->key + "_status").c_str(),
                      std::string(geo::stat_status_id(fig->status)).c_str());
      }
      if (!fig->merged.empty()) {
        feat.SetField((t.columns[c]->key + "_merged").c_str(), std::string(fig->merged).c_str());
      }
    }
    if (!area.wkb.empty()) {
      OGRGeometry* g = nullptr;
      if (OGRGeometryFactory::createFromWkb(area.wkb.data(), nullptr, &g, area.wkb.size()) ==
              OGRERR_NONE &&
          g != nullptr) {
        feat.SetGeometryDirectly(g);
      }
    }
    if (layer_out->CreateFeature(&feat) != OGRERR_NONE) {
      throw geo::InvalidArgument("cannot write a GeoPackage feature: " + capture.last_error());
    }
  }
  OGRLayer* src_layer = ds->CreateLayer("sources", nullptr, wkbNone, nullptr);
  if (src_layer == nullptr) throw geo::InvalidArgument("cannot create the table 'sources'");
  for (const char* c : {"title", "publisher", "license", "attribution", "url", "vintage"}) {
    field(src_layer, c, OFTString);
  }
  for (const auto& s : sources) {
    OGRFeature feat(src_layer->GetLayerDefn());
    feat.SetField("title", s.title.c_str());
    feat.SetField("publisher", s.publisher.c_str());
    feat.SetField("license", s.license.c_str());
    feat.SetField("attribution", s.attribution.c_str());
    feat.SetField("url", s.url.c_str());
    feat.SetField("vintage", s.vintage.c_str());
    if (src_layer->CreateFeature(&feat) != OGRERR_NONE) {
      throw geo::InvalidArgument("cannot write the table 'sources': " + capture.last_error());
    }
  }
  if (ds->CommitTransaction() != OGRERR_NONE) {
    throw geo::InvalidArgument("cannot write " + tmp.string() + ": " + capture.last_error());
  }
  ds.reset();
}

void commit_file(const std::filesystem::path& tmp, const std::filesystem::path& out) {
  std::error_code ec;
  std::filesystem::rename(tmp, out, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw geo::InvalidArgument("cannot write " + out.string() + ": " + ec.message());
  }
}

}  // namespace

std::filesystem::path sources_sidecar(const std::filesystem::path& csv) {
  auto p = csv;
  p += ".sources.txt";
  return p;
}

std::int64_t export_areas(const geo::Store& store, const std::filesystem::path& out,
                          ExportFormat format, geo::Audience audience) {
  // The same area layer every route serves from.
  const auto snapshot = geo::Snapshot::build(store);
  const geo::AreaLayer& layer = *snapshot->area_layer();
  const Table t = collect(layer, audience);
  const auto sources = sources_of(store, t);
  const auto tmp = temp_beside(out);
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  try {
    switch (format) {
      case ExportFormat::csv: {
        write_csv(layer, t, tmp);
        const auto side = sources_sidecar(out);
        const auto side_tmp = temp_beside(side);
        {
          std::ofstream f(side_tmp, std::ios::binary | std::ios::trunc);
          f << "\xEF\xBB\xBF" << sources_text(sources, audience);
          f.close();
          if (!f) throw geo::InvalidArgument("cannot write " + side_tmp.string());
        }
        commit_file(side_tmp, side);
        break;
      }
      case ExportFormat::geojson:
        write_geojson(layer, t, sources, audience, tmp);
        break;
      case ExportFormat::gpkg:
        write_gpkg(layer, t, sources, audience, tmp);
        break;
    }
  } catch (...) {
    std::filesystem::remove(tmp, ec);
    throw;
  }
  commit_file(tmp, out);
  return static_cast<std::int64_t>(layer.areas().size());
}

}  // namespace tsunagi::datasets
