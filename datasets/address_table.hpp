// Address tables for the geocoder: the Geolonia 住所データ files (one JSON array per municipality,
// {"town","koaza","lat","lng"}, named <都道府県>_<郡+市区町村>.json, or a GeoJSON of points with
// pref/city/lg_code5/town/koaza properties) and the demo town's own 町丁 label points.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "datasets/demo_town.hpp"
#include "geo/core/address.hpp"

namespace tsunagi::datasets {

struct AddressTable {
  std::vector<geo::AddressPoint> points;
  std::size_t rejected = 0;           ///< entries without a name or with a point outside Japan
  std::vector<std::string> problems;  ///< the first few rejections, for the report
};

/// Reads a Geolonia file. For a JSON array, `pref` and `city` default to the file name's
/// 「<都道府県>_<郡+市区町村>.json」 parts. @throws geo::InvalidArgument when the file cannot be
/// read, is not JSON of either shape, or names no city.
AddressTable read_geolonia_addresses(const std::filesystem::path& file, std::string pref = {},
                                     std::string city = {});

/// The demo town's address table: one point per 町丁 (its label point), city つなぎ町.
std::vector<geo::AddressPoint> demo_addresses(const DemoTown& town);

}  // namespace tsunagi::datasets
