// geo::Store on PostgreSQL: resources, their history and the change token. The row layout is
// the one every backend shares (geo/store/resource_row.hpp); the point is a PostGIS geometry.
#include <algorithm>
#include <bit>
#include <charconv>

#include "geo/core/error.hpp"
#include "geo/core/ids.hpp"
#include "geo/store/postgres/pg_store.hpp"
#include "geo/store/resource_row.hpp"

namespace tsunagi::geo {

namespace {

using namespace resource_row;  // NOLINT(google-build-using-namespace): the shared layout

std::string column_list() {
  std::string s;
  for (const auto c : resource_columns()) {
    if (!s.empty()) s += ", ";
    s += c;
  }
  return s;
}

const std::string& select_sql() {
  static const std::string sql = "SELECT " + column_list() + " FROM resource ";
  return sql;
}

const std::string& insert_sql() {
  static const std::string sql = [] {
    std::string values;
    for (std::size_t i = 1; i <= resource_columns().size(); ++i) {
      values += '$' + std::to_string(i) + ", ";
    }
    return "INSERT INTO resource (" + column_list() + ", geom) VALUES (" + values +
           "ST_SetSRID(ST_MakePoint($7, $8), 4326))";
  }();
  return sql;
}

const std::string& update_sql() {
  static const std::string sql = [] {
    const auto& cols = resource_columns();
    std::string sets;
    // Every column but resource_id ($1), created_at ($5) and created_by (the last).
    for (std::size_t i = 1; i < cols.size() - 1; ++i) {
      if (i == 4) continue;
      sets += std::string(cols[i]) + " = $" + std::to_string(i + 1) + ", ";
    }
    // created_at and created_by are not written, but PostgreSQL needs every parameter used (to
    // know its type): the last two conditions are always true.
    const std::string last = "$" + std::to_string(cols.size());
    return "UPDATE resource SET " + sets + "geom = ST_SetSRID(ST_MakePoint($7, $8), 4326)" +
           " WHERE resource_id = $1 AND $5::text IS NOT DISTINCT FROM $5::text AND " + last +
           "::text IS NOT DISTINCT FROM " + last + "::text";
  }();
  return sql;
}

/// The parameters of a resource row, in resource_columns() order; created_by ($N, the last)
/// is ignored by the UPDATE.
pg::Params resource_params(const Resource& r, std::string_view created_by) {
  pg::Params p;
  p.text(r.id);
  if (r.source_id > 0) {
    p.i64(r.source_id).text(r.source_key);
  } else {
    p.null().null();
  }
  p.i64(r.version).text(r.created_at).text(r.updated_at).real(r.lon).real(r.lat);
  if (r.main_activity) {
    p.text(code_id(*r.main_activity));
  } else {
    p.null();
  }
  p.text(r.schedules.empty() ? std::string("[]") : schedules_to_json(r.schedules).dump());
  p.text(r.fees.empty() ? std::string("[]") : fees_to_json(r.fees).dump());
  if (r.offer) {
    p.text(offer_to_json(*r.offer).dump());
  } else {
    p.null();
  }
  if (r.barrier_free == BarrierFree{}) {
    p.text("{}");
  } else {
    json bf = barrier_free_to_json(r.barrier_free);
    for (auto it = bf.begin(); it != bf.end();) it = it->is_null() ? bf.erase(it) : std::next(it);
    p.text(bf.dump());
  }
  for (const auto* f : plain_column_fields()) {
    switch (f->kind) {
      case FieldKind::text:
      case FieldKind::date:
        p.text(r.*f->text);
        break;
      case FieldKind::integer:
        p.opt_int(r.*f->integer);
        break;
      case FieldKind::boolean:
        p.opt_bool(r.*f->boolean);
        break;
      case FieldKind::code:
        p.text(f->codes->by_value[static_cast<std::size_t>(f->get_code(r))].id);
        break;
      case FieldKind::code_set: {
        std::string ids;
        for (std::uint64_t b = f->get_codes(r); b != 0; b &= b - 1) {
          if (!ids.empty()) ids += ',';
          ids += f->codes->by_value[static_cast<std::size_t>(std::countr_zero(b))].id;
        }
        p.text(ids);
        break;
      }
      case FieldKind::number:
      case FieldKind::object:
      case FieldKind::list:
        p.null();
        break;
    }
  }
  p.text(created_by);
  return p;
}

Resource read_resource(const pg::Result& s, int row) {
  Resource r;
  r.id = s.text(row, 0);
  r.source_id = s.is_null(row, 1) ? 0 : s.i64(row, 1);
  r.source_key = s.text(row, 2);
  r.version = s.i64(row, 3);
  r.created_at = s.text(row, 4);
  r.updated_at = s.text(row, 5);
  r.lon = s.real(row, 6);
  r.lat = s.real(row, 7);
  if (!s.is_null(row, 8)) r.main_activity = parse_code<Activity>(s.view(row, 8));
  const auto sched = s.view(row, 9);
  if (sched != "[]") r.schedules = schedules_from_json(json::parse(sched));
  const auto fees = s.view(row, 10);
  if (fees != "[]") r.fees = fees_from_json(json::parse(fees));
  if (!s.is_null(row, 11)) r.offer = offer_from_json(json::parse(s.view(row, 11)));
  r.barrier_free = barrier_free_from_json(json::parse(s.view(row, 12)));
  int i = kPlainColumn0;
  for (const auto* f : plain_column_fields()) {
    switch (f->kind) {
      case FieldKind::text:
      case FieldKind::date:
        r.*f->text = s.text(row, i);
        break;
      case FieldKind::integer:
        r.*f->integer = s.opt_int(row, i);
        break;
      case FieldKind::boolean:
        r.*f->boolean = s.opt_bool(row, i);
        break;
      case FieldKind::code:
      case FieldKind::code_set:
        read_plain_code(*f, r, s.view(row, i));
        break;
      case FieldKind::number:
      case FieldKind::object:
      case FieldKind::list:
        break;
    }
    ++i;
  }
  return r;
}

std::optional<Resource> find(pg::Connection& c, std::string_view id) {
  const auto r = c.exec(select_sql() + "WHERE resource_id = $1", pg::Params().text(id));
  if (r.rows() == 0) return std::nullopt;
  return read_resource(r, 0);
}

void add_history(pg::Connection& c, const std::string& id, std::int64_t version,
                 std::string_view actor, std::string_view action, const json& changes) {
  c.exec(
      "INSERT INTO resource_history (resource_id, version, at, actor, action, changes_json) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      pg::Params()
          .text(id)
          .i64(version)
          .text(utc_now_iso())
          .text(actor)
          .text(action)
          .text(changes.dump()));
}

/// The PostgreSQL change token: "pg:<store id>:<last change_seq>". The store id tells a token of
/// another store (or of one dropped and made again) from one of this store's past.
struct ChangeMark {
  std::string store_id;
  std::int64_t seq = 0;
};

std::optional<ChangeMark> parse_token(const ChangeToken& t) {
  if (t.value().empty()) return ChangeMark{};
  const std::string_view v = t.value();
  if (!v.starts_with("pg:")) return std::nullopt;
  const auto colon = v.rfind(':');
  if (colon <= 3) return std::nullopt;
  ChangeMark m;
  m.store_id = std::string(v.substr(3, colon - 3));
  const auto* end = v.data() + v.size();
  const auto r = std::from_chars(v.data() + colon + 1, end, m.seq);
  if (r.ec != std::errc() || r.ptr != end) return std::nullopt;
  return m;
}

}  // namespace

// ---- resources ----

UpsertOutcome PgStore::upsert_imported(Resource& r, std::string_view actor) {
  require_writable();
  if (r.source_id <= 0 || r.source_key.empty()) {
    throw InvalidArgument("an imported resource needs its source and its id in that source");
  }
  validate(r);
  const auto q = conn_->exec(select_sql() + "WHERE source_id = $1 AND source_key = $2",
                             pg::Params().i64(r.source_id).text(r.source_key));
  const std::string now = utc_now_iso();
  if (q.rows() == 0) {
    r.id = new_uuid();
    r.version = 1;
    r.created_at = now;
    r.updated_at = now;
    PgWriteScope tx(*this);
    conn_->exec(insert_sql(), resource_params(r, actor));
    tx.commit();
    return UpsertOutcome::inserted;
  }
  const Resource old = read_resource(q, 0);
  if (same_content(r, old)) {
    r = old;
    return UpsertOutcome::unchanged;
  }
  PgWriteScope tx(*this);
  r.id = old.id;
  r.version = old.version + 1;
  r.created_at = old.created_at;
  r.updated_at = now;
  conn_->exec(update_sql(), resource_params(r, actor));
  add_history(*conn_, r.id, r.version, actor, "imported", diff(old, r));
  tx.commit();
  return UpsertOutcome::updated;
}

void PgStore::create(Resource& r, std::string_view actor) {
  require_writable();
  validate(r);
  PgWriteScope tx(*this);
  r.id = new_uuid();
  r.version = 1;
  r.created_at = utc_now_iso();
  r.updated_at = r.created_at;
  if (r.source_id > 0 && r.source_key.empty()) r.source_key = r.id;
  conn_->exec(insert_sql(), resource_params(r, actor));
  add_history(*conn_, r.id, r.version, actor, "created", diff(Resource{}, r));
  tx.commit();
}

void PgStore::update(Resource& r, std::int64_t expected_version, std::string_view actor) {
  require_writable();
  validate(r);
  PgWriteScope tx(*this);
  // The row is locked until the transaction ends: no other server edits it in between.
  const auto q =
      conn_->exec(select_sql() + "WHERE resource_id = $1 FOR UPDATE", pg::Params().text(r.id));
  if (q.rows() == 0) throw NotFound("no resource with id " + r.id);
  const Resource old = read_resource(q, 0);
  if (old.version != expected_version) {
    throw VersionConflict("resource " + r.id + " was changed by someone else (now version " +
                          std::to_string(old.version) + ", you edited version " +
                          std::to_string(expected_version) +
                          "): reload it and apply your change again");
  }
  r.source_id = old.source_id;
  r.source_key = old.source_key;
  r.created_at = old.created_at;
  if (same_content(r, old)) {
    r = old;
    tx.commit(/*changed=*/false);
    return;
  }
  r.version = old.version + 1;
  r.updated_at = utc_now_iso();
  conn_->exec(update_sql(), resource_params(r, actor));
  add_history(*conn_, r.id, r.version, actor,
              r.status == ResourceStatus::closed && old.status != ResourceStatus::closed
                  ? "closed"
                  : "updated",
              diff(old, r));
  tx.commit();
}

Resource PgStore::close(std::string_view id, std::int64_t expected_version,
                        std::string_view actor) {
  auto current = resource(id);
  if (!current) throw NotFound("no resource with id " + std::string(id));
  Resource r = *current;
  r.status = ResourceStatus::closed;
  update(r, expected_version, actor);
  return r;
}

std::optional<Resource> PgStore::resource(std::string_view id) const {
  return find(*conn_, id);
}

void PgStore::for_each_resource(const std::function<void(Resource&&)>& f) const {
  // In pages by id, so a large store is never one result in memory.
  constexpr int kPage = 5000;
  std::string after;
  bool first = true;
  for (;;) {
    const auto r =
        first ? conn_->exec(select_sql() + "ORDER BY resource_id LIMIT $1", pg::Params().i64(kPage))
              : conn_->exec(select_sql() + "WHERE resource_id > $1 ORDER BY resource_id LIMIT $2",
                            pg::Params().text(after).i64(kPage));
    first = false;
    for (int i = 0; i < r.rows(); ++i) f(read_resource(r, i));
    if (r.rows() < kPage) break;
    after = r.text(r.rows() - 1, 0);
  }
}

std::int64_t PgStore::resource_count() const {
  return conn_->exec("SELECT count(*) FROM resource").i64(0, 0);
}

ChangeToken PgStore::change_token() const {
  const auto r = conn_->exec(
      "SELECT store_id, (SELECT coalesce(max(change_seq), 0) FROM resource) FROM store_state");
  return ChangeToken("pg:" + r.text(0, 0) + ":" + r.text(0, 1));
}

void PgStore::for_each_resource_changed_since(const ChangeToken& since,
                                              const std::function<void(Resource&&)>& f) const {
  const auto mark = parse_token(since);
  if (!mark) throw InvalidArgument("not a change token of this store: " + since.value());
  const auto r = conn_->exec(select_sql() + "WHERE change_seq > $1 ORDER BY resource_id",
                             pg::Params().i64(mark->seq));
  for (int i = 0; i < r.rows(); ++i) f(read_resource(r, i));
}

std::optional<std::int64_t> PgStore::resources_changed_since(const ChangeToken& since) const {
  const auto mark = parse_token(since);
  if (!mark) return std::nullopt;
  const auto now = parse_token(change_token());
  if (!now || (!mark->store_id.empty() && mark->store_id != now->store_id) ||
      mark->seq > now->seq) {
    return std::nullopt;  // from another store, or one replaced since
  }
  return conn_
      ->exec("SELECT count(*) FROM resource WHERE change_seq > $1", pg::Params().i64(mark->seq))
      .i64(0, 0);
}

std::vector<std::pair<std::string, std::string>> PgStore::source_keys(
    std::int64_t source_id) const {
  const auto r = conn_->exec(
      "SELECT source_key, resource_id FROM resource WHERE source_id = $1 ORDER BY source_key",
      pg::Params().i64(source_id));
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.text(i, 0), r.text(i, 1));
  return out;
}

std::vector<HistoryEntry> PgStore::history(std::string_view resource_id) const {
  std::vector<HistoryEntry> out;
  // Imported rows record their creation on the row itself; it is the first entry of their history.
  const auto c =
      conn_->exec("SELECT created_at, created_by, source_id FROM resource WHERE resource_id = $1",
                  pg::Params().text(resource_id));
  if (c.rows() == 0) throw NotFound("no resource with id " + std::string(resource_id));
  if (!c.is_null(0, 2)) {
    out.push_back(
        HistoryEntry{0, std::string(resource_id), 1, c.text(0, 0), c.text(0, 1), "imported", "{}"});
  }
  const auto s = conn_->exec(
      "SELECT history_id, resource_id, version, at, actor, action, changes_json "
      "FROM resource_history WHERE resource_id = $1 ORDER BY history_id",
      pg::Params().text(resource_id));
  for (int i = 0; i < s.rows(); ++i) {
    out.push_back(HistoryEntry{s.i64(i, 0), s.text(i, 1), s.i64(i, 2), s.text(i, 3), s.text(i, 4),
                               s.text(i, 5), s.text(i, 6)});
  }
  return out;
}

}  // namespace tsunagi::geo
