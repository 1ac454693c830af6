#include "datasets/age_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "datasets/import_report.hpp"
#include "datasets/text_encoding.hpp"
#include "geo/catalog/indicator.hpp"
#include "geo/core/area.hpp"
#include "geo/core/error.hpp"
#include "geo/core/ids.hpp"
#include "geo/core/lg_code.hpp"
#include "geo/core/text_normalize.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::datasets {

namespace {

using Row = std::vector<std::string>;

/// A header cell as headers are compared (header_key: width folded, no spaces, ASCII lower
/// case), with the dashes and tildes of "0-4歳" / "0～4歳" / "０〜４歳" as one.
std::string header_form(std::string_view h) {
  const std::string t = header_key(h);
  std::string out;
  std::size_t pos = 0;
  while (pos < t.size()) {
    const auto cp = geo::next_code_point(t, pos);
    if (!cp) break;
    if (*cp == U'〜' || *cp == U'～' || *cp == U'~' || *cp == U'－' || *cp == U'‐' || *cp == U'−' ||
        *cp == U'ー' || *cp == U'―') {
      out.push_back('-');
      continue;
    }
    geo::append_utf8(out, *cp);
  }
  return out;
}

/// Names of the 5-year classes: "0-4歳", …, "80-84歳", "85歳以上".
std::string class_name(int k) {  // k = 0..17
  if (k == 17) return "85歳以上";
  return std::to_string(5 * k) + "-" + std::to_string(5 * k + 4) + "歳";
}

/// A count: spaces and thousands separators allowed, "-" is 0, blank is missing; `bad` when the
/// cell is none of these.
std::optional<double> count_cell(std::string_view raw, bool& bad) {
  bad = false;
  std::string t;
  for (const char c : fold_full_width(trim(raw))) {
    if (c != ',' && c != ' ') t.push_back(c);
  }
  if (t.empty()) return std::nullopt;
  if (t == "-" || t == "－" || t == "‐" || t == "―") return 0.0;
  double v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || !std::isfinite(v) || v < 0) {
    bad = true;
    return std::nullopt;
  }
  return v;
}

/// The kanji numerals of 丁目 (一 … 九十九) as a number; nullopt when `s` is not one.
std::optional<int> kanji_number(std::u32string_view s) {
  if (s.empty()) return std::nullopt;
  auto digit = [](char32_t c) -> int {
    static constexpr std::u32string_view kD = U"〇一二三四五六七八九";
    const auto i = kD.find(c);
    return i == std::u32string_view::npos ? -1 : static_cast<int>(i);
  };
  int value = 0;
  int current = 0;
  bool any = false;
  for (const char32_t c : s) {
    if (c == U'十') {
      value += (current == 0 ? 1 : current) * 10;
      current = 0;
      any = true;
    } else if (const int d = digit(c); d >= 0) {
      current = current * 10 + d;
      any = true;
    } else {
      return std::nullopt;
    }
  }
  return any ? std::optional<int>(value + current) : std::nullopt;
}

bool is_kanji(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || c == U'々';
}

std::u32string to_u32(std::string_view s) {
  std::u32string out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const auto cp = geo::next_code_point(s, pos);
    if (!cp) {
      ++pos;
      continue;
    }
    out.push_back(*cp);
  }
  return out;
}

std::string to_utf8(std::u32string_view s) {
  std::string out;
  for (const char32_t c : s) geo::append_utf8(out, c);
  return out;
}

/// Levenshtein distance over code points.
std::size_t distance(std::u32string_view a, std::u32string_view b) {
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] =
          std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

/// One row's figures (or several rows' summed): each may be missing.
struct Figures {
  std::array<std::optional<double>, 18> men{};
  std::array<std::optional<double>, 18> women{};
  std::optional<double> total, male, female, households;

