// geo::Store on SQLite: resources, their history and the change token.
#include "geo/store/sqlite/store_impl.hpp"

namespace tsunagi::geo {

// ---- resources ----

UpsertOutcome SqliteStore::upsert_imported(Resource& r, std::string_view actor) {
  impl_->require_writable();
  if (r.source_id <= 0 || r.source_key.empty()) {
    throw InvalidArgument("an imported resource needs its source and its id in that source");
  }
  validate(r);
  const bool in_transaction = sqlite3_get_autocommit(impl_->db) == 0;
  // A source that had no rows when this transaction first wrote to it (a first import) has
  // nothing to look up: its rows are inserted straight away. Should an id repeat, the UNIQUE
  // (source_id, source_key) index refuses that INSERT, and the row takes the lookup below.
  if (in_transaction && impl_->source_empty_in_transaction(r.source_id)) {
    r.id = new_uuid();
    r.version = 1;
    r.created_at = utc_now_iso();
    r.updated_at = r.created_at;
    impl_->defer_rtree();
    auto& ins = impl_->stmt_static(&insert_sql(), insert_sql());
    bind_resource(ins, r, actor);
    try {
      ins.run();
      impl_->note_deferred_insert(r.lon, r.lat);
      return UpsertOutcome::inserted;
    } catch (const StoreError&) {
      if (sqlite3_extended_errcode(impl_->db) != SQLITE_CONSTRAINT_UNIQUE) throw;
      ins.end();  // the row is there already: r's id, version and times are set again below
    }
  }
  static const std::string select_sql =
      resource_select_sql("WHERE source_id = ?1 AND source_key = ?2");
  auto& q = impl_->stmt(select_sql);
  const auto q_done = q.reset_at_end();
  q.bind(1, r.source_id);
  q.bind(2, r.source_key);
  const std::string now = utc_now_iso();
  if (!q.step()) {
    r.id = new_uuid();
    r.version = 1;
    r.created_at = now;
    r.updated_at = now;
    // One INSERT is atomic on its own: inside an import's transaction it needs no savepoint
    // (a savepoint per row cost a fifth of a 200k-row import).
    std::optional<WriteScope> tx;
    if (!in_transaction) {
      tx.emplace(*impl_);
    } else {
      impl_->defer_rtree();
    }
    auto& ins = impl_->stmt_static(&insert_sql(), insert_sql());
    bind_resource(ins, r, actor);
    ins.run();
    if (tx) {
      tx->commit();
    } else {
      impl_->note_deferred_insert(r.lon, r.lat);
    }
    return UpsertOutcome::inserted;
  }
  const Resource old = read_resource(q);
  if (same_content(r, old)) {
    r = old;
    return UpsertOutcome::unchanged;
  }
  WriteScope tx(*impl_);
  r.id = old.id;
  r.version = old.version + 1;
  r.created_at = old.created_at;
  r.updated_at = now;
  auto& up = impl_->stmt(update_sql());
  bind_resource(up, r, actor);
  up.run();
  impl_->add_history(r.id, r.version, actor, "imported", diff(old, r));
  tx.commit();
  return UpsertOutcome::updated;
}

void SqliteStore::create(Resource& r, std::string_view actor) {
  impl_->require_writable();
  validate(r);
  WriteScope tx(*impl_);
  r.id = new_uuid();
  r.version = 1;
  r.created_at = utc_now_iso();
  r.updated_at = r.created_at;
  if (r.source_id > 0 && r.source_key.empty()) r.source_key = r.id;
  auto& ins = impl_->stmt_static(&insert_sql(), insert_sql());
  bind_resource(ins, r, actor);
  ins.run();
  impl_->add_history(r.id, r.version, actor, "created", diff(Resource{}, r));
  tx.commit();
}

void SqliteStore::update(Resource& r, std::int64_t expected_version, std::string_view actor) {
  impl_->require_writable();
  validate(r);
  WriteScope tx(*impl_);
  auto old = impl_->find(r.id);
  if (!old) throw NotFound("no resource with id " + r.id);
  if (old->version != expected_version) {
    throw VersionConflict("resource " + r.id + " was changed by someone else (now version " +
                          std::to_string(old->version) + ", you edited version " +
                          std::to_string(expected_version) +
                          "): reload it and apply your change again");
  }
  r.source_id = old->source_id;
  r.source_key = old->source_key;
  r.created_at = old->created_at;
  if (same_content(r, *old)) {
    r = *old;
    tx.commit(/*changed=*/false);
    return;
  }
  r.version = old->version + 1;
  r.updated_at = utc_now_iso();
  auto& up = impl_->stmt(update_sql());
  bind_resource(up, r, actor);
  up.run();
  impl_->add_history(r.id, r.version, actor,
                     r.status == ResourceStatus::closed && old->status != ResourceStatus::closed
                         ? "closed"
                         : "updated",
                     diff(*old, r));
  tx.commit();
}

Resource SqliteStore::close(std::string_view id, std::int64_t expected_version,
                            std::string_view actor) {
  auto current = resource(id);
  if (!current) throw NotFound("no resource with id " + std::string(id));
  Resource r = *current;
  r.status = ResourceStatus::closed;
  update(r, expected_version, actor);
  return r;
}

std::optional<Resource> SqliteStore::resource(std::string_view id) const {
  return impl_->find(id);
}

void SqliteStore::for_each_resource(const std::function<void(Resource&&)>& f) const {
  auto& s = impl_->stmt(resource_select_sql("ORDER BY resource_id"));
  while (s.step()) f(read_resource(s));
}

namespace {

/// The SQLite change token: "<last resource rowid>:<last history id>". Rows are never deleted, so
/// both only grow.
struct ChangeMark {
  std::int64_t last_rowid = 0;
  std::int64_t last_history_id = 0;
};

std::optional<ChangeMark> parse_change_token(const Store::ChangeToken& t) {
  if (t.value().empty()) return ChangeMark{};
  const auto colon = t.value().find(':');
  if (colon == std::string::npos) return std::nullopt;
  ChangeMark m;
  const auto* text = t.value().data();
  const auto r1 = std::from_chars(text, text + colon, m.last_rowid);
  const auto r2 = std::from_chars(text + colon + 1, text + t.value().size(), m.last_history_id);
  if (r1.ec != std::errc() || r1.ptr != text + colon || r2.ec != std::errc() ||
      r2.ptr != text + t.value().size()) {
    return std::nullopt;
  }
  return m;
}

}  // namespace

ChangeToken SqliteStore::change_token() const {
  ChangeMark m;
  auto& r = impl_->stmt("SELECT coalesce(max(rowid), 0) FROM resource");
  const auto r_done = r.reset_at_end();
  if (r.step()) m.last_rowid = r.int64(0);
  auto& h = impl_->stmt("SELECT coalesce(max(history_id), 0) FROM resource_history");
  const auto h_done = h.reset_at_end();
  if (h.step()) m.last_history_id = h.int64(0);
  return ChangeToken(std::to_string(m.last_rowid) + ":" + std::to_string(m.last_history_id));
}

void SqliteStore::for_each_resource_changed_since(const ChangeToken& since,
                                                  const std::function<void(Resource&&)>& f) const {
  const auto mark = parse_change_token(since);
  if (!mark) throw InvalidArgument("not a change token of this store: " + since.value());
  // Rows are never deleted: a change is a new row (a rowid above the mark) or an edit, which
  // always writes a history entry. Two primary-key range reads, so there is no index to keep up
  // on the import path (an OR, or an ORDER BY, would scan the table); the few rows are put in id
  // order here.
  auto& s = impl_->stmt(
      resource_select_sql("WHERE rowid > ?1") + " UNION ALL " +
      resource_select_sql("WHERE resource_id IN (SELECT resource_id FROM resource_history "
                          "WHERE history_id > ?2) AND rowid <= ?1"));
  s.bind(1, mark->last_rowid);
  s.bind(2, mark->last_history_id);
  std::vector<Resource> rows;
  while (s.step()) rows.push_back(read_resource(s));
  std::sort(rows.begin(), rows.end(),
            [](const Resource& a, const Resource& b) { return a.id < b.id; });
  for (auto& r : rows) f(std::move(r));
}

std::optional<std::int64_t> SqliteStore::resources_changed_since(const ChangeToken& since) const {
  const auto mark = parse_change_token(since);
  if (!mark) return std::nullopt;
  const auto now = parse_change_token(change_token());
  if (!now || mark->last_rowid > now->last_rowid || mark->last_history_id > now->last_history_id) {
    return std::nullopt;  // from another store, or one replaced since
  }
  auto& s = impl_->stmt(
      "SELECT (SELECT count(*) FROM resource WHERE rowid > ?1) + "
      "(SELECT count(DISTINCT resource_id) FROM resource_history WHERE history_id > ?2)");
  const auto done = s.reset_at_end();
  s.bind(1, mark->last_rowid);
  s.bind(2, mark->last_history_id);
  return s.step() ? s.int64(0) : 0;
}

std::int64_t SqliteStore::resource_count() const {
  auto& s = impl_->stmt("SELECT count(*) FROM resource");
  const auto done = s.reset_at_end();
  return s.step() ? s.int64(0) : 0;
}

std::vector<std::pair<std::string, std::string>> SqliteStore::source_keys(
    std::int64_t source_id) const {
  std::vector<std::pair<std::string, std::string>> out;
  auto& s = impl_->stmt(
      "SELECT source_key, resource_id FROM resource WHERE source_id = ?1 ORDER BY source_key");
  s.bind(1, source_id);
  while (s.step()) out.emplace_back(s.text(0), s.text(1));
  return out;
}

std::vector<HistoryEntry> SqliteStore::history(std::string_view resource_id) const {
  std::vector<HistoryEntry> out;
  // Imported rows record their creation on the row itself (one write per row keeps imports fast);
  // it is the first entry of their history.
  auto& c =
      impl_->stmt("SELECT created_at, created_by, source_id FROM resource WHERE resource_id = ?1");
  const auto c_done = c.reset_at_end();
  c.bind(1, resource_id);
  if (!c.step()) throw NotFound("no resource with id " + std::string(resource_id));
  const bool imported = !c.is_null(2);
  if (imported) {
    out.push_back(
        HistoryEntry{0, std::string(resource_id), 1, c.text(0), c.text(1), "imported", "{}"});
  }
  auto& s = impl_->stmt(
      "SELECT history_id, resource_id, version, at, actor, action, changes_json "
      "FROM resource_history WHERE resource_id = ?1 ORDER BY history_id");
  s.bind(1, resource_id);
  while (s.step()) {
    out.push_back(HistoryEntry{s.int64(0), s.text(1), s.int64(2), s.text(3), s.text(4), s.text(5),
                               s.text(6)});
  }
  return out;
}

}  // namespace tsunagi::geo
