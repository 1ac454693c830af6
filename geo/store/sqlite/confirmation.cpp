#include "geo/store/confirmation.hpp"

#include <sqlite3.h>

#include <algorithm>

#include "geo/core/error.hpp"
#include "geo/core/ids.hpp"
#include "geo/core/resource_json.hpp"
#include "geo/store/audit_log.hpp"
#include "geo/store/sqlite/audit_chain.hpp"
#include "geo/store/sqlite/sqlite_store.hpp"
#include "geo/store/sqlite/statement.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

using nlohmann::json;

namespace {

class Statement : public SqliteStatement {
 public:
  Statement(sqlite3* db, std::string_view sql)
      : SqliteStatement(db, sql, {.error_prefix = "confirmations"}) {}
};

// Properties no change may carry: identity, provenance and bookkeeping are the store's.
constexpr std::array<std::string_view, 7> kNeverChanged{
    "id", "version", "updated_at", "created_at", "source_id", "source_key", "distance_m"};

void audit(sqlite3* db, const AuditActor& who, std::string_view action, std::string_view detail) {
  audit_chain::Row row;
  row.at = utc_now_iso();
  row.user_id = who.user_id;
  row.user_name = who.name;
  row.action = std::string(action);
  row.detail = std::string(detail);
  audit_chain::append(db, std::move(row));
}

Proposal read_proposal(const Statement& s) {
  Proposal p;
  p.id = s.int64(0);
  p.resource_id = s.text(1);
  p.origin = s.text(2);
  p.request_id = s.is_null(3) ? 0 : s.int64(3);
  p.answer = s.text(4);
  p.changes_json = s.text(5);
  p.diff_json = s.text(6);
  p.report_text = s.text(7);
  p.base_version = s.int64(8);
  p.created_at = s.text(9);
  p.status = s.text(10);
  p.decided_at = s.text(11);
  p.decided_by = s.text(12);
  p.decision = s.text(13);
  return p;
}

constexpr std::string_view kProposalColumns =
    "proposal_id, resource_id, origin, request_id, answer, changes_json, diff_json, report_text, "
    "base_version, created_at, status, decided_at, decided_by, decision";

std::int64_t insert_proposal(sqlite3* db, const Proposal& p) {
  Statement s(db,
              "INSERT INTO listing_proposal (resource_id, origin, request_id, answer, "
              "changes_json, diff_json, report_text, base_version, created_at, status) "
              "VALUES (?,?,?,?,?,?,?,?,?,'open')");
  s.bind(1, p.resource_id).bind(2, p.origin);
  if (p.request_id != 0) {
    s.bind(3, p.request_id);
  } else {
    s.bind_null(3);
  }
  s.bind(4, p.answer).bind(5, p.changes_json).bind(6, p.diff_json).bind(7, p.report_text);
  s.bind(8, p.base_version).bind(9, p.created_at);
  s.run();
  return sqlite3_last_insert_rowid(db);
}

}  // namespace

std::string_view host_answer_id(HostAnswer a) {
  switch (a) {
    case HostAnswer::unchanged:
      return "unchanged";
    case HostAnswer::changed:
      return "changed";
    case HostAnswer::paused:
      return "paused";
    case HostAnswer::ended:
      return "ended";
  }
  return "unchanged";
}

HostAnswer parse_host_answer(std::string_view text) {
  for (const HostAnswer a :
       {HostAnswer::unchanged, HostAnswer::changed, HostAnswer::paused, HostAnswer::ended}) {
    if (host_answer_id(a) == text) return a;
  }
  throw InvalidArgument("answer: must be one of unchanged, changed, paused, ended (not '" +
                        std::string(text.substr(0, 40)) + "')");
}

const std::vector<std::string_view>& host_editable_keys() {
  static const std::vector<std::string_view> keys = {"description",   "phone",
                                                     "fax",           "email",
                                                     "url",           "schedules",
                                                     "fees",          "fee_note",
                                                     "vacancy",       "vacancy_as_of",
                                                     "capacity",      "barrier_free",
                                                     "meal_provided", "reservation_required",
                                                     "parking"};
  return keys;
}

