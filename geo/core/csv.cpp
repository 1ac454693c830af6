#include "geo/core/csv.hpp"

namespace tsunagi::geo::csv {

namespace {

bool digits(std::string_view d) {
  return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

bool is_plain_number(std::string_view v) {
  if (!v.empty() && v.front() == '-') v.remove_prefix(1);
  std::string_view exponent;
  if (const auto e = v.find_first_of("eE"); e != std::string_view::npos) {
    exponent = v.substr(e + 1);
    v = v.substr(0, e);
    if (!exponent.empty() && (exponent.front() == '-' || exponent.front() == '+')) {
      exponent.remove_prefix(1);
    }
    if (!digits(exponent)) return false;
  }
  const auto dot = v.find('.');
  if (dot == std::string_view::npos) return digits(v);
  return digits(v.substr(0, dot)) && digits(v.substr(dot + 1));
}

bool looks_like_formula(std::string_view v) {
  return !v.empty() && std::string_view("=+-@\t\r").find(v.front()) != std::string_view::npos &&
         !is_plain_number(v);
}

void append_cell(std::string& out, std::string_view v) {
  const bool formula = looks_like_formula(v);
  const bool needs_quotes = v.find_first_of(",\"\r\n") != std::string_view::npos ||
                            (!v.empty() && (v.front() == ' ' || v.back() == ' '));
  if (!needs_quotes) {
    if (formula) out += '\'';
    out += v;
    return;
  }
  out += '"';
  if (formula) out += '\'';
  for (const char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string cell(std::string_view v) {
  std::string out;
  append_cell(out, v);
  return out;
}

void append_row(std::string& out, std::initializer_list<std::string_view> cells,
                std::string_view eol) {
  bool first = true;
  for (const auto c : cells) {
    if (!first) out += ',';
    first = false;
    append_cell(out, c);
  }
  out += eol;
}

}  // namespace tsunagi::geo::csv
