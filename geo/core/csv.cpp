#include "geo/core/csv.hpp"

#include <istream>
#include <streambuf>
#include <utility>

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

// ---- reading ----

ReadError::ReadError(std::int64_t line, std::string reason)
    : InvalidArgument("line " + std::to_string(line) + ": " + reason),
      line_(line),
      reason_(std::move(reason)) {}

/// A read-only stream buffer over a string_view: get() reads text and stream the same way.
struct Reader::View : std::streambuf {
  explicit View(std::string_view text) {
    // The get area is only read: nothing writes through these pointers.
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

Reader::Reader(std::istream& in, ReadOptions options) : buf_(in.rdbuf()), options_(options) {}

Reader::Reader(std::string_view text, ReadOptions options)
    : view_(std::make_unique<View>(text)), buf_(view_.get()), options_(options) {}

Reader::~Reader() = default;

int Reader::get() {
  if (held_ < held_size_) return static_cast<unsigned char>(held_bytes_.at(held_++));
  return buf_->sbumpc();
}

int Reader::peek() {
  if (held_ < held_size_) return static_cast<unsigned char>(held_bytes_.at(held_));
  return buf_->sgetc();
}

namespace {

constexpr int kEof = std::char_traits<char>::eof();

void trim_cell(std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) {
    s.clear();
    return;
  }
  s.erase(s.find_last_not_of(" \t") + 1);
  s.erase(0, b);
}

}  // namespace

bool Reader::next(std::vector<std::string>& cells) {
  if (!started_) {
    started_ = true;
    // A UTF-8 BOM: three bytes, only at the very start. Other bytes read while looking (EF BC AE
    // is 「Ｎ」) are held and read again.
    for (const char want : kBom) {
      if (buf_->sgetc() != static_cast<unsigned char>(want)) break;
      held_bytes_.at(held_size_++) = static_cast<char>(buf_->sbumpc());
    }
    if (held_size_ == kBom.size()) held_ = held_size_;
  }
  cells.clear();
  std::string cell;
  bool quoted = false;
  std::int64_t quote_line = 0;
  record_line_ = line_;
  const auto end_cell = [&] {
    if (options_.max_cells != 0 && cells.size() + 1 > options_.max_cells) {
      throw TooManyCells(record_line_, "the record has more than " +
                                           std::to_string(options_.max_cells) + " cells");
    }
    if (options_.trim) trim_cell(cell);
    cells.push_back(std::move(cell));
    cell.clear();
  };
  // A record of one empty cell (an empty line, or spaces when trimming) is a blank line.
  const auto blank = [&] { return cells.size() == 1 && cells[0].empty(); };
  for (;;) {
    const int ch = get();
    if (ch == kEof) {
      if (quoted) {
        throw ReadError(quote_line,
                        "a quoted cell is never closed: the quote that opens it on line " +
                            std::to_string(quote_line) + " has no closing quote before the end");
      }
      if (cells.empty() && cell.empty()) return false;
      end_cell();
      if (blank()) return false;
      return true;
    }
    const char c = static_cast<char>(ch);
    if (quoted) {
      if (c == '"') {
        if (peek() == '"') {
          get();
          cell += '"';
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line_;
        cell += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      quote_line = line_;
    } else if (c == ',') {
      end_cell();
    } else if (c == '\r') {
      // CRLF: the LF ends the record; a CR alone is dropped
    } else if (c == '\n') {
      ++line_;
      end_cell();
      if (!blank()) return true;
      cells.clear();
      record_line_ = line_;
    } else {
      cell += c;
    }
  }
}

std::vector<Record> read_all(std::string_view text, ReadOptions options) {
  Reader reader(text, options);
  std::vector<Record> out;
  Record r;
  while (reader.next(r.cells)) {
    r.line = reader.line();
    out.push_back(std::move(r));
    r = Record{};
  }
  return out;
}

}  // namespace tsunagi::geo::csv