Resource with_changes(const Resource& current, const json& changes) {
  if (!changes.is_object()) throw InvalidArgument("changes: must be a JSON object");
  json merged = to_json(current);
  for (const auto& [key, value] : changes.items()) {
    if (std::find(kNeverChanged.begin(), kNeverChanged.end(), key) != kNeverChanged.end()) {
      throw InvalidArgument("changes." + key + ": is kept by the store and cannot be changed");
    }
    merged[key] = value;
  }
  Resource r = resource_from_json(merged);
  r.id = current.id;
  r.source_id = current.source_id;
  r.source_key = current.source_key;
  r.version = current.version;
  r.created_at = current.created_at;
  r.updated_at = current.updated_at;
  validate(r);
  return r;
}

Resource with_host_changes(const Resource& current, const json& changes) {
  if (!changes.is_object()) throw InvalidArgument("changes: must be a JSON object");
  const auto& keys = host_editable_keys();
  for (const auto& [key, value] : changes.items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string known;
      for (const auto k : keys) known += (known.empty() ? "" : ", ") + std::string(k);
      throw InvalidArgument("changes." + key.substr(0, 40) + ": a host cannot change '" +
                            key.substr(0, 40) + "' (ask the coordinator); a host may change " +
                            known);
    }
  }
  return with_changes(current, changes);
}

json status_diff(const Resource& current, HostAnswer answer) {
  json out = json::object();
  if (answer != HostAnswer::paused && answer != HostAnswer::ended) return out;
  const auto to = answer == HostAnswer::paused ? ResourceStatus::paused : ResourceStatus::closed;
  if (current.status != to)
    out["status"] = {{"from", code_id(current.status)}, {"to", code_id(to)}};
  return out;
}

json changes_diff(const Resource& current, const json& changes) {
  const json now = to_json(current);
  json out = json::object();
  if (!changes.is_object()) return out;
  for (const auto& [key, value] : changes.items()) {
    const auto it = now.find(key);
    const json from = it != now.end() ? *it : json();
    if (from != value) out[key] = {{"from", from}, {"to", value}};
  }
  return out;
}

/// Confirmations on the SQLite store.
class SqliteConfirmations final : public Confirmations {
 public:
  explicit SqliteConfirmations(SqliteStore& store) : store_(&store) {}

  std::int64_t add_request(std::string_view resource_id, std::string_view token_hash,
                           std::string_view code_hash, std::string_view expires_at,
                           const AuditActor& who) override;
  std::vector<std::int64_t> add_requests(const std::vector<NewRequest>& requests,
                                         std::string_view expires_at,
                                         const AuditActor& who) override;
  std::optional<ConfirmationRequest> open_request(std::string_view hash,
                                                  std::string_view now_iso) const override;
  std::vector<ConfirmationRequest> open_requests(std::string_view now_iso) const override;
  AnswerOutcome answer(std::int64_t request_id, HostAnswer answer, const nlohmann::json& changes,
                       std::string_view today, std::string_view now_iso) override;
  std::int64_t add_report(std::string_view resource_id, std::string_view text,
                          std::string_view now_iso) override;
  std::vector<Proposal> open_proposals(std::int64_t limit, std::int64_t offset) const override;
  std::int64_t count_open() const override;
  std::optional<Proposal> proposal(std::int64_t id) const override;
  Resource decide(std::int64_t proposal_id, std::string_view decision,
                  const nlohmann::json& edited_changes,
                  std::optional<std::int64_t> expected_version, const AuditActor& who) override;
  std::vector<Resource> unconfirmed_since(std::string_view before_date,
                                          std::optional<ResourceKind> kind) const override;

 private:
  SqliteStore* store_;
};

std::unique_ptr<Confirmations> make_sqlite_confirmations(SqliteStore& store) {
  return std::make_unique<SqliteConfirmations>(store);
}

