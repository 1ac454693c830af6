#include "geo/catalog/indicator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <unordered_map>

#include "geo/catalog/small_cell.hpp"

namespace tsunagi::geo {

namespace {

// ひきこもり推計: こども・若者の意識と生活に関する調査 (令和4年度, こども家庭庁): 広義のひきこもり
// 2.05% of people aged 15–39 and 2.02% of people aged 40–64 (domain.md §4.5).
constexpr double kHikikomori15to39 = 0.0205;
constexpr double kHikikomori40to64 = 0.0202;

constexpr std::array<DerivedIndicator, 4> kDerived{{
    {"aging_rate", "高齢化率", StatUnit::ratio, "65歳以上人口 ÷ 人口総数"},
    {"late_elderly_rate", "後期高齢者率", StatUnit::ratio, "75歳以上人口 ÷ 人口総数"},
    {"elderly_single_rate", "高齢単身世帯率", StatUnit::ratio,
     "高齢単身世帯数 ÷ 一般世帯数（なければ世帯総数）"},
    {"hikikomori_estimate", "ひきこもり推計（モデル推計値）", StatUnit::estimate,
     "推計値: 15〜39歳人口×2.05% ＋ 40〜64歳人口×2.02%（こども家庭庁「こども・若者の意識と生活に"
     "関する調査」令和4年度の出現率を当てはめたもの。実数ではない）"},
}};

int level_rank(PublishLevel p) {
  return static_cast<int>(p);
}

}  // namespace

std::span<const DerivedIndicator> derived_indicators() {
  return kDerived;
}

std::optional<std::size_t> IndicatorTable::column(std::string_view key) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].key == key) return i;
  }
  return std::nullopt;
}

namespace {

/// Figures of the age bands of one population, as statistics.
std::vector<std::pair<std::string_view, double>> band_stats(const AreaPopulation& p) {
  std::vector<std::pair<std::string_view, double>> out;
  if (!p.bands.empty()) {
    auto sum = [&](int from, int to) {  // ages [from, to]; to < 0: open
      double t = 0;
      for (const auto& b : p.bands) {
        const int hi = b.age_to.value_or(1000);
        if (b.age_from >= from && (to < 0 || hi <= to)) t += static_cast<double>(b.male + b.female);
      }
      return t;
    };
    double male = 0;
    double female = 0;
    for (const auto& b : p.bands) {
      male += static_cast<double>(b.male);
      female += static_cast<double>(b.female);
    }
    out.emplace_back("population", male + female);
    out.emplace_back("male", male);
    out.emplace_back("female", female);
    out.emplace_back("aged_0_14", sum(0, 14));
    out.emplace_back("aged_15_64", sum(15, 64));
    out.emplace_back("aged_65", sum(65, -1));
    out.emplace_back("aged_75", sum(75, -1));
    out.emplace_back("aged_15_39", sum(15, 39));
    out.emplace_back("aged_40_64", sum(40, 64));
  }
  if (p.households) out.emplace_back("households", static_cast<double>(*p.households));
  return out;
}

}  // namespace

