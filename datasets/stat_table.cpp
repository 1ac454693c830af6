#include "datasets/stat_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "datasets/age_table.hpp"
#include "datasets/stat_totals.hpp"
#include "datasets/table_limits.hpp"
#include "datasets/text_encoding.hpp"
#include "geo/catalog/indicator.hpp"
#include "geo/core/area.hpp"
#include "geo/core/csv.hpp"
#include "geo/core/ids.hpp"
#include "geo/core/lg_code.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/spatial/mesh.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::datasets {

using Row = std::vector<std::string>;

// A record of more than kMaxTableColumns fields refuses the file (datasets/table_limits).
std::vector<std::pair<std::int64_t, Row>> parse_csv(std::string_view text, std::string_view file) {
  std::vector<std::pair<std::int64_t, Row>> rows;
  geo::csv::Reader reader(text, {.max_cells = kMaxTableColumns});
  Row row;
  try {
    while (reader.next(row)) rows.emplace_back(reader.line(), std::move(row));
  } catch (const geo::csv::TooManyCells& e) {
    refuse_wide_record(file, e.line());
  } catch (const geo::csv::ReadError& e) {
    throw SourceError((file.empty() ? std::string("the CSV") : std::string(file)) + " line " +
                      std::to_string(e.line()) + ": " + e.reason());
  }
  return rows;
}

std::string read_text(const std::filesystem::path& file, Encoding enc, std::string& note) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw SourceError(file.string() + " cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  if (bytes.empty()) throw SourceError(file.filename().string() + " is empty");
  if (enc == Encoding::cp932) {
    note = "CP932 (--encoding)";
    try {
      return cp932_to_utf8(bytes);
    } catch (const geo::InvalidArgument& e) {
      throw SourceError(file.filename().string() + " is not CP932 text (" + e.what() +
                        "); is it UTF-8? then drop --encoding CP932");
    }
  }
  if (is_valid_utf8(bytes)) {
    note = "UTF-8";
    return std::string(strip_bom(bytes));
  }
  if (enc == Encoding::utf8) {
    throw SourceError(not_utf8_message(file, "the file"));
  }
  // e-Stat's tables are Shift_JIS (CP932)
  try {
    note = "CP932 (not UTF-8)";
    return cp932_to_utf8(bytes);
  } catch (const geo::InvalidArgument& e) {
    throw SourceError(file.filename().string() + " is neither UTF-8 nor CP932 text (" + e.what() +
                      ")");
  }
}

