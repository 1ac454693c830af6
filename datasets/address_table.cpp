#include "datasets/address_table.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "geo/core/error.hpp"
#include "geo/core/japan_extent.hpp"
#include "geo/core/text_normalize.hpp"

namespace tsunagi::datasets {

namespace {

using nlohmann::json;

std::string string_of(const json& o, const char* key) {
  const auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<double> number_of(const json& o, const char* key) {
  const auto it = o.find(key);
  if (it == o.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

void add(AddressTable& t, geo::AddressPoint p, std::size_t index) {
  std::string why;
  if (p.city.empty())
    why = "no city (give --address-city, or name the file <都道府県>_<市区町村>.json)";
  if (p.town.empty()) why = "no town (町丁目/大字) name";
  if (!geo::lon_in_japan(p.lon) || !geo::lat_in_japan(p.lat)) {
    why = "a point outside Japan (" + std::string(geo::kJapanExtentText) + ")";
  }
  if (!why.empty()) {
    ++t.rejected;
    if (t.problems.size() < 20)
      t.problems.push_back("entry " + std::to_string(index + 1) + ": " + why);
    return;
  }
  t.points.push_back(std::move(p));
}

}  // namespace

AddressTable read_geolonia_addresses(const std::filesystem::path& file, std::string pref,
                                     std::string city) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw geo::InvalidArgument("cannot read " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  if (!geo::is_valid_utf8(text)) throw geo::InvalidArgument(file.string() + " is not UTF-8");
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw geo::InvalidArgument(file.string() + " is not JSON");
  AddressTable t;
  if (j.is_array()) {
    if (pref.empty() && city.empty()) {
      const std::string stem = file.stem().string();
      const auto cut = stem.find('_');
      if (cut != std::string::npos) {
        pref = stem.substr(0, cut);
        city = stem.substr(cut + 1);
      }
    }
    if (city.empty()) {
      throw geo::InvalidArgument(file.string() +
                                 ": which city is this? name the file <都道府県>_<市区町村>.json "
                                 "or give --address-city");
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      const json& e = j[i];
      if (!e.is_object()) {
        ++t.rejected;
        continue;
      }
      const auto lat = number_of(e, "lat");
      const auto lng = number_of(e, "lng");
      add(t,
          {"", pref, city, string_of(e, "town"), string_of(e, "koaza"), lng.value_or(1e9),
           lat.value_or(1e9)},
          i);
    }
    return t;
  }
  if (j.is_object() && string_of(j, "type") == "FeatureCollection" && j.contains("features") &&
      j["features"].is_array()) {
    const json& features = j["features"];
    for (std::size_t i = 0; i < features.size(); ++i) {
      const json& f = features[i];
      const json props = f.is_object() && f.contains("properties") && f["properties"].is_object()
                             ? f["properties"]
                             : json::object();
      double lon = 1e9;
      double lat = 1e9;
      if (f.is_object() && f.contains("geometry") && f["geometry"].is_object()) {
        const json& g = f["geometry"];
        if (string_of(g, "type") == "Point" && g.contains("coordinates") &&
            g["coordinates"].is_array() && g["coordinates"].size() >= 2 &&
            g["coordinates"][0].is_number() && g["coordinates"][1].is_number()) {
          lon = g["coordinates"][0].get<double>();
          lat = g["coordinates"][1].get<double>();
        }
      }
      std::string p_pref = string_of(props, "pref");
      std::string p_city = string_of(props, "city");
      if (p_pref.empty()) p_pref = pref;
      if (p_city.empty()) p_city = city;
      add(t,
          {string_of(props, "lg_code5"), p_pref, p_city, string_of(props, "town"),
           string_of(props, "koaza"), lon, lat},
          i);
    }
    return t;
  }
  throw geo::InvalidArgument(file.string() +
                             ": expected a Geolonia address file (a JSON array of {town, koaza, "
                             "lat, lng}) or a GeoJSON FeatureCollection of points");
}

std::vector<geo::AddressPoint> demo_addresses(const DemoTown& town) {
  std::vector<geo::AddressPoint> out;
  // The town's name without the （架空） mark, as its addresses are written before the mark.
  std::string city = town.town.name;
  if (const auto cut = city.find("（"); cut != std::string::npos) city.resize(cut);
  for (const auto& c : town.chome) {
    out.push_back({"", "", city, c.name, "", c.label_lon, c.label_lat});
  }
  return out;
}

}  // namespace tsunagi::datasets