std::int64_t SqliteConfirmations::add_request(std::string_view resource_id,
                                              std::string_view token_hash,
                                              std::string_view code_hash,
                                              std::string_view expires_at, const AuditActor& who) {
  return add_requests({{std::string(resource_id), std::string(token_hash), std::string(code_hash)}},
                      expires_at, who)
      .front();
}

std::vector<std::int64_t> SqliteConfirmations::add_requests(const std::vector<NewRequest>& requests,
                                                            std::string_view expires_at,
                                                            const AuditActor& who) {
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  std::vector<std::int64_t> ids;
  ids.reserve(requests.size());
  for (const auto& [resource_id, token_hash, code_hash] : requests) {
    if (!store_->resource(resource_id)) {
      throw NotFound("no resource with id '" + std::string(resource_id.substr(0, 80)) + "'");
    }
    sqlite3* db = store_->raw_handle();
    const std::string now = utc_now_iso();
    Statement revoke(db,
                     "UPDATE confirmation_request SET revoked_at = ? WHERE resource_id = ? AND "
                     "revoked_at IS NULL AND answered_at IS NULL");
    revoke.bind(1, now).bind(2, resource_id);
    revoke.run();
    const int revoked = sqlite3_changes(db);
    SqliteStatement ins(db,
                        "INSERT INTO confirmation_request (resource_id, token_hash, code_hash, "
                        "created_at, created_by, expires_at) VALUES (?,?,?,?,?,?)",
                        {.error_prefix = "confirmation request", .constraint_is_conflict = true});
    ins.bind(1, resource_id).bind(2, token_hash).bind(3, code_hash).bind(4, now);
    ins.bind(5, who.name).bind(6, expires_at);
    ins.run();
    const std::int64_t id = sqlite3_last_insert_rowid(db);
    audit(db, who, "confirmation.request",
          "request " + std::to_string(id) + " for resource " + std::string(resource_id) +
              ", expires " + std::string(expires_at) +
              (revoked > 0 ? ", revoking the previous one" : ""));
    ids.push_back(id);
  }
  tx.commit();
  return ids;
}

std::optional<ConfirmationRequest> SqliteConfirmations::open_request(
    std::string_view hash, std::string_view now_iso) const {
  Statement s(store_->raw_handle(),
              "SELECT request_id, resource_id, created_at, created_by, expires_at FROM "
              "confirmation_request WHERE (token_hash = ?1 OR code_hash = ?1) AND revoked_at IS "
              "NULL AND answered_at IS NULL AND expires_at > ?2");
  s.bind(1, hash).bind(2, now_iso);
  if (!s.step()) return std::nullopt;
  ConfirmationRequest r;
  r.id = s.int64(0);
  r.resource_id = s.text(1);
  r.created_at = s.text(2);
  r.created_by = s.text(3);
  r.expires_at = s.text(4);
  s.end();
  return r;
}

std::vector<ConfirmationRequest> SqliteConfirmations::open_requests(
    std::string_view now_iso) const {
  Statement s(store_->raw_handle(),
              "SELECT request_id, resource_id, created_at, created_by, expires_at FROM "
              "confirmation_request WHERE revoked_at IS NULL AND answered_at IS NULL AND "
              "expires_at > ?1 ORDER BY expires_at, request_id");
  s.bind(1, now_iso);
  std::vector<ConfirmationRequest> out;
  while (s.step()) {
    ConfirmationRequest r;
    r.id = s.int64(0);
    r.resource_id = s.text(1);
    r.created_at = s.text(2);
    r.created_by = s.text(3);
    r.expires_at = s.text(4);
    out.push_back(std::move(r));
  }
  return out;
}

