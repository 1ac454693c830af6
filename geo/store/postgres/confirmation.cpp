// Confirmations on the PostgreSQL store: the same requests, answers, review queue and audit
// entries as geo/store/sqlite/confirmation.cpp, in PostgreSQL's dialect. The backend-neutral
// helpers (host_answer_id, with_changes, changes_diff, ...) are the ones defined there.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/error.hpp"
#include "geo/core/ids.hpp"
#include "geo/core/resource_json.hpp"
#include "geo/core/time.hpp"
#include "geo/store/audit_chain.hpp"
#include "geo/store/audit_log.hpp"
#include "geo/store/confirmation.hpp"
#include "geo/store/postgres/connection.hpp"
#include "geo/store/postgres/pg_store.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

using nlohmann::json;

namespace {

constexpr pg::ExecOptions kOptions{.error_prefix = "confirmations"};

void audit(PgStore& store, const AuditActor& who, std::string_view action,
           std::string_view detail) {
  audit_chain::Row row;
  row.at = utc_now_iso();
  row.user_id = who.user_id;
  row.user_name = who.name;
  row.action = std::string(action);
  row.detail = std::string(detail);
  pg_audit_append(store, std::move(row));
}

Proposal read_proposal(const pg::Result& r, int row) {
  Proposal p;
  p.id = r.i64(row, 0);
  p.resource_id = r.text(row, 1);
  p.origin = r.text(row, 2);
  p.request_id = r.is_null(row, 3) ? 0 : r.i64(row, 3);
  p.answer = r.text(row, 4);
  p.changes_json = r.text(row, 5);
  p.diff_json = r.text(row, 6);
  p.report_text = r.text(row, 7);
  p.base_version = r.i64(row, 8);
  p.created_at = r.text(row, 9);
  p.status = r.text(row, 10);
  p.decided_at = r.text(row, 11);
  p.decided_by = r.text(row, 12);
  p.decision = r.text(row, 13);
  return p;
}

ConfirmationRequest read_request(const pg::Result& r, int row) {
  ConfirmationRequest c;
  c.id = r.i64(row, 0);
  c.resource_id = r.text(row, 1);
  c.created_at = r.text(row, 2);
  c.created_by = r.text(row, 3);
  c.expires_at = r.text(row, 4);
  return c;
}

constexpr std::string_view kProposalColumns =
    "proposal_id, resource_id, origin, request_id, answer, changes_json, diff_json, report_text, "
    "base_version, created_at, status, decided_at, decided_by, decision";

std::int64_t insert_proposal(pg::Connection& conn, const Proposal& p) {
  pg::Params params;
  params.text(p.resource_id).text(p.origin);
  if (p.request_id != 0) {
    params.i64(p.request_id);
  } else {
    params.null();
  }
  params.text(p.answer).text(p.changes_json).text(p.diff_json).text(p.report_text);
  params.i64(p.base_version).text(p.created_at);
  const auto r = conn.exec(
      "INSERT INTO listing_proposal (resource_id, origin, request_id, answer, changes_json, "
      "diff_json, report_text, base_version, created_at, status) "
      "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'open') RETURNING proposal_id",
      params, kOptions);
  return r.i64(0, 0);
}

}  // namespace

/// Confirmations on the PostgreSQL store.
class PgConfirmations final : public Confirmations {
 public:
  explicit PgConfirmations(PgStore& store) : store_(&store) {}

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
  PgStore* store_;
};

std::unique_ptr<Confirmations> make_pg_confirmations(PgStore& store) {
  return std::make_unique<PgConfirmations>(store);
}

std::int64_t PgConfirmations::add_request(std::string_view resource_id, std::string_view token_hash,
                                          std::string_view code_hash, std::string_view expires_at,
                                          const AuditActor& who) {
  return add_requests({{std::string(resource_id), std::string(token_hash), std::string(code_hash)}},
                      expires_at, who)
      .front();
}

std::vector<std::int64_t> PgConfirmations::add_requests(const std::vector<NewRequest>& requests,
                                                        std::string_view expires_at,
                                                        const AuditActor& who) {
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  std::vector<std::int64_t> ids;
  ids.reserve(requests.size());
  pg::Connection& conn = store_->conn();
  for (const auto& [resource_id, token_hash, code_hash] : requests) {
    if (!store_->resource(resource_id)) {
      throw NotFound("no resource with id '" + std::string(resource_id.substr(0, 80)) + "'");
    }
    const std::string now = utc_now_iso();
    const auto revoked = conn.exec(
                                 "UPDATE confirmation_request SET revoked_at = $1 WHERE "
                                 "resource_id = $2 AND revoked_at IS NULL AND answered_at IS NULL",
                                 pg::Params().text(now).text(resource_id), kOptions)
                             .affected();
    const auto ins = conn.exec(
        "INSERT INTO confirmation_request (resource_id, token_hash, code_hash, created_at, "
        "created_by, expires_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING request_id",
        pg::Params()
            .text(resource_id)
            .text(token_hash)
            .text(code_hash)
            .text(now)
            .text(who.name)
            .text(expires_at),
        {.constraint_is_conflict = true, .error_prefix = "confirmation request"});
    const std::int64_t id = ins.i64(0, 0);
    audit(*store_, who, "confirmation.request",
          "request " + std::to_string(id) + " for resource " + std::string(resource_id) +
              ", expires " + std::string(expires_at) +
              (revoked > 0 ? ", revoking the previous one" : ""));
    ids.push_back(id);
  }
  tx.commit();
  return ids;
}

