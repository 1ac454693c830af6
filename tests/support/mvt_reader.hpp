// Reads a vector tile with GDAL's MVT driver — the reader of QGIS and ogr2ogr, not ours — so the
// tile tests check what a real client decodes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tsunagi::test {

struct DecodedFeature {
  std::string layer;
  std::uint64_t id = 0;                      ///< the MVT feature id (GDAL's mvt_id)
  std::map<std::string, std::string> props;  ///< every field as text
  std::string wkt;                           ///< geometry in EPSG:3857 metres
  std::string type;                          ///< "POINT", "POLYGON", "MULTIPOLYGON"…
};

/// Decodes `bytes` (uncompressed MVT) as tile z/x/y; `clip` = false reads the geometry as
/// written, buffer included (GDAL clips to the tile by default). @throws std::runtime_error when
/// GDAL cannot read it.
std::vector<DecodedFeature> decode_tile(std::string_view bytes, std::uint32_t z, std::uint32_t x,
                                        std::uint32_t y, bool clip = true);

/// gunzip of a gzip member (for responses with Content-Encoding: gzip).
std::string gunzip(std::string_view gz);

}  // namespace tsunagi::test