namespace {

std::optional<double> parse_number(std::string_view t) {
  std::string s;
  for (const char c : t) {
    if (c != ',') s.push_back(c);  // 1,234
  }
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

/// One cell as e-Stat writes it.
struct Cell {
  std::optional<double> value;
  geo::StatStatus status = geo::StatStatus::missing;
  bool dash = false;
  bool bad = false;
};

Cell read_cell(std::string_view raw) {
  const std::string t = fold_full_width(trim(raw));
  Cell c;
  if (t.empty()) return c;
  if (t == "*" || t == "X" || t == "x" || t == "＊") {
    c.status = geo::StatStatus::suppressed;
    return c;
  }
  if (t == "-" || t == "－" || t == "‐") {
    c.value = 0;
    c.status = geo::StatStatus::value;
    c.dash = true;
    return c;
  }
  if (const auto v = parse_number(t)) {
    c.value = v;
    c.status = geo::StatStatus::value;
    return c;
  }
  c.bad = true;
  return c;
}

int col_no(std::string_view id) {  // "T001082019" → 19
  int n = 0;
  for (const char c : id.substr(7)) n = n * 10 + (c - '0');
  return n;
}

bool is_estat_column(std::string_view id) {
  return id.size() == 10 && id[0] == 'T' &&
         std::all_of(id.begin() + 1, id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<geo::AreaKind> mesh_kind(std::size_t len) {
  switch (len) {
    case 4:
      return geo::AreaKind::mesh1;
    case 6:
      return geo::AreaKind::mesh2;
    case 8:
      return geo::AreaKind::mesh3;
    case 9:
      return geo::AreaKind::mesh_half;
    case 10:
      return geo::AreaKind::mesh_quarter;
    case 11:
      return geo::AreaKind::mesh_eighth;
    default:
      return std::nullopt;
  }
}

std::string small_area_id(const std::string& code) {
  if (code.size() == 5 &&
      std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "municipality:" + code + geo::lg_check_digit(code);
  }
  if (code.size() == 9 || code.size() == 11) return geo::small_area_id_of(code);
  return {};
}

std::string mesh_id(const std::string& code) {
  const auto k = mesh_kind(code.size());
  return k ? std::string(geo::code_id(*k)) + ":" + code : std::string();
}

/// The mesh cell as an area (kind by code length), its polygon from geo/spatial/mesh.hpp.
geo::Area mesh_area(const std::string& code, std::int64_t source_id) {
  const geo::MeshCell c = geo::mesh_cell(code);
  geo::Area a;
  a.kind = *mesh_kind(code.size());
  a.code = code;
  a.id = std::string(geo::code_id(a.kind)) + ":" + code;
  a.name = code;
  a.source_id = source_id;
  a.vintage = "jis-x0410";
  std::ostringstream wkt;
  wkt.precision(12);
  wkt << "MULTIPOLYGON(((" << c.west << " " << c.south << "," << c.east << " " << c.south << ","
      << c.east << " " << c.north << "," << c.west << " " << c.north << "," << c.west << " "
      << c.south << ")))";
  a.wkb = geo::Geometry::from_wkt(wkt.str()).wkb();
  a.label_lon = (c.west + c.east) / 2;
  a.label_lat = (c.south + c.north) / 2;
  return a;
}

}  // namespace

std::optional<std::string> estat_ref_date(std::string_view stats_id) {
  if (stats_id.starts_with("T0008")) return "2015-10-01";
  if (stats_id.starts_with("T0010") || stats_id.starts_with("T0011")) return "2020-10-01";
  return std::nullopt;
}

std::optional<std::string> estat_column_key(std::string_view id) {
  if (!is_estat_column(id)) return std::nullopt;
  const std::string table(id.substr(0, 7));
  const int n = col_no(id);
  using M = std::vector<std::pair<int, const char*>>;
  static const std::map<std::string, M> kMaps = [] {
    const M total{{1, "population"}, {2, "male"}, {3, "female"}, {4, "households"}};
    const M ages{
        {1, "population"}, {17, "aged_0_14"}, {18, "aged_15_64"}, {19, "aged_65"}, {20, "aged_75"}};
    const M mesh{{1, "population"},
                 {2, "male"},
                 {3, "female"},
                 {4, "aged_0_14"},
                 {10, "aged_15_64"},
                 {19, "aged_65"},
                 {22, "aged_75"},
                 {25, "aged_85"},
                 {34, "households"},
                 {35, "general_households"},
                 {36, "single_households"},
                 {47, "households_with_65"},
                 {49, "elderly_single_households"},
                 {50, "elderly_couple_households"}};
    // 2015 250 m (domain.md §4.3: 016 65+, 019 75+, 040 高齢単身)
    const M mesh250_2015{{1, "population"}, {2, "male"},     {3, "female"},
                         {16, "aged_65"},   {19, "aged_75"}, {40, "elderly_single_households"}};
    return std::map<std::string, M>{{"T001081", total},       {"T000848", total}, {"T001082", ages},
                                    {"T000849", ages},        {"T001140", mesh},  {"T001141", mesh},
                                    {"T001142", mesh},        {"T000846", mesh},  {"T000847", mesh},
                                    {"T000876", mesh250_2015}};
  }();
  const auto it = kMaps.find(table);
  if (it == kMaps.end()) return std::nullopt;
  for (const auto& [no, key] : it->second) {
    if (no == n) return std::string(key);
  }
  return std::nullopt;
}

TableImportReport import_table(geo::Store& store, const std::filesystem::path& file,
                               const TableImportOptions& opt) {
  TableImportReport report;
  report.file = file.string();
  const std::string fname = file.filename().string();
  if (!std::filesystem::exists(file)) throw SourceError(file.string() + " does not exist");
  const std::string text = read_text(file, opt.encoding, report.encoding);
  const auto rows = parse_csv(text, fname);
  if (rows.empty()) throw SourceError(fname + " holds no rows");
  const Row& header = rows[0].second;
  auto find_col = [&](std::string_view name) -> int {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (trim(header[i]) == name) return static_cast<int>(i);
    }
    return -1;
  };
  std::string header_list;
  for (std::size_t i = 0; i < header.size() && i < 50; ++i) {
    header_list += (header_list.empty() ? "" : ", ") + clip(header[i]);
  }
  if (header.size() > 50) header_list += ", … (" + std::to_string(header.size()) + " columns)";

  if (const auto age = detect_age_table(header)) {
    return import_age_table(store, file, rows, *age, opt, report.encoding);
  }

  const int key_i = find_col("KEY_CODE");
  const int htk_i = find_col("HTKSYORI");
  const bool estat = key_i >= 0 && htk_i >= 0;
  std::unordered_set<std::string> stored;
  std::unordered_map<std::string, std::vector<std::string>> by_code;
  for (const auto& a : store.areas()) {
    stored.insert(a.id);
    by_code[a.code].push_back(a.id);
  }

  geo::SourceInfo source;
  source.imported_at = geo::utc_now_iso();
  std::vector<geo::StatDef> defs;
  std::vector<geo::StatValue> values;
  std::vector<geo::Area> new_meshes;
  std::set<std::string> new_mesh_ids;

  if (estat) {
    const bool mesh = find_col("HYOSYO") < 0;
    const int saki_i = find_col("HTKSAKI");
    const int gassan_i = find_col("GASSAN");
    if (rows.size() < 2) throw SourceError(fname + " has its header but no second header row");
    const Row& labels = rows[1].second;
    std::vector<std::size_t> data_cols;
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (is_estat_column(trim(header[i]))) data_cols.push_back(i);
    }
    if (data_cols.empty()) {
      throw SourceError(fname +
                        " has KEY_CODE and HTKSYORI but no e-Stat data column (T…); "
                        "its columns are: " +
                        header_list);
    }
    report.stats_id = std::string(trim(header[data_cols.front()]).substr(0, 7));
    report.layout = std::string(mesh ? "e-Stat メッシュ " : "e-Stat 小地域 ") + report.stats_id;
    if (!opt.ref_date.empty()) {
      report.ref_date = opt.ref_date;
    } else if (const auto d = estat_ref_date(report.stats_id)) {
      report.ref_date = *d;
    } else {
      throw SourceError("cannot tell the reference date of " + report.stats_id +
                        " from its statsId: give --ref-date YYYY-MM-DD");
    }
    const bool y2015 = report.ref_date.starts_with("2015");
    source.key = !opt.source_key.empty() ? opt.source_key
                                         : "estat:" + report.stats_id + ":" + file.stem().string();
    source.title = !opt.title.empty() ? opt.title
                                      : std::string(y2015 ? "平成27年" : "令和2年") + "国勢調査 " +
                                            report.stats_id + " (" + fname + ")";
    source.publisher = "総務省統計局（政府統計の総合窓口 e-Stat）";
    source.url = "https://www.e-stat.go.jp/gis/statmap-search?type=1";
    source.license = !opt.license.empty() ? opt.license : "estat_terms";
    source.attribution = !opt.attribution.empty()
                             ? opt.attribution
                             : std::string("「") + (y2015 ? "平成27年" : "令和2年") +
                                   "国勢調査」（総務省統計局）（e-Stat 統計GIS）を加工して作成";
    source.vintage = y2015 ? "census2015" : "census2020";
    const std::int64_t source_id = store.upsert_source(source);
    report.source_id = source_id;

    // Columns → statistics.
    std::vector<std::string> keys;
    for (const auto i : data_cols) {
      const std::string id(trim(header[i]));
      const std::string label = i < labels.size() ? std::string(trim(labels[i])) : std::string();
      geo::StatDef d;
      if (const auto k = estat_column_key(id)) {
        d.key = *k;
        d.label = std::string(geo::known_stat_label(*k).value_or(label));
      } else {
        d.key = "estat_" + id;
        d.label = label.empty() ? id : label;
      }
      d.publish = geo::PublishLevel::public_;
      d.source_id = source_id;
      d.note = "e-Stat " + id + (label.empty() ? "" : " " + label);
      keys.push_back(d.key);
      report.columns.emplace_back(id, d.key);
      if (std::none_of(defs.begin(), defs.end(), [&](const auto& x) { return x.key == d.key; })) {
        defs.push_back(std::move(d));
      } else {
        report.warnings.push_back({0, id + " maps to " + d.key +
                                          " like an earlier column: the "
                                          "later one is kept"});
      }
    }
    // 5-year classes → aged_15_39 / aged_40_64 (T001082/T000849: 002 = 0–4 … 016 = 70–74)
    const bool five_year = report.stats_id == "T001082" || report.stats_id == "T000849";
    std::vector<std::size_t> c15_39;
    std::vector<std::size_t> c40_64;
    if (five_year) {
      for (std::size_t j = 0; j < data_cols.size(); ++j) {
        const int n = col_no(trim(header[data_cols[j]]));
        if (n >= 5 && n <= 9) c15_39.push_back(j);
        if (n >= 10 && n <= 14) c40_64.push_back(j);
      }
      if (c15_39.size() == 5 && c40_64.size() == 5) {
        for (const char* k : {"aged_15_39", "aged_40_64"}) {
          geo::StatDef d;
          d.key = k;
          d.label = std::string(geo::known_stat_label(k).value_or(k));
          d.source_id = source_id;
          d.note = std::string("e-Stat ") + report.stats_id + " の5歳階級の和 (" +
                   (std::string_view(k) == "aged_15_39" ? "005–009" : "010–014") + ")";
          defs.push_back(std::move(d));
          report.columns.emplace_back(
              std::string("(") + report.stats_id +
                  (std::string_view(k) == "aged_15_39" ? " 005–009)" : " 010–014)"),
              k);
        }
      } else {
        c15_39.clear();
        c40_64.clear();
      }
    }

    for (std::size_t r = 2; r < rows.size(); ++r) {
      const std::int64_t line = rows[r].first;
      const Row& row = rows[r].second;
      ++report.rows_read;
      auto at = [&](int i) -> std::string {
        return i >= 0 && static_cast<std::size_t>(i) < row.size()
                   ? std::string(trim(row[static_cast<std::size_t>(i)]))
                   : std::string();
      };
      const std::string code = at(key_i);
      const std::string id = mesh ? mesh_id(code) : small_area_id(code);
      if (id.empty()) {
        report.rejected.push_back({line, "KEY_CODE " + quote(code) + " is not a " +
                                             (mesh ? "mesh code" : "small-area code")});
        continue;
      }
      if (!stored.contains(id) && !new_mesh_ids.contains(id)) {
        if (mesh) {
          try {
            new_meshes.push_back(mesh_area(code, source_id));
            new_mesh_ids.insert(id);
          } catch (const geo::InvalidArgument& e) {
            report.rejected.push_back({line, "KEY_CODE " + quote(code) + ": " + e.what()});
            continue;
          }
        } else {
          report.unmatched.push_back(code);
          continue;
        }
      }
      ++report.rows_matched;
      const std::string htk = at(htk_i);
      geo::StatStatus row_status = geo::StatStatus::value;
      std::string merged_text;
      if (htk == "1") {
        row_status = geo::StatStatus::merged;
        merged_text = at(gassan_i);
        ++report.merged;
      } else if (htk == "2") {
        row_status = geo::StatStatus::absorbed;
        const std::string saki = at(saki_i);
        merged_text = mesh ? mesh_id(saki) : small_area_id(saki);
        if (merged_text.empty()) merged_text = saki;
        ++report.absorbed;
      } else if (!htk.empty() && htk != "0") {
        report.warnings.push_back({line, "HTKSYORI " + quote(htk) + " is unknown: read as 0"});
      }
      std::vector<Cell> cells;
      for (const auto i : data_cols) {
        Cell c = read_cell(i < row.size() ? row[i] : std::string());
        if (c.bad) {
          report.warnings.push_back({line, clip(header[i]) + " " + quote(row[i]) +
                                               " is not a number, '*', 'X' or '-': stored as "
                                               "missing"});
          c.bad = false;
        }
        cells.push_back(c);
      }
      auto emit = [&](const std::string& key, const Cell& c) {
        geo::StatValue v;
        v.area_id = id;
        v.key = key;
        v.ref_date = report.ref_date;
        v.source_id = source_id;
        if (row_status == geo::StatStatus::absorbed) {
          v.status = geo::StatStatus::absorbed;  // the figure is in HTKSAKI's, not here
          v.merged = merged_text;
        } else if (c.status == geo::StatStatus::suppressed) {
          v.status = geo::StatStatus::suppressed;
          ++report.suppressed;
        } else if (!c.value) {
          v.status = geo::StatStatus::missing;
          ++report.missing;
        } else {
          v.value = c.value;
          v.status = row_status;
          if (row_status == geo::StatStatus::merged) v.merged = merged_text;
          if (c.dash) ++report.zero_dash;
        }
        values.push_back(std::move(v));
      };
      for (std::size_t j = 0; j < cells.size(); ++j) emit(keys[j], cells[j]);
      auto sum_of = [&](const std::vector<std::size_t>& js) {
        Cell s;
        s.status = geo::StatStatus::value;
        s.value = 0;
        for (const auto j : js) {
          if (cells[j].status == geo::StatStatus::suppressed)
            return Cell{std::nullopt, geo::StatStatus::suppressed};
          if (!cells[j].value) return Cell{};
          *s.value += *cells[j].value;
        }
        return s;
      };
      if (!c15_39.empty()) {
        emit("aged_15_39", sum_of(c15_39));
        emit("aged_40_64", sum_of(c40_64));
      }
    }
    if (report.rows_matched == 0) {
      std::string first;
      for (std::size_t i = 0; i < report.unmatched.size() && i < 5; ++i) {
        first += (i ? ", " : "") + report.unmatched[i];
      }
      throw SourceError(fname + ": no KEY_CODE matches an area of the store (" +
                        std::to_string(report.unmatched.size()) + " rows, e.g. " + first +
                        "); import the small-area boundaries first with --areas");
    }
  } else {
    // A municipality's own indicator CSV.
    if (opt.key_field.empty()) {
      throw SourceError(fname +
                        " is not an e-Stat table (no KEY_CODE and HTKSYORI columns); for a "
                        "municipality's own indicators give --key-field COL. Its first row is: " +
                        header_list.substr(0, 300));
    }
    const int k = find_col(opt.key_field);
    if (k < 0) {
      throw SourceError(fname + " has no column '" + opt.key_field +
                        "' (--key-field); its columns are: " + header_list);
    }
    if (opt.ref_date.empty()) {
      throw SourceError("give the reference date of " + fname + "'s figures with --ref-date");
    }
    report.layout = "own indicators (" + std::string(geo::code_id(opt.publish)) +
                    ", small-cell k = " + std::to_string(opt.small_cell_k) + ")";
    report.ref_date = opt.ref_date;
    source.key = !opt.source_key.empty() ? opt.source_key : "indicators:" + file.stem().string();
    source.title = !opt.title.empty() ? opt.title : fname;
    source.license = !opt.license.empty() ? opt.license : "internal";
    source.attribution = opt.attribution;
    const std::int64_t source_id = store.upsert_source(source);
    report.source_id = source_id;
    // Numeric columns: at least half of the non-blank cells are numbers (or e-Stat tokens).
    std::vector<std::size_t> cols;
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (static_cast<int>(i) == k) continue;
      std::size_t filled = 0;
      std::size_t numeric = 0;
      for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r].second;
        if (i >= row.size() || trim(row[i]).empty()) continue;
        ++filled;
        const Cell c = read_cell(row[i]);
        if (!c.bad) ++numeric;
      }
      const std::string h(trim(header[i]));
      if (filled == 0 || numeric * 2 < filled) {
        report.warnings.push_back({0, "column " + quote(h) + " is not numeric: not imported"});
        continue;
      }
      const bool ascii_key = !h.empty() && std::all_of(h.begin(), h.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      });
      geo::StatDef d;
      d.key = ascii_key ? h : "own_col" + std::to_string(i + 1);
      const auto lab = opt.column_labels.find(h);
      d.label = lab != opt.column_labels.end() ? lab->second : h;
      d.publish = opt.publish;
      d.own_data = true;
      d.min_cell = opt.small_cell_k;
      d.source_id = source_id;
      d.note = "column '" + h + "' of " + fname;
      cols.push_back(i);
      keys.push_back(d.key);
      report.columns.emplace_back(h, d.key);
      defs.push_back(std::move(d));
    }
    if (cols.empty()) throw SourceError(fname + " has no numeric column besides the key");
    for (const auto& entry : opt.column_labels) {
      const std::string& col = entry.first;
      if (std::none_of(report.columns.begin(), report.columns.end(),
                       [&](const auto& c) { return c.first == col; })) {
        throw SourceError("--column-label " + col + ": no numeric column of that name in " + fname);
      }
    }
    for (std::size_t r = 1; r < rows.size(); ++r) {
      const std::int64_t line = rows[r].first;
      const Row& row = rows[r].second;
      ++report.rows_read;
      const std::string key = static_cast<std::size_t>(k) < row.size()
                                  ? std::string(trim(row[static_cast<std::size_t>(k)]))
                                  : std::string();
      std::string id;
      if (opt.key_type == "mesh") {
        id = mesh_id(key);
        if (id.empty()) {
          report.rejected.push_back({line, quote(key) + " is not a mesh code"});
          continue;
        }
        if (!stored.contains(id) && !new_mesh_ids.contains(id)) {
          try {
            new_meshes.push_back(mesh_area(key, source_id));
            new_mesh_ids.insert(id);
          } catch (const geo::InvalidArgument& e) {
            report.rejected.push_back({line, quote(key) + ": " + e.what()});
            continue;
          }
        }
      } else if (stored.contains(key)) {
        id = key;
      } else if (const auto it = by_code.find(key); it != by_code.end() && it->second.size() == 1) {
        id = it->second.front();
      } else if (it != by_code.end()) {
        report.rejected.push_back({line, quote(key) + " is the code of several areas; give the "
                                                      "area id (e.g. small_area:…)"});
        continue;
      } else {
        report.unmatched.push_back(key);
        continue;
      }
      std::string bad;
      std::size_t bad_cells = 0;
      std::vector<Cell> cells;
      for (std::size_t j = 0; j < cols.size(); ++j) {
        const std::string raw = cols[j] < row.size() ? row[cols[j]] : std::string();
        Cell c = read_cell(raw);
        if (c.bad && ++bad_cells <= 5) {
          bad += (bad.empty() ? "" : "; ") + clip(header[cols[j]]) + " " + quote(raw);
        }
        cells.push_back(c);
      }
      if (bad_cells > 5) bad += "; and " + std::to_string(bad_cells - 5) + " more";
      if (!bad.empty()) {
        report.rejected.push_back({line, "not a number: " + bad});
        continue;
      }
      ++report.rows_matched;
      for (std::size_t j = 0; j < cells.size(); ++j) {
        geo::StatValue v;
        v.area_id = id;
        v.key = keys[j];
        v.ref_date = report.ref_date;
        v.source_id = source_id;
        v.value = cells[j].value;
        v.status = cells[j].status;
        if (v.status == geo::StatStatus::suppressed) ++report.suppressed;
        if (v.status == geo::StatStatus::missing) ++report.missing;
        values.push_back(std::move(v));
      }
    }
    {  // totals among the columns, for the small-cell rule (stat_totals.hpp)
      std::vector<std::string> headers;
      headers.reserve(cols.size());
      for (const auto c : cols) headers.emplace_back(trim(header[c]));
      std::vector<std::vector<std::optional<double>>> figures;
      for (std::size_t i = 0; i + cols.size() <= values.size(); i += cols.size()) {
        auto& row = figures.emplace_back();
        for (std::size_t j = 0; j < cols.size(); ++j) row.push_back(values[i + j].value);
      }
      report.totals = apply_totals(opt.totals, headers, figures, defs, report.warnings);
    }
    if (report.rows_matched == 0) {
      throw SourceError(fname + ": no row could be imported (" +
                        std::to_string(report.unmatched.size()) + " keys match no stored area, " +
                        std::to_string(report.rejected.size()) + " rows rejected)");
    }
  }
  for (const auto& a : new_meshes) store.put_area(a);
  report.mesh_areas_created = static_cast<std::int64_t>(new_meshes.size());
  check_statistics_per_store(store, defs, fname);
  store.put_stats(defs, values);
  report.values_written = static_cast<std::int64_t>(values.size());
  return report;
}