std::optional<ConfirmationRequest> PgConfirmations::open_request(std::string_view hash,
                                                                 std::string_view now_iso) const {
  const auto r = store_->conn().exec(
      "SELECT request_id, resource_id, created_at, created_by, expires_at FROM "
      "confirmation_request WHERE (token_hash = $1 OR code_hash = $1) AND revoked_at IS NULL AND "
      "answered_at IS NULL AND expires_at > $2 ORDER BY request_id LIMIT 1",
      pg::Params().text(hash).text(now_iso), kOptions);
  if (r.rows() == 0) return std::nullopt;
  return read_request(r, 0);
}

std::vector<ConfirmationRequest> PgConfirmations::open_requests(std::string_view now_iso) const {
  const auto r = store_->conn().exec(
      "SELECT request_id, resource_id, created_at, created_by, expires_at FROM "
      "confirmation_request WHERE revoked_at IS NULL AND answered_at IS NULL AND "
      "expires_at > $1 ORDER BY expires_at, request_id",
      pg::Params().text(now_iso), kOptions);
  std::vector<ConfirmationRequest> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_request(r, i));
  return out;
}

AnswerOutcome PgConfirmations::answer(std::int64_t request_id, HostAnswer answer,
                                      const json& changes, std::string_view today,
                                      std::string_view now_iso) {
  const std::string actor = "host (confirmation request " + std::to_string(request_id) + ")";
  const AuditActor who{0, actor};
  Store::Transaction tx(*store_, answer == HostAnswer::unchanged
                                     ? Store::Transaction::Writes::content
                                     : Store::Transaction::Writes::accounts);
  pg::Connection& conn = store_->conn();
  // One atomic UPDATE … RETURNING: of two answers to the same request only one uses it up.
  const auto use = conn.exec(
      "UPDATE confirmation_request SET answered_at = $1, answer = $2 WHERE request_id = $3 AND "
      "revoked_at IS NULL AND answered_at IS NULL AND expires_at > $1 RETURNING resource_id",
      pg::Params().text(now_iso).text(host_answer_id(answer)).i64(request_id), kOptions);
  if (use.rows() == 0) throw NotFound("the confirmation request is no longer open");
  const std::string resource_id = use.text(0, 0);
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
    out.proposal_id = insert_proposal(conn, p);
  }
  audit(*store_, who, "confirmation.answer",
        "request " + std::to_string(request_id) + " for resource " + resource_id + ": " +
            std::string(host_answer_id(answer)) +
            (out.proposal_id != 0 ? ", proposal " + std::to_string(out.proposal_id) : ""));
  tx.commit();
  return out;
}

std::int64_t PgConfirmations::add_report(std::string_view resource_id, std::string_view text,
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
  const std::int64_t id = insert_proposal(store_->conn(), p);
  audit(*store_, AuditActor{0, "public (report)"}, "report",
        "proposal " + std::to_string(id) + " for resource " + std::string(resource_id));
  tx.commit();
  return id;
}

std::vector<Proposal> PgConfirmations::open_proposals(std::int64_t limit,
                                                      std::int64_t offset) const {
  // SQLite reads a negative LIMIT as no limit and a negative OFFSET as 0; PostgreSQL refuses
  // both, so they are given as it takes them (LIMIT NULL is no limit).
  pg::Params params;
  if (limit < 0) {
    params.null();
  } else {
    params.i64(limit);
  }
  params.i64(std::max<std::int64_t>(offset, 0));
  const auto r = store_->conn().exec("SELECT " + std::string(kProposalColumns) +
                                         " FROM listing_proposal WHERE status = 'open' ORDER BY "
                                         "proposal_id LIMIT $1 OFFSET $2",
                                     params, kOptions);
  std::vector<Proposal> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_proposal(r, i));
  return out;
}

std::int64_t PgConfirmations::count_open() const {
  const auto r = store_->conn().exec("SELECT count(*) FROM listing_proposal WHERE status = 'open'",
                                     {}, kOptions);
  return r.rows() > 0 ? r.i64(0, 0) : 0;
}

std::optional<Proposal> PgConfirmations::proposal(std::int64_t id) const {
  const auto r = store_->conn().exec(
      "SELECT " + std::string(kProposalColumns) + " FROM listing_proposal WHERE proposal_id = $1",
      pg::Params().i64(id), kOptions);
  if (r.rows() == 0) return std::nullopt;
  return read_proposal(r, 0);
}

Resource PgConfirmations::decide(std::int64_t proposal_id, std::string_view decision,
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
  // Read inside the write transaction: its advisory lock keeps a second reviewer from deciding
  // the same proposal between this check and the UPDATE below.
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
  store_->conn().exec(
      "UPDATE listing_proposal SET status = $1, decided_at = $2, decided_by = $3, decision = $4 "
      "WHERE proposal_id = $5",
      pg::Params()
          .text(decision == "reject" ? "rejected" : "accepted")
          .text(utc_now_iso())
          .text(who.name)
          .text(decision)
          .i64(proposal_id),
      kOptions);
  audit(*store_, who, "review.decision",
        "proposal " + std::to_string(proposal_id) + " for resource " + p->resource_id + ": " +
            std::string(decision) +
            (decision != "reject" && after.version != current->version
                 ? ", published as version " + std::to_string(after.version)
                 : ""));
  tx.commit();
  return after;
}

std::vector<Resource> PgConfirmations::unconfirmed_since(std::string_view before_date,
                                                         std::optional<ResourceKind> kind) const {
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
