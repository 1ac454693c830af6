// The JSON resource reader behind POST/PUT /api/resources: untrusted bytes → parse (depth,
// duplicate keys, overflow) → Resource → validate. Only geo::InvalidArgument may come out.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "geo/core/error.hpp"
#include "geo/core/json_input.hpp"
#include "geo/core/resource_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tsunagi::geo;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const nlohmann::json j = parse_untrusted_json(text, "the body");
    if (!j.is_object()) return 0;
    const Resource r = resource_from_json(j);
    // What was accepted must render (the API answers with it at once).
    (void)to_geojson_feature(r, View::public_view).dump();
    (void)to_json(r, View::staff).dump();
  } catch (const InvalidArgument&) {
  }
  return 0;
}