  /// People of classes [from, to] (0 = 0–4 … 17 = 85+), of the sexes asked; missing when any
  /// class needed is.
  [[nodiscard]] std::optional<double> sum(int from, int to, bool m, bool f) const {
    double t = 0;
    for (int k = from; k <= to; ++k) {
      const auto uk = static_cast<std::size_t>(k);
      if ((m && !men[uk]) || (f && !women[uk])) return std::nullopt;
      t += (m ? *men[uk] : 0) + (f ? *women[uk] : 0);
    }
    return t;
  }

  void add(const Figures& o) {
    auto plus = [](std::optional<double>& a, const std::optional<double>& b) {
      a = a && b ? std::optional<double>(*a + *b) : std::nullopt;
    };
    for (std::size_t k = 0; k < 18; ++k) {
      plus(men[k], o.men[k]);
      plus(women[k], o.women[k]);
    }
    plus(total, o.total);
    plus(male, o.male);
    plus(female, o.female);
    plus(households, o.households);
  }
};

}  // namespace

std::optional<AgeTableColumns> detect_age_table(const std::vector<std::string>& header) {
  std::unordered_map<std::string, int> at;
  for (std::size_t i = 0; i < header.size(); ++i) {
    at.emplace(header_form(header[i]), static_cast<int>(i));
  }
  auto find = [&](std::initializer_list<std::string_view> names) {
    for (const auto n : names) {
      const auto it = at.find(header_form(n));
      if (it != at.end()) return it->second;
    }
    return -1;
  };
  AgeTableColumns c;
  bool all = true;
  for (int k = 0; k < 18; ++k) {
    c.men[static_cast<std::size_t>(k)] =
        find({class_name(k) + "の男性", class_name(k) + "男性", class_name(k) + "男"});
    c.women[static_cast<std::size_t>(k)] =
        find({class_name(k) + "の女性", class_name(k) + "女性", class_name(k) + "女"});
    all =
        all && c.men[static_cast<std::size_t>(k)] >= 0 && c.women[static_cast<std::size_t>(k)] >= 0;
  }
  if (!all) {
    all = true;
    for (int k = 0; k < 18; ++k) {
      c.men[static_cast<std::size_t>(k)] = find({"man" + std::to_string(k + 1)});
      c.women[static_cast<std::size_t>(k)] =
          find({"woman" + std::to_string(k + 1), "female" + std::to_string(k + 1)});
      all = all && c.men[static_cast<std::size_t>(k)] >= 0 &&
            c.women[static_cast<std::size_t>(k)] >= 0;
    }
    c.english = all;
  }
  if (!all) return std::nullopt;
  c.region_name = find({"地域名", "regionName", "町丁名", "町丁目名"});
  c.region_code = find({"地域コード", "regionCode"});
  if (c.region_name < 0 && c.region_code < 0) return std::nullopt;
  c.municipality_code = find({"都道府県コード又は市区町村コード", "全国地方公共団体コード",
                              "市区町村コード", "prefCode", "cityCode", "localGovernmentCode"});
  c.pref_name = find({"都道府県名", "prefName"});
  c.city_name = find({"市区町村名", "地方公共団体名", "cityName"});
  c.survey_date = find({"調査年月日", "surveyDate"});
  c.total = find({"総人口", "totalPopulation", "人口総数"});
  c.male = find({"男性", "male", "男"});
  c.female = find({"女性", "woman", "female", "女"});
  c.households = find({"世帯数", "numberOfHouseholds"});
  c.location = find({"location"});
  return c;
}

