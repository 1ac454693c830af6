// geo::Store on PostgreSQL: statistics of areas. The SQLite part
// (geo/store/sqlite/statistics.cpp) statement for statement, with $n parameters and own_data as a
// boolean. The whole put_stats is one PgWriteScope: a refused statistic (an unknown area or
// statistic, no reference date, not a number) leaves nothing written. A foreign-key violation
// aborts the PostgreSQL transaction; it is turned into the same InvalidArgument as in SQLite, and
// the scope's rollback (of the transaction or to its savepoint) clears the aborted state.
#include <cmath>
#include <string>
#include <utility>

#include "geo/core/code_lists.hpp"
#include "geo/core/error.hpp"
#include "geo/core/statistic.hpp"
#include "geo/store/postgres/pg_store.hpp"

namespace tsunagi::geo {

// ---- statistics ----

void PgStore::put_stats(const std::vector<StatDef>& defs, const std::vector<StatValue>& values) {
  require_writable();
  PgWriteScope tx(*this);
  for (const auto& d : defs) {
    if (d.key.empty()) throw InvalidArgument("a statistic needs a key");
    if (d.min_cell < 1) throw InvalidArgument("statistic " + d.key + ": min_cell must be >= 1");
    // One key, one protection: the values of every source under a key are served at the key's
    // publish level and small-cell rule, so another source may not change them (a public census
    // table must not make a municipality's internal figures of the same key public, nor the other
    // way round). The same source re-imported may.
    {
      const auto q = conn_->exec(
          "SELECT d.publish, d.own_data, d.source_id, coalesce(src.title, '') FROM stat_def d "
          "LEFT JOIN source src ON src.source_id = d.source_id WHERE d.stat_key = $1",
          pg::Params().text(d.key));
      if (q.rows() > 0) {
        const std::string publish = q.text(0, 0);
        const bool own = q.boolean(0, 1);
        const std::int64_t source = q.is_null(0, 2) ? 0 : q.i64(0, 2);
        const std::string title = q.text(0, 3);
        if (source != d.source_id && (publish != code_id(d.publish) || own != d.own_data)) {
          throw InvalidArgument(
              "statistic '" + d.key + "' is stored already as " + publish +
              (own ? " own figures (small-cell rule)" : " figures") +
              (title.empty() ? std::string() : " of " + title) +
              "; this import would serve them as " + std::string(code_id(d.publish)) +
              (d.own_data ? " own figures" : " figures") +
              ": give the column another name, or re-import that source with the level you want");
        }
      }
    }
    pg::Params p;
    p.text(d.key)
        .text(d.label)
        .text(stat_unit_id(d.unit))
        .text(code_id(d.publish))
        .boolean(d.own_data)
        .i64(d.min_cell);
    if (d.source_id > 0) {
      p.i64(d.source_id);
    } else {
      p.null();
    }
    p.text(d.note).text(d.breakdowns);
    conn_->exec(
        "INSERT INTO stat_def (stat_key, label, unit, publish, own_data, min_cell, source_id, "
        "note, breakdowns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (stat_key) DO "
        "UPDATE SET label = $2, unit = $3, publish = $4, own_data = $5, min_cell = $6, "
        "source_id = $7, note = $8, breakdowns = $9",
        p);
  }
  for (const auto& v : values) {
    if (v.ref_date.empty()) {
      throw InvalidArgument("statistic " + v.key + " of " + v.area_id + " has no reference date");
    }
    if (v.value && !std::isfinite(*v.value)) {
      throw InvalidArgument("statistic " + v.key + " of " + v.area_id + " is not a number");
    }
    pg::Params p;
    p.text(v.area_id).text(v.key).text(v.ref_date);
    if (v.value) {
      p.real(*v.value);
    } else {
      p.null();
    }
    p.text(stat_status_id(v.status)).text(v.merged);
    if (v.source_id > 0) {
      p.i64(v.source_id);
    } else {
      p.null();
    }
    try {
      conn_->exec(
          "INSERT INTO area_stat (area_id, stat_key, ref_date, value, status, merged, source_id) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (area_id, stat_key, ref_date) DO "
          "UPDATE SET value = $4, status = $5, merged = $6, source_id = $7",
          p);
    } catch (const StoreError& e) {
      throw InvalidArgument("statistic " + v.key + " of " + v.area_id + ": " + e.what() +
                            " (is the area stored and the statistic defined?)");
    }
  }
  // As SQLite's bump_areas_generation: the areas generation becomes the one this write makes.
  conn_->exec("UPDATE store_state SET areas_generation = generation + 1 WHERE id = 1");
  tx.commit();
}

std::vector<StatDef> PgStore::stat_defs() const {
  const auto s = conn_->exec(
      "SELECT stat_key, label, unit, publish, own_data, min_cell, source_id, note, breakdowns "
      "FROM stat_def "
      "ORDER BY stat_key");
  std::vector<StatDef> out;
  out.reserve(static_cast<std::size_t>(s.rows()));
  for (int i = 0; i < s.rows(); ++i) {
    StatDef d;
    d.key = s.text(i, 0);
    d.label = s.text(i, 1);
    d.unit = parse_stat_unit(s.view(i, 2)).value_or(StatUnit::count);
    d.publish = parse_code<PublishLevel>(s.view(i, 3)).value_or(PublishLevel::internal);
    d.own_data = s.boolean(i, 4);
    d.min_cell = static_cast<int>(s.i64(i, 5));
    d.source_id = s.is_null(i, 6) ? 0 : s.i64(i, 6);
    d.note = s.text(i, 7);
    d.breakdowns = s.text(i, 8);
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<StatValue> PgStore::stats() const {
  const auto s = conn_->exec(
      "SELECT area_id, stat_key, ref_date, value, status, merged, source_id FROM area_stat "
      "ORDER BY area_id, stat_key, ref_date");
  std::vector<StatValue> out;
  out.reserve(static_cast<std::size_t>(s.rows()));
  for (int i = 0; i < s.rows(); ++i) {
    StatValue v;
    v.area_id = s.text(i, 0);
    v.key = s.text(i, 1);
    v.ref_date = s.text(i, 2);
    if (!s.is_null(i, 3)) v.value = s.real(i, 3);
    v.status = parse_stat_status(s.view(i, 4)).value_or(StatStatus::missing);
    v.merged = s.text(i, 5);
    v.source_id = s.is_null(i, 6) ? 0 : s.i64(i, 6);
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace tsunagi::geo