std::string render_text(const TableImportReport& r, std::size_t max_listed) {
  std::string out = std::filesystem::path(r.file).filename().string() + ": " + r.layout + ", " +
                    r.encoding + ", ref_date " + r.ref_date + "\n";
  out += "  " + std::to_string(r.rows_read) + " rows read: " + std::to_string(r.rows_matched) +
         " imported, " + std::to_string(r.unmatched.size()) + " for areas not in the store, " +
         std::to_string(r.rejected.size()) + " rejected; " + std::to_string(r.values_written) +
         " values\n";
  out += "  marks: " + std::to_string(r.suppressed) + " suppressed (秘匿), " +
         std::to_string(r.merged) + " merged rows (合算), " + std::to_string(r.absorbed) +
         " absorbed rows (合算元), " + std::to_string(r.zero_dash) + " '-' read as 0, " +
         std::to_string(r.missing) + " blank\n";
  if (r.mesh_areas_created > 0) {
    out += "  " + std::to_string(r.mesh_areas_created) + " mesh cells created\n";
  }
  if (!r.closest.empty()) {
    out +=
        "  names matching no stored area (settle them with --name-map FILE: two columns, the "
        "name in the file and the stored name or area id):\n";
    for (const auto& name : r.unmatched) {
      const auto c = r.closest.find(name);
      out += "    " + name;
      if (c != r.closest.end() && !c->second.empty()) {
        out += " — closest:";
        for (const auto& n : c->second) out += " " + n;
      }
      out += "\n";
    }
  } else if (!r.unmatched.empty()) {
    out += "  areas not in the store:";
    for (std::size_t i = 0; i < r.unmatched.size() && i < 10; ++i) {
      out += " " + quote(r.unmatched[i]);
    }
    if (r.unmatched.size() > 10) out += " …";
    out += "\n";
  }
  out += "  columns:";
  for (const auto& [col, key] : r.columns) out += " " + col + "→" + key;
  out += "\n";
  for (const auto& t : r.totals) out += "  total (small-cell rule): " + t + "\n";
  std::size_t n = 0;
  for (const auto& i : r.rejected) {
    if (max_listed > 0 && n++ >= max_listed) break;
    out += "  rejected line " + std::to_string(i.row) + ": " + i.message + "\n";
  }
  n = 0;
  for (const auto& i : r.warnings) {
    if (max_listed > 0 && n++ >= max_listed) break;
    out += (i.row > 0 ? "  line " + std::to_string(i.row) + ": " : "  ") + i.message + "\n";
  }
  return out;
}

}  // namespace tsunagi::datasets