std::string normalize_area_name(std::string_view name) {
  std::u32string s = to_u32(fold_full_width(trim(name)));
  // spaces out
  std::erase_if(s, [](char32_t c) { return c == U' ' || c == U'\u3000' || c == U'\t'; });
  // the variant kanji of place names as their common form (旅篭町 = 旅籠町, 﨑 = 崎…)
  static constexpr std::u32string_view kVariant = U"篭﨑嵜邉邊澤濱冨嶋嶌櫻國廣龍瀧齋齊髙舘條塲";
  static constexpr std::u32string_view kCommon = U"籠崎崎辺辺沢浜富島島桜国広竜滝斎斉高館条場";
  for (auto& c : s) {
    if (const auto i = kVariant.find(c); i != std::u32string_view::npos) c = kCommon[i];
  }
  // a leading 大字 or 字
  if (s.starts_with(U"大字")) {
    s.erase(0, 2);
  } else if (s.size() > 1 && s[0] == U'字') {
    s.erase(0, 1);
  }
  // ヶ ケ ヵ が ガ between kanji: one letter (霞ヶ関 = 霞ケ関 = 霞が関)
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    const char32_t c = s[i];
    if ((c == U'ヶ' || c == U'ケ' || c == U'ヵ' || c == U'が' || c == U'ガ' || c == U'け') &&
        is_kanji(s[i - 1]) && is_kanji(s[i + 1])) {
      s[i] = U'ケ';
    }
  }
  // 丁目 numerals: 一丁目 → 1丁目
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto next = s.find(U"丁目", i);
    if (next == std::u32string::npos) {
      out.append(s, i, std::u32string::npos);
      break;
    }
    std::size_t b = next;
    while (b > i &&
           (s[b - 1] == U'十' || std::u32string_view(U"〇一二三四五六七八九").find(s[b - 1]) !=
                                     std::u32string_view::npos)) {
      --b;
    }
    out.append(s, i, b - i);
    if (const auto n = kanji_number(std::u32string_view(s).substr(b, next - b))) {
      for (const char c : std::to_string(*n)) out.push_back(static_cast<char32_t>(c));
    } else {
      out.append(s, b, next - b);
    }
    out.append(U"丁目");
    i = next + 2;
  }
  return to_utf8(out);
}

std::optional<std::string> parse_survey_date(std::string_view text) {
  const std::string t = fold_full_width(trim(text));
  if (t.empty()) return std::nullopt;
  std::vector<int> parts;
  std::string era;
  int n = -1;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c >= '0' && c <= '9') {
      n = (n < 0 ? 0 : n * 10) + (c - '0');
      if (n > 99999999) return std::nullopt;
      continue;
    }
    if (n >= 0) parts.push_back(n);
    n = -1;
    if (parts.empty() && era.empty() && c != ' ') {
      // an era before the first number: 令和, 平成, R, H
      const std::string_view rest = std::string_view(t).substr(i);
      if (rest.starts_with("令和")) {
        era = "R";
        i += std::string_view("令和").size() - 1;
      } else if (rest.starts_with("平成")) {
        era = "H";
        i += std::string_view("平成").size() - 1;
      } else if (c == 'R' || c == 'r' || c == 'H' || c == 'h') {
        era = std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
      }
    }
  }
  if (n >= 0) parts.push_back(n);
  int y = 0;
  int m = 0;
  int d = 0;
  if (parts.size() == 1 && parts[0] >= 19000101 && parts[0] <= 29991231) {
    y = parts[0] / 10000;
    m = parts[0] / 100 % 100;
    d = parts[0] % 100;
  } else if (parts.size() == 3) {
    if (!era.empty()) {
      y = parts[0] + (era == "R" ? 2018 : 1988);
      m = parts[1];
      d = parts[2];
    } else if (parts[0] >= 1900) {
      y = parts[0];
      m = parts[1];
      d = parts[2];
    } else if (parts[2] >= 1900) {  // M/D/YYYY
      y = parts[2];
      m = parts[0];
      d = parts[1];
    } else if (parts[2] < 100 && parts[0] <= 12) {  // M/D/YY, as spreadsheets export dates
      y = 2000 + parts[2];
      m = parts[0];
      d = parts[1];
    }
  }
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return std::string(buf);
}

