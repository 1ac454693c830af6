// Reading JSON that came from outside (request bodies, mapping files): nlohmann's DOM is recursive
// (copies, comparisons and dump() recurse once per level), so a body of 70k nested objects would
// overflow a thread's stack. parse_untrusted_json() refuses too deep a document before parsing it
// (a linear scan over the bytes), refuses an object that has the same key twice instead of
// silently keeping the last value, and names the key of a number too large for a double.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

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

/// The keys a JSON document from outside may hold, at every depth: the one check of unknown keys
/// for every request body (server/ parse_json_body takes one per route), so that a name, a birth
/// date or a diagnosis cannot ride along inside a nested object either. A shape says which keys
/// an object may have (each with the shape of its value) and the shape of an array's elements.
/// Scalars match any shape; an object matched against a shape without keys may have no keys.
/// Types and values are left to the parser that reads the document.
class JsonShape {
 public:
  /// A value with no keys anywhere below it: a scalar, an array of scalars, or {}.
  JsonShape() = default;
  /// An object with these keys, each with its value's shape.
  JsonShape(std::initializer_list<std::pair<std::string_view, JsonShape>> keys);
  /// An array whose elements have `element`'s shape (an element may also be a scalar).
  static JsonShape array_of(JsonShape element);
  /// The shape that takes the keys of both (for a body that is one of two forms).
  [[nodiscard]] JsonShape merged_with(const JsonShape& other) const;
  /// Said after the message of an unknown key, e.g. "a match request holds no personal data".
  JsonShape& with_note(std::string note);

  /// @throws InvalidArgument "<path>: unknown key '<key>'; known here: a, b" for the first key
  ///         (depth first, in document order) that the shape does not know; the path is
  ///         JavaScript-like: availability[0].name.
  void check(const nlohmann::json& value) const;

 private:
  void check_at(const nlohmann::json& value, std::string& path) const;
  std::map<std::string, std::shared_ptr<const JsonShape>, std::less<>> keys_;
  std::shared_ptr<const JsonShape> items_;
  std::string note_;
};

}  // namespace tsunagi::geo
