// Decoding of what Pistache hands over raw: the path, its segments and the query (percent
// decoding, UTF-8 validation). Errors are ApiErrors with a message, never anything else.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/errors.hpp"
#include "server/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tsunagi::server;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto q = QueryParams::parse(text);
    for (const auto& [k, v] : q.items()) (void)percent_encode(k + v);
  } catch (const ApiError&) {
  }
  try {
    (void)split_path(text);
  } catch (const ApiError&) {
  }
  try {
    (void)percent_decode(text, true, "fuzz");
  } catch (const ApiError&) {
  }
  (void)query_keys_for_log(text);
  (void)is_valid_utf8(text);
  return 0;
}
