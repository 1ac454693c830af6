// Cold tile timing: builds each tile of a list from a store with the tile cache off, as the
// server does on a cache miss (tiles/TileService::build: select, filter, cluster or clip,
// encode, gzip), and prints one line per tile: z x y features gzip_bytes microseconds
// raw_microseconds (the last: the MVT bytes alone, without gzip, as PostGIS's ST_AsMVT returns
// them). bench/run and bench/tiles_bench.sh run it beside ST_AsMVT on the same tiles.
//
// usage: tsunagi_tile_timing --db FILE --layer resources|areas [--audience public|internal]
//                            [--repeat N] [--fields all|KEY,KEY…|""] < tiles.txt
//        (lines "z x y"; --fields: the figures of area tiles, as the tile URL's fields=; all)
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "geo/catalog/snapshot.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/store/store.hpp"
#include "tiles/tile_service.hpp"

int main(int argc, char** argv) {
  using namespace tsunagi;
  std::string db;
  std::string layer_name = "resources";
  geo::Audience audience = geo::Audience::public_;
  int repeat = 3;
  std::string fields = "all";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--db") {
      db = argv[i + 1];
    } else if (a == "--layer") {
      layer_name = argv[i + 1];
    } else if (a == "--audience") {
      audience = geo::parse_audience(argv[i + 1]).value_or(geo::Audience::public_);
    } else if (a == "--fields") {
      fields = argv[i + 1];
    } else if (a == "--repeat") {
      repeat = std::max(1, std::stoi(argv[i + 1]));
    }
  }
  const auto layer = tiles::parse_layer(layer_name);
  if (db.empty() || !layer) {
    std::fprintf(stderr, "usage: tsunagi_tile_timing --db FILE --layer resources|areas\n");
    return 2;
  }
  const geo::Store store = geo::Store::open(db, geo::Store::Mode::read_only);
  const auto snap = geo::Snapshot::build(store);
  tiles::TileService service(0);
  tiles::AreaFields area_fields;
  try {
    area_fields = tiles::AreaFields::parse(*snap->area_layer(), audience, fields);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tsunagi_tile_timing: %s\n", e.what());
    return 2;
  }
  std::vector<tiles::TileId> list;
  std::uint32_t z = 0;
  std::uint32_t x = 0;
  std::uint32_t y = 0;
  while (std::cin >> z >> x >> y) list.push_back(tiles::make_tile(z, x, y));
  // Warm what is built once per snapshot (the Z-order index, projected and simplified areas):
  // the server builds it once per data change, not per tile.
  for (std::uint32_t wz = 0; wz <= 16; ++wz) {
    (void)service.build(*snap, *layer, tiles::tile_at(139.7, 35.7, wz), audience, {}, area_fields);
  }
  const geo::ResourceQuery everything;
  for (const auto& t : list) {
    // Best of `repeat`: the tile as the server builds it on a miss (encode, gzip, entity tag),
    // and its raw MVT alone (what PostGIS's ST_AsMVT returns).
    double best = 1e18;
    double best_raw = 1e18;
    std::size_t features = 0;
    std::size_t bytes = 0;
    for (int k = 0; k < repeat; ++k) {
      auto start = std::chrono::steady_clock::now();
      const auto tile = service.build(*snap, *layer, t, audience, everything, area_fields);
      best = std::min(
          best, std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                    .count());
      features = tile->features;
      bytes = tile->gzip.size();
      start = std::chrono::steady_clock::now();
      const auto raw = service.encode(*snap, *layer, t, audience, everything, area_fields);
      best_raw = std::min(best_raw, std::chrono::duration<double, std::micro>(
                                        std::chrono::steady_clock::now() - start)
                                        .count());
      if (raw.first.size() != tile->mvt.size()) {
        std::fprintf(stderr, "tsunagi_tile_timing: encode and build disagree at %u/%u/%u\n", t.z,
                     t.x, t.y);
        return 1;
      }
    }
    std::printf("%u %u %u %zu %zu %.1f %.1f\n", t.z, t.x, t.y, features, bytes, best, best_raw);
  }
  return 0;
}
