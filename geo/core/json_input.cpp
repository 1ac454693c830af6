#include "geo/core/json_input.hpp"

#include <string>
#include <unordered_set>
#include <vector>

#include "geo/core/error.hpp"

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
  // The keys seen so far in each object that is open (the parser reports them in order), and the
  // last key, to name the field of a number out of range.
  std::vector<std::unordered_set<std::string>> open_objects;
  std::string last_key;
  const json::parser_callback_t track_keys = [&](int /*depth*/, json::parse_event_t event,
                                                 json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case json::parse_event_t::key:
        if (parsed.is_string()) last_key = parsed.get<std::string>().substr(0, 80);
        if (!open_objects.empty() && parsed.is_string() &&
            !open_objects.back().insert(parsed.get<std::string>()).second) {
          throw InvalidArgument(std::string(what) + " has the key \"" +
                                parsed.get<std::string>().substr(0, 80) +
                                "\" twice in one object: send each key once");
        }
        break;
      default:
        break;
    }
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), track_keys);
  } catch (const json::parse_error& e) {
    throw InvalidArgument(std::string(what) + " is not valid UTF-8 JSON (problem at byte " +
                          std::to_string(e.byte) + ")");
  } catch (const json::out_of_range&) {
    // 1e400 and the like: nlohmann refuses a number that does not fit a double.
    throw InvalidArgument(
        (last_key.empty() ? std::string(what) + " has" : "\"" + last_key + "\" has") +
        " a number too large for a double; send a finite number");
  }
}

JsonShape::JsonShape(std::initializer_list<std::pair<std::string_view, JsonShape>> keys) {
  for (const auto& [key, shape] : keys) {
    keys_.emplace(std::string(key), std::make_shared<const JsonShape>(shape));
  }
}

JsonShape JsonShape::array_of(JsonShape element) {
  JsonShape s;
  s.items_ = std::make_shared<const JsonShape>(std::move(element));
  return s;
}

JsonShape JsonShape::merged_with(const JsonShape& other) const {
  JsonShape s = *this;
  for (const auto& [key, shape] : other.keys_) s.keys_.emplace(key, shape);
  if (!s.items_) s.items_ = other.items_;
  if (s.note_.empty()) s.note_ = other.note_;
  return s;
}

JsonShape& JsonShape::with_note(std::string note) {
  note_ = std::move(note);
  return *this;
}

void JsonShape::check(const nlohmann::json& value) const {
  std::string path;
  try {
    check_at(value, path);
  } catch (const InvalidArgument& e) {
    if (note_.empty()) throw;
    throw InvalidArgument(std::string(e.what()) + " (" + note_ + ")");
  }
}

void JsonShape::check_at(const nlohmann::json& value, std::string& path) const {
  static const JsonShape kNoKeys;
  const std::size_t here = path.size();
  if (value.is_object()) {
    for (const auto& [key, v] : value.items()) {
      // A key from outside is quoted at most 60 bytes long in the path and the message.
      const std::string shown = key.substr(0, 60);
      path += (here == 0 ? "" : ".") + shown;
      const auto known = keys_.find(key);
      if (known == keys_.end()) {
        std::string message = path + ": unknown key '" + shown + "'";
        if (keys_.empty()) {
          message += "; this value takes no keys";
        } else if (keys_.size() <= 24) {
          message += "; known here: ";
          bool first = true;
          for (const auto& [k, unused] : keys_) {
            message += (first ? "" : ", ") + k;
            first = false;
          }
        }
        throw InvalidArgument(message);
      }
      known->second->check_at(v, path);
      path.resize(here);
    }
  } else if (value.is_array()) {
    const JsonShape& element = items_ ? *items_ : kNoKeys;
    for (std::size_t i = 0; i < value.size(); ++i) {
      path += "[" + std::to_string(i) + "]";
      element.check_at(value[i], path);
      path.resize(here);
    }
  }
}

}  // namespace tsunagi::geo
