// The referrals of a store (tables referral, referral_event) and the append-only audit log
// (audit_log; SQLite triggers refuse UPDATE and DELETE on it). Every operation that reads or
// writes a case appends its audit entries in the same transaction as the work, so there is no
// read of a case without its entry. Moving a referral to 参加開始 takes one open slot of the
// placement's offer in that transaction too (through Store::update: the resource's version
// moves and its history says so); ending it, or a decline after the start, gives the slot back.
//
// A Referrals object works on one Store connection and, like the Store, is not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "geo/core/municipal_scope.hpp"
#include "geo/core/referral.hpp"

namespace tsunagi::geo {

class Store;

/// Who reads or writes a case (for the audit log), and the towns they work for: a case is found
/// (get, list, overdue, and so written) only when `scope` covers its town (`municipality`) or its
/// placement's town (`host_municipality`, read only: the caller shows such a case as "a referral
/// to your placement"). The command line and an unscoped user reach every case.
struct AuditActor {
  AuditActor() = default;
  AuditActor(std::int64_t id, std::string who, MunicipalScope towns = {})
      : user_id(id), name(std::move(who)), scope(std::move(towns)) {}
  std::int64_t user_id = 0;  ///< 0 for the command line
  std::string name;          ///< user name, or "cli:<command>"
  MunicipalScope scope;      ///< every town by default
};

/// Whether `scope` reaches case `r` at all: its own town, or its placement's town.
[[nodiscard]] inline bool reaches(const MunicipalScope& scope, const Referral& r) {
  return scope.covers(r.municipality) || scope.covers(r.host_municipality);
}

/// One entry of the audit log. No case content: who, when, what, which case, on what basis.
struct AuditEntry {
  std::int64_t id = 0;
  std::string at;
  std::int64_t user_id = 0;
  std::string user_name;
  std::string action;   ///< create, read, list, list_overdue, transition, follow_up, stats, purge
  std::string case_id;  ///< empty for stats
  std::string legal_basis;   ///< empty for stats
  std::string detail;        ///< e.g. "proposed→consented", "resource <id>"
  std::string municipality;  ///< the case's town; empty for older entries and entries of no case
};

struct ReferralFilter {
  std::optional<ReferralStatus> status;
  std::string resource_id;
  /// Only cases of this town (their own, not their placement's); empty = any.
  std::string municipality;
};

/// The host's answers of one closed calendar month (JST) at one placement. An answer belongs to
/// the month in which the host answered (見学, 体験 or 参加開始 = accepted; 受入れ不可 = declined).
struct ReferralMonthStats {
  std::string month;  ///< "YYYY-MM"
  int answered = 0;
  double median_days_to_answer = 0;  ///< from the first 受入れ先打診 to the answer
  double share_accepted = 0;         ///< accepted / answered
};

/// Aggregates of one placement, over closed months only, so that no answer moves a figure
/// while its month is open: a figure changes only when a month closes, and then by a whole
/// month of at least kMinCell answers. A month's figures are kept as first computed after it
/// closed (a purge does not move them). A month with fewer than kMinCell answers is never shown,
/// nor counted in the totals.
struct PlacementReferralStats {
  std::string resource_id;
  std::string through;          ///< the last closed month, "YYYY-MM" (the month before this one)
  bool suppressed = true;       ///< no month with kMinCell answers
  std::optional<int> answered;  ///< over the months shown
  std::optional<double> share_accepted;    ///< over the months shown
  std::vector<ReferralMonthStats> months;  ///< the months shown, oldest first
};

struct PurgeReport {
  std::string cutoff;  ///< final before this instant (ISO 8601 UTC)
  int purged = 0;
  int ended = 0;
  int declined = 0;
};

class Referrals {
 public:
  /// The smallest number of answered referrals a placement's aggregates are shown for.
  static constexpr int kMinCell = 5;

  virtual ~Referrals() = default;

  /// Stores a new referral in status proposed with a fresh case id. `r` comes from
  /// parse_new_referral, with its `municipality` (the person's town) set by the caller; the
  /// placement's town (`host_municipality`) is the store's: the resource's lg_code.
  /// @throws InvalidArgument (no such placement, or it has no placement
  /// offer), Conflict (the placement is closed).
  virtual Referral create(Referral r, const AuditActor& who) = 0;
  /// The referral with its history, or nullopt when there is none that `who.scope` reaches
  /// (nothing is audited then).
  virtual std::optional<Referral> get(std::string_view case_id, const AuditActor& who) = 0;
  /// Referrals by case id order that `who.scope` reaches (each one returned is audited as read by
  /// a list).
  virtual std::vector<Referral> list(const ReferralFilter& filter, const AuditActor& who) = 0;
  /// Referrals not final whose follow-up date is before `today` (YYYY-MM-DD), earliest first,
  /// that `who.scope` reaches.
  virtual std::vector<Referral> overdue(std::string_view today, const AuditActor& who) = 0;
  /// Moves a referral to `to`. A decline needs a reason; to started takes an open slot of the
  /// placement; leaving started/settling for ended or a decline frees it. `follow_up_due`, when
  /// given, replaces the follow-up date ("" clears it).
  /// @throws NotFound, InvalidArgument (missing or stray reason, bad date), Conflict (not
  ///         allowed from the current status — the message lists the allowed next steps — or no
  ///         open slot left), NotFound also for a case `who.scope` does not reach, and
  ///         OutsideMunicipality for one it reaches only as the placement's town (writes stay
  ///         with the person's town).
  virtual Referral transition(std::string_view case_id, ReferralStatus to,
                              std::optional<DeclineReason> reason,
                              const std::optional<std::string>& follow_up_due,
                              const AuditActor& who) = 0;
  /// Sets or clears ("") the follow-up date. @throws NotFound, InvalidArgument,
  /// OutsideMunicipality (as transition).
  virtual Referral set_follow_up(std::string_view case_id, const std::string& follow_up_due,
                                 const AuditActor& who) = 0;
  /// Aggregates per placement over closed months (one placement when `resource_id` is given;
  /// otherwise every placement with a month shown). Audited once, without case ids. Freezes the
  /// figures of months that closed since the last call (referral_stats_month).
  virtual std::vector<PlacementReferralStats> stats(const std::string& resource_id,
                                                    const AuditActor& who) = 0;
  /// Deletes referrals that reached a final status more than `older_than_days` days ago, with
  /// their history; the audit log records each purge (case id and basis only).
  /// @throws InvalidArgument when older_than_days is negative.
  virtual PurgeReport purge(int older_than_days, const AuditActor& who) = 0;

  /// Audit entries with id > `after`, oldest first, at most `limit`; with a scoped `towns`, only
  /// the entries of cases of those towns (an entry of no town — stats, older entries — is not
  /// any town's).
  [[nodiscard]] virtual std::vector<AuditEntry> audit(std::int64_t after, int limit,
                                                      const MunicipalScope& towns = {}) const = 0;
};

}  // namespace tsunagi::geo
