// Listings that stay true: a coordinator asks the host of a listing to confirm it (a link with a
// random token, or a short code typed in at /c), the host answers, and what is not "unchanged"
// waits in a review queue — with the public's reports of mistakes — until staff accept, edit or
// reject it. Stored in confirmation_request and listing_proposal (schema 12). Only hashes of
// tokens and codes are stored; making them (libsodium) is the caller's (server/credentials).
// Every request, answer and decision is written to the audit log in the transaction that makes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "geo/core/resource.hpp"
#include "geo/store/referrals.hpp"  // AuditActor

namespace tsunagi::geo {

class Store;

/// What a host answers.
enum class HostAnswer : std::uint8_t { unchanged, changed, paused, ended };
std::string_view host_answer_id(HostAnswer a);
/// @throws InvalidArgument naming the four answers.
HostAnswer parse_host_answer(std::string_view text);

/// The properties a host may change from the confirmation page: schedule, contact, fee,
/// vacancy, accessibility, description (and a few plain facts of the same kind). Everything
/// else (name, kind, position, publish level, the internal note...) only staff change.
const std::vector<std::string_view>& host_editable_keys();

/// `current` with the properties of `changes` (a JSON object of resource properties, as the
/// resource API takes them) put in, read and validated by the one resource reader
/// (resource_from_json, validate). Provenance, version and times stay `current`'s.
/// @throws InvalidArgument naming the property that is wrong.
Resource with_changes(const Resource& current, const nlohmann::json& changes);

/// The same, but only the host-editable keys are accepted.
/// @throws InvalidArgument "changes.kind: a host cannot change 'kind' …".
Resource with_host_changes(const Resource& current, const nlohmann::json& changes);

/// {"field": {"from", "to"}} for the properties of `changes` whose value differs from
/// `current`'s (as to_json writes them).
nlohmann::json changes_diff(const Resource& current, const nlohmann::json& changes);

/// {"status": {"from", "to"}} of a pause or an end (nothing when the listing is so already, or
/// for another answer).
nlohmann::json status_diff(const Resource& current, HostAnswer answer);

struct ConfirmationRequest {
  std::int64_t id = 0;
  std::string resource_id;
  std::string created_at;
  std::string created_by;
  std::string expires_at;  ///< ISO 8601 UTC
  std::string revoked_at;  ///< empty while not revoked
  std::string answered_at;
  std::string answer;
};

/// One entry of the review queue.
struct Proposal {
  std::int64_t id = 0;
  std::string resource_id;
  std::string origin;  ///< "confirmation" (a host's answer) or "report" (anyone)
  std::int64_t request_id = 0;
  std::string answer;        ///< changed, paused, ended, report
  std::string changes_json;  ///< the properties proposed ({} for pause, end, report)
  /// {"field": {"from", "to"}} against version base_version, kept so that the queue need not
  /// render every listing again while it has not moved on.
  std::string diff_json;
  std::string report_text;
  std::int64_t base_version = 0;  ///< the listing's version when it was proposed
  std::string created_at;
  std::string status;  ///< open, accepted, rejected
  std::string decided_at;
  std::string decided_by;
  std::string decision;  ///< accept, edit, reject
};

/// What happened to an answer.
struct AnswerOutcome {
  HostAnswer answer = HostAnswer::unchanged;
  std::int64_t proposal_id = 0;  ///< 0 for "unchanged"
  std::string verified_at;       ///< set for "unchanged"
};

class Confirmations {
 public:
  virtual ~Confirmations() = default;

  /// A new request for `resource_id`, valid until `expires_at`; the listing's open request (if
  /// any) is revoked. One transaction, with its audit entry. Returns the request id.
  /// @throws NotFound (no such listing), Conflict (a token or code hash already used: make new
  ///         ones and try again).
  virtual std::int64_t add_request(std::string_view resource_id, std::string_view token_hash,
                                   std::string_view code_hash, std::string_view expires_at,
                                   const AuditActor& who) = 0;

  /// One new request of a batch.
  struct NewRequest {
    std::string resource_id;
    std::string token_hash;
    std::string code_hash;
  };
  /// add_request for each, all in one transaction (all or none); returns their ids.
  virtual std::vector<std::int64_t> add_requests(const std::vector<NewRequest>& requests,
                                                 std::string_view expires_at,
                                                 const AuditActor& who) = 0;

  /// The open request (not revoked, not answered, not expired at `now_iso`) whose token hash or
  /// code hash is `hash`; nullopt for anything else, whichever of these it is.
  [[nodiscard]] virtual std::optional<ConfirmationRequest> open_request(
      std::string_view hash, std::string_view now_iso) const = 0;

  /// Every open request (not revoked, not answered, not expired at `now_iso`; at most one per
  /// listing), soonest to expire first (then by id).
  [[nodiscard]] virtual std::vector<ConfirmationRequest> open_requests(
      std::string_view now_iso) const = 0;

  /// Records the host's answer to the open request `request_id`, in one transaction: the request
  /// is used up; "unchanged" sets the listing's verified_at to `today` (nothing else); the
  /// others become a proposal in the review queue (changes validated by with_host_changes).
  /// @throws NotFound when the request is no longer open (answered meanwhile, revoked, expired),
  ///         InvalidArgument when the changes are wrong (nothing written).
  virtual AnswerOutcome answer(std::int64_t request_id, HostAnswer answer,
                               const nlohmann::json& changes, std::string_view today,
                               std::string_view now_iso) = 0;

  /// A report of a mistake by anyone: a proposal with `text` and nothing else. Returns its id.
  virtual std::int64_t add_report(std::string_view resource_id, std::string_view text,
                                  std::string_view now_iso) = 0;

  /// Open proposals, oldest first.
  [[nodiscard]] virtual std::vector<Proposal> open_proposals(std::int64_t limit,
                                                             std::int64_t offset) const = 0;
  [[nodiscard]] virtual std::int64_t count_open() const = 0;
  [[nodiscard]] virtual std::optional<Proposal> proposal(std::int64_t id) const = 0;

  /// Decides an open proposal, in one transaction. accept: the proposal's changes (or, for
  /// paused/ended, the status) are applied through Store::update against `expected_version`
  /// (Conflict when the listing moved on), with a history entry naming the reviewer and the
  /// proposal; edit: the same with `edited_changes` (any resource property) instead; reject:
  /// nothing changes. A report accepted without changes only closes the report. Returns the
  /// listing as it is afterwards.
  /// @throws NotFound (no such open proposal), Conflict, InvalidArgument.
  virtual Resource decide(std::int64_t proposal_id, std::string_view decision,
                          const nlohmann::json& edited_changes,
                          std::optional<std::int64_t> expected_version, const AuditActor& who) = 0;

  /// Resources whose last confirmation (verified_at, else created_at) was on `before_date`
  /// (YYYY-MM-DD) or earlier, not closed, optionally of one kind; in id order.
  [[nodiscard]] virtual std::vector<Resource> unconfirmed_since(
      std::string_view before_date, std::optional<ResourceKind> kind) const = 0;
};

}  // namespace tsunagi::geo
