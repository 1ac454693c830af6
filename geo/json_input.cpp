#include "geo/json_input.hpp"

#include <string>

#include "geo/error.hpp"

namespace tsunagi::geo {

std::optional<std::size_t> json_too_deep_at(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is, cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) return i;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return std::nullopt;
}

nlohmann::json parse_untrusted_json(std::string_view text, std::string_view what) {
  using nlohmann::json;
  if (const auto at = json_too_deep_at(text)) {
    throw InvalidArgument(std::string(what) + " nests arrays and objects deeper than " +
                          std::to_string(kMaxJsonDepth) + " levels (at byte " +
                          std::to_string(*at) + ")");
  }
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw InvalidArgument(std::string(what) + " is not valid UTF-8 JSON (problem at byte " +
                          std::to_string(e.byte) + ")");
  }
}

}  // namespace tsunagi::geo
