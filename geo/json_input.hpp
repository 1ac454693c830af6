// Reading JSON that came from outside (request bodies, mapping files): nlohmann's DOM is recursive
// (copies, comparisons and dump() recurse once per level), so a body of 70k nested objects would
// overflow a thread's stack. parse_untrusted_json() refuses too deep a document before parsing it
// (a linear scan over the bytes), refuses an object that has the same key twice instead of
// silently keeping the last value, and names the key of a number too large for a double.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace tsunagi::geo {

/// The deepest nesting of arrays and objects accepted from outside. The deepest document tsunagi
/// itself understands (a Feature's properties.offer.tasks) is 4 levels.
inline constexpr std::size_t kMaxJsonDepth = 64;

/// The byte offset of the first '[' or '{' (outside strings) that opens level `max_depth + 1`, or
/// nullopt if the text never nests deeper than `max_depth`. Does not check that the text is JSON.
std::optional<std::size_t> json_too_deep_at(std::string_view text,
                                            std::size_t max_depth = kMaxJsonDepth);

/// Parses `text` (UTF-8 JSON). `what` names the text in messages ("the body", "mapping.json").
/// @throws InvalidArgument "<what> is not valid UTF-8 JSON (problem at byte N)", "<what> nests
///         arrays and objects deeper than 64 levels (at byte N)", "<what> has the key \"k\"
///         twice in one object", "\"lon\" has a number too large for a double".
nlohmann::json parse_untrusted_json(std::string_view text, std::string_view what);

}  // namespace tsunagi::geo