AnswerOutcome SqliteConfirmations::answer(std::int64_t request_id, HostAnswer answer,
                                          const json& changes, std::string_view today,
                                          std::string_view now_iso) {
  const std::string actor = "host (confirmation request " + std::to_string(request_id) + ")";
  const AuditActor who{0, actor};
  Store::Transaction tx(*store_, answer == HostAnswer::unchanged
                                     ? Store::Transaction::Writes::content
                                     : Store::Transaction::Writes::accounts);
  sqlite3* db = store_->raw_handle();
  Statement use(db,
                "UPDATE confirmation_request SET answered_at = ?1, answer = ?2 WHERE request_id "
                "= ?3 AND revoked_at IS NULL AND answered_at IS NULL AND expires_at > ?1 "
                "RETURNING resource_id");
  use.bind(1, now_iso).bind(2, host_answer_id(answer)).bind(3, request_id);
  if (!use.step()) throw NotFound("the confirmation request is no longer open");
  const std::string resource_id = use.text(0);
  use.run();
  const auto current = store_->resource(resource_id);
  if (!current) throw NotFound("the confirmation request is no longer open");
  AnswerOutcome out;
  out.answer = answer;
  if (answer == HostAnswer::unchanged) {
    if (!changes.is_null() && !(changes.is_object() && changes.empty())) {
      throw InvalidArgument("changes: an answer of 'unchanged' carries no changes");
    }
    Resource r = *current;
    r.verified_at = std::string(today);
    store_->update(r, current->version, actor);
    out.verified_at = r.verified_at;
  } else {
    Proposal p;
    p.resource_id = resource_id;
    p.origin = "confirmation";
    p.request_id = request_id;
    p.answer = std::string(host_answer_id(answer));
    p.base_version = current->version;
    p.created_at = std::string(now_iso);
    if (answer == HostAnswer::changed) {
      if (!changes.is_object() || changes.empty()) {
        throw InvalidArgument("changes: an answer of 'changed' needs the changed properties");
      }
      (void)with_host_changes(*current, changes);  // refused here, not at review
      p.changes_json = changes.dump();
      p.diff_json = changes_diff(*current, changes).dump();
    } else {
      if (!changes.is_null() && !(changes.is_object() && changes.empty())) {
        throw InvalidArgument("changes: an answer of '" + p.answer + "' carries no changes");
      }
      p.changes_json = "{}";
      p.diff_json = status_diff(*current, answer).dump();
    }
    out.proposal_id = insert_proposal(db, p);
  }
  audit(db, who, "confirmation.answer",
        "request " + std::to_string(request_id) + " for resource " + resource_id + ": " +
            std::string(host_answer_id(answer)) +
            (out.proposal_id != 0 ? ", proposal " + std::to_string(out.proposal_id) : ""));
  tx.commit();
  return out;
}

std::int64_t SqliteConfirmations::add_report(std::string_view resource_id, std::string_view text,
                                             std::string_view now_iso) {
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  const auto current = store_->resource(resource_id);
  if (!current) {
    throw NotFound("no resource with id '" + std::string(resource_id.substr(0, 80)) + "'");
  }
  Proposal p;
  p.resource_id = std::string(resource_id);
  p.origin = "report";
  p.answer = "report";
  p.changes_json = "{}";
  p.diff_json = "{}";
  p.report_text = std::string(text);
  p.base_version = current->version;
  p.created_at = std::string(now_iso);
  sqlite3* db = store_->raw_handle();
  const std::int64_t id = insert_proposal(db, p);
  audit(db, AuditActor{0, "public (report)"}, "report",
        "proposal " + std::to_string(id) + " for resource " + std::string(resource_id));
  tx.commit();
  return id;
}

std::vector<Proposal> SqliteConfirmations::open_proposals(std::int64_t limit,
                                                          std::int64_t offset) const {
  Statement s(store_->raw_handle(), "SELECT " + std::string(kProposalColumns) +
                                        " FROM listing_proposal WHERE status = 'open' ORDER BY "
                                        "proposal_id LIMIT ? OFFSET ?");
  s.bind(1, limit).bind(2, offset);
  std::vector<Proposal> out;
  while (s.step()) out.push_back(read_proposal(s));
  return out;
}