TableImportReport import_age_table(geo::Store& store, const std::filesystem::path& file,
                                   const std::vector<std::pair<std::int64_t, Row>>& rows,
                                   const AgeTableColumns& col, const TableImportOptions& opt,
                                   const std::string& encoding) {
  TableImportReport report;
  report.file = file.string();
  report.encoding = encoding;
  report.layout = std::string("地域・年齢別人口 (") +
                  (col.english ? "English property names" : "推奨/標準データセットの列名") + ")";
  const std::string fname = file.filename().string();
  auto at = [](const Row& row, int i) -> std::string {
    return i >= 0 && static_cast<std::size_t>(i) < row.size()
               ? std::string(trim(row[static_cast<std::size_t>(i)]))
               : std::string();
  };

  // The store's municipalities and small areas, by normalised name within each municipality.
  std::map<std::string, geo::Area> towns;  // id → area
  for (auto& m : store.areas(geo::AreaKind::municipality)) towns.emplace(m.id, std::move(m));
  std::vector<geo::Area> small;
  for (auto& a : store.areas()) {
    if (geo::is_small_area_kind(a.kind)) small.push_back(std::move(a));
  }
  auto town_of = [&](const geo::Area& a) {
    if (!a.lg_code.empty()) return "municipality:" + a.lg_code;
    return a.parent_id;
  };

  // --name-map
  std::map<std::string, std::string> name_map;  // file name (normalised) → stored name or id
  if (!opt.name_map.empty()) {
    std::string ignored;  // the encoding note
    const auto map_rows = parse_csv(read_text(opt.name_map, Encoding::auto_detect, ignored));
    for (const auto& [line, r] : map_rows) {
      if (r.size() < 2 || trim(r[0]).empty() || trim(r[1]).empty()) {
        throw SourceError("--name-map " + opt.name_map.filename().string() + " line " +
                          std::to_string(line) +
                          ": give two columns, the name in the table and the stored name or id");
      }
      name_map[normalize_area_name(r[0])] = std::string(trim(r[1]));
    }
  }

  // The municipality of each row: its 市区町村コード, else its 市区町村名 among the stored ones.
  auto municipality_of_row = [&](const Row& row) -> std::string {
    std::string code;
    for (const char c : fold_full_width(at(row, col.municipality_code))) {
      if (c >= '0' && c <= '9') code.push_back(c);
    }
    if (code.size() == 5) return "municipality:" + code + geo::lg_check_digit(code);
    if (code.size() == 6) return "municipality:" + code;
    const std::string city = at(row, col.city_name);
    if (!city.empty()) {
      for (const auto& [id, m] : towns) {
        if (m.name == city || m.name.ends_with(city)) return id;
      }
    }
    return {};
  };

  // Reference date, source.
  std::string date = opt.ref_date;
  std::string city_name;
  std::string municipality;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const Row& row = rows[r].second;
    if (date.empty()) {
      if (const auto d = parse_survey_date(at(row, col.survey_date))) date = *d;
    }
    if (city_name.empty()) city_name = at(row, col.city_name);
    if (municipality.empty()) municipality = municipality_of_row(row);
  }
  if (date.empty()) {
    throw SourceError(fname + ": no 調査年月日 can be read" +
                      (col.survey_date < 0 ? " (the file has no such column)" : "") +
                      "; give the reference date with --ref-date YYYY-MM-DD");
  }
  report.ref_date = date;
  if (city_name.empty() && towns.contains(municipality)) city_name = towns[municipality].name;

  // Names of the stored small areas, per municipality.
  std::map<std::string, std::map<std::string, std::vector<std::size_t>>> by_name;
  std::map<std::string, std::size_t> by_id;
  std::map<std::string, std::vector<std::size_t>> by_code;
  for (std::size_t i = 0; i < small.size(); ++i) {
    by_name[town_of(small[i])][normalize_area_name(small[i].name)].push_back(i);
    by_id[small[i].id] = i;
    by_code[small[i].code].push_back(i);
  }

  geo::SourceInfo source;
  source.key = !opt.source_key.empty() ? opt.source_key : "population:" + file.stem().string();
  source.title = !opt.title.empty()
                     ? opt.title
                     : "地域・年齢別人口" +
                           (city_name.empty() ? std::string() : "（" + city_name + "）") + " " +
                           date;
  source.publisher = city_name;
  source.license = !opt.license.empty() ? opt.license : "cc_by_4_0";
  source.attribution =
      !opt.attribution.empty()
          ? opt.attribution
          : (city_name.empty() ? std::string("地域・年齢別人口 ") + fname
                               : "出典「" + city_name + "オープンデータ」(" + city_name + ")");
  source.vintage = date;
  source.imported_at = geo::utc_now_iso();
  const std::int64_t source_id = store.upsert_source(source);
  report.source_id = source_id;

  // Statistics.
  struct Sum {
    const char* key;
    int from;  ///< first class (0 = 0–4)
    int to;    ///< last class
  };
  static constexpr std::array<Sum, 7> kSums{{{"aged_0_14", 0, 2},
                                             {"aged_15_64", 3, 12},
                                             {"aged_65", 13, 17},
                                             {"aged_75", 15, 17},
                                             {"aged_85", 17, 17},
                                             {"aged_15_39", 3, 7},
                                             {"aged_40_64", 8, 12}}};
  std::vector<std::string> keys{"population", "male", "female", "households"};
  for (const auto& s : kSums) keys.emplace_back(s.key);
  std::vector<geo::StatDef> defs;
  for (const auto& k : keys) {
    geo::StatDef d;
    d.key = k;
    d.label = std::string(geo::known_stat_label(k).value_or(k));
    d.unit = geo::StatUnit::count;
    d.publish = opt.publish_given ? opt.publish : geo::PublishLevel::public_;
    d.source_id = source_id;
    d.note = "地域・年齢別人口 " + fname + " (" + date + ")";
    defs.push_back(std::move(d));
    report.columns.emplace_back(k == "population"   ? "総人口"
                                : k == "male"       ? "男性"
                                : k == "female"     ? "女性"
                                : k == "households" ? "世帯数"
                                                    : "5歳階級の和",
                                k);
  }

  std::vector<geo::StatValue> values;
  std::vector<geo::AreaPopulation> populations;
  struct Group {
    std::vector<std::string> members;  ///< the holder first, then the areas it speaks for
    Figures figures;
    std::int64_t line = 0;  ///< its first row
    std::string name;
    std::set<std::string> names;  ///< the normalised names of its rows
    std::size_t order = 0;
  };
  std::map<std::string, Group> groups;  // holder id → its figures
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const std::int64_t line = rows[r].first;
    const Row& row = rows[r].second;
    const std::string name = at(row, col.region_name);
    const std::string code = at(row, col.region_code);
    if (name.empty() && code.empty()) continue;  // a blank template row
    ++report.rows_read;
    const std::string town = municipality_of_row(row);
    if (name == city_name || name == "合計" || name == "総数" || name == "計" || name == "全域" ||
        (!town.empty() && towns.contains(town) && name == towns[town].name)) {
      report.warnings.push_back({line, quote(name) + " is the municipality's total: skipped"});
      --report.rows_read;
      continue;
    }
    // The area: by code, by --name-map, by normalised name within the municipality.
    std::optional<std::size_t> hit;
    std::vector<std::size_t> parts;  ///< several stored areas of the row's one name
    std::string why;
    if (!code.empty()) {
      if (const auto it = by_id.find(code); it != by_id.end()) hit = it->second;
      if (!hit) {
        if (const auto it = by_code.find(code); it != by_code.end() && it->second.size() == 1) {
          hit = it->second.front();
        }
      }
    }
    const std::string norm = normalize_area_name(name);
    if (!hit && !name.empty()) {
      std::string target = norm;
      if (const auto m = name_map.find(norm); m != name_map.end()) {
        if (const auto it = by_id.find(m->second); it != by_id.end()) {
          hit = it->second;
        } else {
          target = normalize_area_name(m->second);
        }
      }
      if (!hit) {
        const auto t = by_name.find(town);
        if (t != by_name.end()) {
          const auto n = t->second.find(target);
          if (n != t->second.end()) {
            // e-Stat sometimes splits one 町 into parts of one name (…00, …01): the row's
            // figures are theirs together, held by the first and marked 合算 (merged) there.
            hit = n->second.front();
            for (const auto i : n->second) {
              if (small[i].code < small[*hit].code) hit = i;
            }
            if (n->second.size() > 1) parts = n->second;
          }
        }
      }
    }
    if (!hit) {
      if (!why.empty()) {
        report.rejected.push_back({line, quote(name) + " " + why + " (settle it with --name-map)"});
        continue;
      }
      const std::string shown = name.empty() ? code : name;
      report.unmatched.push_back(clip(shown));
      // the closest names of the municipality's stored areas
      std::vector<std::pair<std::size_t, std::string>> near;
      const auto t = by_name.find(town);
      if (t != by_name.end() && !name.empty()) {
        const std::u32string a = to_u32(norm);
        for (const auto& [n, ids] : t->second) {
          near.emplace_back(distance(a, to_u32(n)), small[ids.front()].name);
        }
        std::sort(near.begin(), near.end());
        std::vector<std::string> best;
        for (std::size_t i = 0; i < near.size() && i < 3; ++i) best.push_back(near[i].second);
        report.closest[clip(shown)] = std::move(best);
      } else {
        report.closest[clip(shown)] = {};
      }
      continue;
    }
    // Figures.
    std::string bad;
    auto cell = [&](int i, std::string_view what) -> std::optional<double> {
      if (i < 0) return std::nullopt;
      bool is_bad = false;
      const std::string raw = at(row, i);
      auto v = count_cell(raw, is_bad);
      if (is_bad) bad += (bad.empty() ? "" : "; ") + std::string(what) + " " + quote(raw);
      return v;
    };
    Figures f;
    for (std::size_t k = 0; k < 18; ++k) {
      f.men[k] = cell(col.men[k], class_name(static_cast<int>(k)) + "の男性");
      f.women[k] = cell(col.women[k], class_name(static_cast<int>(k)) + "の女性");
    }
    f.total = cell(col.total, "総人口");
    f.male = cell(col.male, "男性");
    f.female = cell(col.female, "女性");
    f.households = cell(col.households, "世帯数");
    if (!bad.empty()) {
      report.rejected.push_back({line, "not a number: " + bad});
      continue;
    }
    if (const auto all = f.sum(0, 17, true, true);
        f.total && all && std::abs(*f.total - *all) > 0.5) {
      report.warnings.push_back(
          {line, quote(name) + ": the 5-year classes sum to " +
                     std::to_string(static_cast<long long>(*all)) + ", 総人口 says " +
                     std::to_string(static_cast<long long>(*f.total)) + " (both stored as given)"});
    }
    const std::string& holder = small[*hit].id;
    auto [it, fresh] = groups.try_emplace(holder);
    Group& g = it->second;
    if (fresh) {
      g.line = line;
      g.name = name;
      g.figures = f;
      g.order = groups.size();
      if (parts.empty()) parts.push_back(*hit);
      for (const auto i : parts) g.members.push_back(small[i].id);
      if (g.members.size() > 1) {
        std::string list;
        for (const auto& m : g.members) list += (list.empty() ? "" : ", ") + m;
        report.warnings.push_back({line, quote(name) + " is the name of " +
                                             std::to_string(g.members.size()) + " stored areas (" +
                                             list +
                                             "): its figures are stored on the first, marked "
                                             "merged (合算), the others absorbed (合算元)"});
      }
    } else if (g.names.contains(norm) || normalize_area_name(g.name) == norm) {
      report.rejected.push_back({line, quote(name) + " is a second row for " + holder + " (line " +
                                           std::to_string(g.line) + ")"});
      continue;
    } else {
      // Rows of other names mapped onto one area (--name-map: 上西甲, 上西乙 → 上西): summed.
      g.figures.add(f);
      report.warnings.push_back({line, quote(name) + " summed into " + holder + " with " +
                                           quote(g.name) + " (line " + std::to_string(g.line) +
                                           ")"});
    }
    g.names.insert(norm);
    ++report.rows_matched;
  }

  std::vector<const Group*> ordered;
  ordered.reserve(groups.size());
  for (const auto& [id, g] : groups) ordered.push_back(&g);
  std::sort(ordered.begin(), ordered.end(),
            [](const Group* a, const Group* b) { return a->order < b->order; });
  for (const Group* g : ordered) {
    const std::string& holder = g->members.front();
    std::string others;
    for (std::size_t i = 1; i < g->members.size(); ++i) {
      others += (others.empty() ? "" : ",") + g->members[i];
    }
    const Figures& f = g->figures;
    const auto all = f.sum(0, 17, true, true);
    auto emit = [&](const std::string& key, std::optional<double> v) {
      geo::StatValue s;
      s.area_id = holder;
      s.key = key;
      s.ref_date = date;
      s.source_id = source_id;
      s.value = v;
      s.status = !v ? geo::StatStatus::missing
                    : (others.empty() ? geo::StatStatus::value : geo::StatStatus::merged);
      s.merged = others;
      if (!v) ++report.missing;
      values.push_back(std::move(s));
      for (std::size_t i = 1; i < g->members.size(); ++i) {
        geo::StatValue a;
        a.area_id = g->members[i];
        a.key = key;
        a.ref_date = date;
        a.source_id = source_id;
        a.status = geo::StatStatus::absorbed;
        a.merged = holder;
        values.push_back(std::move(a));
      }
    };
    emit("population", f.total ? f.total : all);
    emit("male", f.male ? f.male : f.sum(0, 17, true, false));
    emit("female", f.female ? f.female : f.sum(0, 17, false, true));
    emit("households", f.households);
    for (const auto& s : kSums) emit(s.key, f.sum(s.from, s.to, true, true));
    // The classes themselves, when the row has every one.
    if (all) {
      geo::AreaPopulation p;
      p.area_id = holder;
      p.ref_date = date;
      p.source_id = source_id;
      if (f.households) p.households = static_cast<std::int64_t>(*f.households);
      for (std::size_t k = 0; k < 18; ++k) {
        geo::AgeBandCount b;
        b.age_from = static_cast<int>(5 * k);
        if (k < 17) b.age_to = static_cast<int>(5 * k + 4);
        b.male = static_cast<std::int64_t>(*f.men[k]);
        b.female = static_cast<std::int64_t>(*f.women[k]);
        p.bands.push_back(b);
      }
      populations.push_back(std::move(p));
    }
  }
  if (report.rows_matched == 0) {
    const bool no_small = std::none_of(
        small.begin(), small.end(), [&](const geo::Area& a) { return town_of(a) == municipality; });
    throw SourceError(
        fname + ": no row could be imported (" + std::to_string(report.unmatched.size()) +
        " names match no stored area, " + std::to_string(report.rejected.size()) +
        " rows rejected)" +
        (no_small ? "; the store has no small areas of " +
                        (municipality.empty() ? std::string("this municipality") : municipality) +
                        ": import the e-Stat 小地域 boundaries first (--areas), or build "
                        "approximate ones from this file's locations (--areas " +
                        fname + " --approximate)"
                  : std::string()));
  }
  store.put_stats(defs, values);
  for (const auto& p : populations) store.put_population(p);
  report.values_written = static_cast<std::int64_t>(values.size());
  return report;
}

}  // namespace tsunagi::datasets
