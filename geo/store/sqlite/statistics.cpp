// geo::Store on SQLite: statistics of areas.
#include "geo/store/sqlite/store_impl.hpp"

namespace tsunagi::geo {

// ---- statistics ----

void SqliteStore::put_stats(const std::vector<StatDef>& defs,
                            const std::vector<StatValue>& values) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  for (const auto& d : defs) {
    if (d.key.empty()) throw InvalidArgument("a statistic needs a key");
    if (d.min_cell < 1) throw InvalidArgument("statistic " + d.key + ": min_cell must be >= 1");
    // One key, one protection: the values of every source under a key are served at the key's
    // publish level and small-cell rule, so another source may not change them (a public census
    // table must not make a municipality's internal figures of the same key public, nor the other
    // way round). The same source re-imported may.
    {
      auto& q = impl_->stmt(
          "SELECT d.publish, d.own_data, d.source_id, coalesce(src.title, '') FROM stat_def d "
          "LEFT JOIN source src ON src.source_id = d.source_id WHERE d.stat_key = ?1");
      const auto done = q.reset_at_end();
      q.bind(1, d.key);
      if (q.step()) {
        const std::string publish = q.text(0);
        const bool own = q.int64(1) != 0;
        const std::int64_t source = q.is_null(2) ? 0 : q.int64(2);
        if (source != d.source_id && (publish != code_id(d.publish) || own != d.own_data)) {
          throw InvalidArgument(
              "statistic '" + d.key + "' is stored already as " + publish +
              (own ? " own figures (small-cell rule)" : " figures") +
              (q.text(3).empty() ? std::string() : " of " + q.text(3)) +
              "; this import would serve them as " + std::string(code_id(d.publish)) +
              (d.own_data ? " own figures" : " figures") +
              ": give the column another name, or re-import that source with the level you want");
        }
      }
    }
    auto& s = impl_->stmt(
        "INSERT INTO stat_def (stat_key, label, unit, publish, own_data, min_cell, source_id, "
        "note, breakdowns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(stat_key) DO "
        "UPDATE SET label = ?2, unit = ?3, publish = ?4, own_data = ?5, min_cell = ?6, "
        "source_id = ?7, note = ?8, breakdowns = ?9");
    s.bind(1, d.key);
    s.bind(2, d.label);
    s.bind(3, stat_unit_id(d.unit));
    s.bind(4, code_id(d.publish));
    s.bind(5, static_cast<std::int64_t>(d.own_data ? 1 : 0));
    s.bind(6, static_cast<std::int64_t>(d.min_cell));
    if (d.source_id > 0) {
      s.bind(7, d.source_id);
    } else {
      s.bind_null(7);
    }
    s.bind(8, d.note);
    s.bind(9, d.breakdowns);
    s.run();
  }
  for (const auto& v : values) {
    if (v.ref_date.empty()) {
      throw InvalidArgument("statistic " + v.key + " of " + v.area_id + " has no reference date");
    }
    if (v.value && !std::isfinite(*v.value)) {
      throw InvalidArgument("statistic " + v.key + " of " + v.area_id + " is not a number");
    }
    auto& s = impl_->stmt(
        "INSERT INTO area_stat (area_id, stat_key, ref_date, value, status, merged, source_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(area_id, stat_key, ref_date) DO UPDATE "
        "SET value = ?4, status = ?5, merged = ?6, source_id = ?7");
    s.bind(1, v.area_id);
    s.bind(2, v.key);
    s.bind(3, v.ref_date);
    if (v.value) {
      s.bind(4, *v.value);
    } else {
      s.bind_null(4);
    }
    s.bind(5, stat_status_id(v.status));
    s.bind(6, v.merged);
    if (v.source_id > 0) {
      s.bind(7, v.source_id);
    } else {
      s.bind_null(7);
    }
    try {
      s.run();
    } catch (const StoreError& e) {
      throw InvalidArgument("statistic " + v.key + " of " + v.area_id + ": " + e.what() +
                            " (is the area stored and the statistic defined?)");
    }
  }
  impl_->bump_areas_generation();
  tx.commit();
}

std::vector<StatDef> SqliteStore::stat_defs() const {
  std::vector<StatDef> out;
  auto& s = impl_->stmt(
      "SELECT stat_key, label, unit, publish, own_data, min_cell, source_id, note, breakdowns "
      "FROM stat_def "
      "ORDER BY stat_key");
  while (s.step()) {
    StatDef d;
    d.key = s.text(0);
    d.label = s.text(1);
    d.unit = parse_stat_unit(s.text(2)).value_or(StatUnit::count);
    d.publish = code_or(s.text(3), PublishLevel::internal);
    d.own_data = s.int64(4) != 0;
    d.min_cell = static_cast<int>(s.int64(5));
    d.source_id = s.is_null(6) ? 0 : s.int64(6);
    d.note = s.text(7);
    d.breakdowns = s.text(8);
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<StatValue> SqliteStore::stats() const {
  std::vector<StatValue> out;
  auto& s = impl_->stmt(
      "SELECT area_id, stat_key, ref_date, value, status, merged, source_id FROM area_stat "
      "ORDER BY area_id, stat_key, ref_date");
  while (s.step()) {
    StatValue v;
    v.area_id = s.text(0);
    v.key = s.text(1);
    v.ref_date = s.text(2);
    if (!s.is_null(3)) v.value = s.real(3);
    v.status = parse_stat_status(s.text(4)).value_or(StatStatus::missing);
    v.merged = s.text(5);
    v.source_id = s.is_null(6) ? 0 : s.int64(6);
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace tsunagi::geo