std::int64_t SqliteConfirmations::count_open() const {
  Statement s(store_->raw_handle(), "SELECT count(*) FROM listing_proposal WHERE status = 'open'");
  std::int64_t n = 0;
  if (s.step()) n = s.int64(0);
  s.end();
  return n;
}

std::optional<Proposal> SqliteConfirmations::proposal(std::int64_t id) const {
  Statement s(store_->raw_handle(), "SELECT " + std::string(kProposalColumns) +
                                        " FROM listing_proposal WHERE proposal_id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  Proposal p = read_proposal(s);
  s.end();
  return p;
}

Resource SqliteConfirmations::decide(std::int64_t proposal_id, std::string_view decision,
                                     const json& edited_changes,
                                     std::optional<std::int64_t> expected_version,
                                     const AuditActor& who) {
  if (decision != "accept" && decision != "edit" && decision != "reject") {
    throw InvalidArgument("decision: must be one of accept, edit, reject (not '" +
                          std::string(decision.substr(0, 40)) + "')");
  }
  // A rejection publishes nothing: it does not move the generation (no snapshot is rebuilt).
  Store::Transaction tx(*store_, decision == "reject" ? Store::Transaction::Writes::accounts
                                                      : Store::Transaction::Writes::content);
  sqlite3* db = store_->raw_handle();
  const auto p = proposal(proposal_id);
  if (!p || p->status != "open") {
    throw NotFound("no open proposal " + std::to_string(proposal_id) +
                   " (decided already, or never made)");
  }
  const auto current = store_->resource(p->resource_id);
  if (!current) throw NotFound("the proposal's resource is gone");
  Resource after = *current;
  const std::string proposer = p->origin == "report" ? "a public report"
                                                     : "the host (confirmation request " +
                                                           std::to_string(p->request_id) + ")";
  const std::string actor = std::string(who.name) + ", accepting proposal " +
                            std::to_string(proposal_id) + " by " + proposer;
  if (decision != "reject") {
    bool change = true;
    if (decision == "edit") {
      if (!edited_changes.is_object() || edited_changes.empty()) {
        throw InvalidArgument("changes: a decision of 'edit' needs the properties to publish");
      }
      after = with_changes(*current, edited_changes);
    } else if (p->answer == "changed") {
      after = with_host_changes(*current, json::parse(p->changes_json));
    } else if (p->answer == "paused") {
      after.status = ResourceStatus::paused;
    } else if (p->answer == "ended") {
      after.status = ResourceStatus::closed;
    } else {
      change = false;  // a report accepted as it is: the report is closed, nothing to publish
    }
    if (change) store_->update(after, expected_version.value_or(current->version), actor);
  }
  Statement done(db,
                 "UPDATE listing_proposal SET status = ?1, decided_at = ?2, decided_by = ?3, "
                 "decision = ?4 WHERE proposal_id = ?5");
  done.bind(1, std::string_view(decision == "reject" ? "rejected" : "accepted"))
      .bind(2, utc_now_iso())
      .bind(3, who.name)
      .bind(4, decision)
      .bind(5, proposal_id);
  done.run();
  audit(db, who, "review.decision",
        "proposal " + std::to_string(proposal_id) + " for resource " + p->resource_id + ": " +
            std::string(decision) +
            (decision != "reject" && after.version != current->version
                 ? ", published as version " + std::to_string(after.version)
                 : ""));
  tx.commit();
  return after;
}

std::vector<Resource> SqliteConfirmations::unconfirmed_since(
    std::string_view before_date, std::optional<ResourceKind> kind) const {
  std::vector<Resource> out;
  store_->for_each_resource([&](Resource&& r) {
    if (r.status == ResourceStatus::closed) return;
    if (kind && r.kind != *kind) return;
    const std::string last =
        !r.verified_at.empty() ? r.verified_at.str() : r.created_at.substr(0, 10);
    if (last <= before_date) out.push_back(std::move(r));
  });
  return out;
}

}  // namespace tsunagi::geo