IndicatorTable::IndicatorTable(const std::vector<Area>& areas,
                               const std::vector<AreaPopulation>& populations,
                               const std::vector<StatDef>& defs,
                               const std::vector<StatValue>& values)
    : area_count_(areas.size()) {
  std::unordered_map<std::string_view, std::size_t> area_index;
  for (std::size_t i = 0; i < areas.size(); ++i) area_index.emplace(areas[i].id, i);

  // Columns: the known statistics first (in their order), then the other stored ones.
  std::map<std::string, const StatDef*, std::less<>> def_of;
  for (const auto& d : defs) def_of[d.key] = &d;
  std::map<std::string, std::size_t, std::less<>> col_of;
  auto add_column = [&](Column c) {
    col_of[c.key] = columns_.size();
    columns_.push_back(std::move(c));
  };
  std::vector<const AreaPopulation*> newest_pop(areas.size(), nullptr);
  bool any_bands = false;
  bool any_households = false;
  for (const auto& p : populations) {
    const auto it = area_index.find(p.area_id);
    if (it == area_index.end()) continue;
    auto*& slot = newest_pop[it->second];
    if (slot == nullptr || slot->ref_date < p.ref_date) slot = &p;
    any_bands = any_bands || !p.bands.empty();
    any_households = any_households || p.households.has_value();
  }
  std::int64_t band_source = 0;
  for (const auto* p : newest_pop) {
    if (p != nullptr && p->source_id > 0) band_source = p->source_id;
  }
  for (const auto& k : known_stats()) {
    const auto d = def_of.find(k.key);
    const bool from_bands =
        k.key == "households" ? any_households
                              : (any_bands && k.key != "general_households" && k.key != "aged_85" &&
                                 k.key.find("households") == std::string::npos);
    if (d == def_of.end() && !from_bands) continue;
    Column c;
    c.key = std::string(k.key);
    c.label = std::string(k.label);
    if (d != def_of.end()) {
      c.unit = d->second->unit;
      c.publish = d->second->publish;
      c.own_data = d->second->own_data;
      c.note = d->second->note;
      c.source_id = d->second->source_id;
      if (!d->second->label.empty()) c.label = d->second->label;
    } else {
      c.source_id = band_source;
    }
    add_column(std::move(c));
  }
  for (const auto& d : defs) {
    if (col_of.contains(d.key)) continue;
    add_column(Column{d.key,
                      d.label.empty() ? d.key : d.label,
                      d.unit,
                      d.publish,
                      d.own_data,
                      false,
                      d.note,
                      "",
                      d.source_id,
                      {}});
  }
  const std::size_t stored_columns = columns_.size();
  for (const auto& di : kDerived) {
    std::vector<std::string> inputs;
    if (di.key == "aging_rate") inputs = {"aged_65", "population"};
    if (di.key == "late_elderly_rate") inputs = {"aged_75", "population"};
    if (di.key == "elderly_single_rate") {
      inputs = {"elderly_single_households",
                col_of.contains("general_households") ? "general_households" : "households"};
    }
    if (di.key == "hikikomori_estimate") inputs = {"aged_15_39", "aged_40_64"};
    if (!std::all_of(inputs.begin(), inputs.end(),
                     [&](const std::string& k) { return col_of.contains(k); })) {
      continue;
    }
    Column c{std::string(di.key),
             std::string(di.label),
             di.unit,
             PublishLevel::public_,
             false,
             true,
             std::string(di.note),
             "",
             0,
             inputs};
    for (const auto& in : inputs) {
      const auto& ic = columns_[col_of[in]];
      if (level_rank(ic.publish) > level_rank(c.publish)) c.publish = ic.publish;
      c.own_data = c.own_data || ic.own_data;
    }
    add_column(std::move(c));
  }

  const std::size_t ncol = columns_.size();
  cells_.assign(areas.size() * ncol, IndicatorCell{});
  auto at = [&](std::size_t area, std::size_t col) -> IndicatorCell& {
    return cells_[area * ncol + col];
  };

  // Stored values: the newest reference date per area and statistic.
  std::vector<std::string> cell_date(areas.size() * stored_columns);
  for (const auto& v : values) {
    const auto a = area_index.find(v.area_id);
    const auto c = col_of.find(v.key);
    if (a == area_index.end() || c == col_of.end() || c->second >= stored_columns) continue;
    auto& date = cell_date[a->second * stored_columns + c->second];
    if (!date.empty() && date > v.ref_date) continue;
    date = v.ref_date;
    auto& cell = at(a->second, c->second);
    cell.status = v.status;
    cell.value = v.value.value_or(0);
    if ((cell.status == StatStatus::value || cell.status == StatStatus::merged) && !v.value) {
      cell.status = StatStatus::missing;
    }
    cell.merged = 0;
    if (!v.merged.empty()) {
      cell.merged = static_cast<std::uint32_t>(merged_texts_.size());
      merged_texts_.push_back(v.merged);
    }
    auto& col = columns_[c->second];
    if (col.ref_date < v.ref_date) col.ref_date = v.ref_date;
  }
  // Age bands fill what no stored statistic gives.
  for (std::size_t a = 0; a < areas.size(); ++a) {
    const auto* p = newest_pop[a];
    if (p == nullptr) continue;
    for (const auto& [key, value] : band_stats(*p)) {
      const auto c = col_of.find(key);
      if (c == col_of.end()) continue;
      if (!cell_date[a * stored_columns + c->second].empty()) continue;
      auto& cell = at(a, c->second);
      cell.status = StatStatus::value;
      cell.value = value;
      auto& col = columns_[c->second];
      if (col.ref_date < p->ref_date) col.ref_date = p->ref_date;
    }
  }

  // The small-cell rule for a municipality's own counts (small_cell.hpp): every own column at
  // once, so that a cell is protected across rows, columns and area types together.
  std::vector<std::size_t> own;
  for (std::size_t c = 0; c < stored_columns; ++c) {
    if (columns_[c].own_data) own.push_back(c);
  }
  if (!own.empty()) {
    SmallCellInput in;
    in.areas = &areas;
    in.columns = own.size();
    in.value.resize(areas.size() * own.size());
    std::map<std::string, std::size_t, std::less<>> own_of;
    for (std::size_t j = 0; j < own.size(); ++j) {
      const auto d = def_of.find(columns_[own[j]].key);
      in.k.push_back(d == def_of.end() ? 10 : d->second->min_cell);
      own_of[columns_[own[j]].key] = j;
      for (std::size_t a = 0; a < areas.size(); ++a) {
        const auto& cell = at(a, own[j]);
        if (cell.has_value()) in.value[a * own.size() + j] = cell.value;
      }
    }
    // Declared totals, then the ones the figures show (columns of one source, row by row).
    for (std::size_t j = 0; j < own.size(); ++j) {
      const auto d = def_of.find(columns_[own[j]].key);
      if (d == def_of.end()) continue;
      for (const auto& parts : parse_breakdowns(d->second->breakdowns)) {
        Breakdown b{j, {}};
        for (const auto& p : parts) {
          if (const auto it = own_of.find(p); it != own_of.end()) b.parts.push_back(it->second);
        }
        if (b.parts.size() == parts.size() && !b.parts.empty()) in.breakdowns.push_back(b);
      }
    }
    std::map<std::int64_t, std::vector<std::size_t>> by_source;
    for (std::size_t j = 0; j < own.size(); ++j) by_source[columns_[own[j]].source_id].push_back(j);
    for (const auto& [source, js] : by_source) {
      if (js.size() < 3) continue;
      std::vector<std::vector<std::optional<double>>> rows;
      for (std::size_t a = 0; a < areas.size(); ++a) {
        std::vector<std::optional<double>> row;
        bool any = false;
        for (const auto j : js) {
          row.push_back(in.value[a * own.size() + j]);
          any = any || row.back().has_value();
        }
        if (any) rows.push_back(std::move(row));
      }
      for (auto b : detect_breakdowns(rows, js.size())) {
        b.total = js[b.total];
        for (auto& p : b.parts) p = js[p];
        if (std::find(in.breakdowns.begin(), in.breakdowns.end(), b) == in.breakdowns.end()) {
          in.breakdowns.push_back(std::move(b));
        }
      }
    }
    const auto rule = apply_small_cell_rule(in);
    for (std::size_t a = 0; a < areas.size(); ++a) {
      for (std::size_t j = 0; j < own.size(); ++j) {
        if (!rule.suppressed[a * own.size() + j]) continue;
        auto& cell = at(a, own[j]);
        cell.status = StatStatus::suppressed;
        cell.value = 0;
      }
    }
  }

  // Derived indicators: a mark on any input carries over; never computed around a gap.
  for (std::size_t c = stored_columns; c < ncol; ++c) {
    auto& col = columns_[c];
    std::vector<std::size_t> in;
    for (const auto& k : col.inputs) in.push_back(col_of[k]);
    for (const auto i : in) {
      if (col.ref_date < columns_[i].ref_date) col.ref_date = columns_[i].ref_date;
    }
    for (std::size_t a = 0; a < areas.size(); ++a) {
      auto& out = at(a, c);
      StatStatus worst = StatStatus::value;
      std::uint32_t merged = 0;
      for (const auto i : in) {
        const auto& ic = at(a, i);
        if (static_cast<int>(ic.status) > static_cast<int>(worst)) worst = ic.status;
        if (ic.merged != 0 && merged == 0) merged = ic.merged;
      }
      out.status = worst;
      out.merged = merged;
      if (!out.has_value()) continue;
      if (col.key == "hikikomori_estimate") {
        out.value = at(a, in[0]).value * kHikikomori15to39 + at(a, in[1]).value * kHikikomori40to64;
      } else {
        const double den = at(a, in[1]).value;
        if (den <= 0) {
          out.status = StatStatus::missing;
          continue;
        }
        out.value = at(a, in[0]).value / den;
      }
    }
  }
}

}  // namespace tsunagi::geo
