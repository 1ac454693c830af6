#include "geo/store/referrals.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>

#include "geo/core/error.hpp"
#include "geo/core/ids.hpp"
#include "geo/core/resource.hpp"
#include "geo/core/time.hpp"
#include "geo/store/audit_log.hpp"
#include "geo/store/sqlite/audit_chain.hpp"
#include "geo/store/sqlite/sqlite_store.hpp"
#include "geo/store/sqlite/statement.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

namespace {

class Statement : public SqliteStatement {
 public:
  Statement(sqlite3* db, std::string_view sql)
      : SqliteStatement(db, sql, {.error_prefix = "referrals"}) {}
};

constexpr std::string_view kColumns =
    "case_id, resource_id, legal_basis, consent_scope, consent_date, home_area, age_band, needs, "
    "follow_up_due, status, decline_reason, slot_taken, version, created_at, updated_at, "
    "closed_at, created_by, municipality, host_municipality";

template <typename E>
EnumSet<E> read_set(const std::string& text) {
  EnumSet<E> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (const auto v = parse_code<E>(std::string_view(text).substr(start, end - start))) {
      out.insert(*v);
    }
    start = end + 1;
  }
  return out;
}

template <typename E>
E read_code(const std::string& text) {
  const auto v = parse_code<E>(text);
  if (!v)
    throw StoreError("referrals: unknown " + std::string(CodeTable<E>::name) + " '" + text +
                     "' in the store (written by a newer tsunagi?)");
  return *v;
}

Referral read_referral(const Statement& s) {
  Referral r;
  r.case_id = s.text(0);
  r.resource_id = s.text(1);
  r.legal_basis = read_code<LegalBasis>(s.text(2));
  r.consent_scope = read_set<ConsentScope>(s.text(3));
  r.consent_date = s.text(4);
  r.home_area = s.text(5);
  r.age_band = s.text(6);
  r.needs = read_set<NeedTag>(s.text(7));
  r.follow_up_due = s.text(8);
  r.status = read_code<ReferralStatus>(s.text(9));
  if (!s.is_null(10)) r.decline_reason = read_code<DeclineReason>(s.text(10));
  r.slot_taken = s.int64(11) != 0;
  r.version = s.int64(12);
  r.created_at = s.text(13);
  r.updated_at = s.text(14);
  r.closed_at = s.text(15);
  r.created_by = s.text(16);
  r.municipality = s.text(17);
  r.host_municipality = s.text(18);
  return r;
}

void load_history(sqlite3* db, Referral& r) {
  Statement s(db,
              "SELECT at, actor, status, reason FROM referral_event WHERE case_id = ?1 "
              "ORDER BY event_id");
  s.bind(1, r.case_id);
  while (s.step()) {
    ReferralEvent e;
    e.at = s.text(0);
    e.actor = s.text(1);
    e.status = read_code<ReferralStatus>(s.text(2));
    if (!s.is_null(3)) e.reason = read_code<DeclineReason>(s.text(3));
    r.history.push_back(std::move(e));
  }
}

/// The case, when `scope` reaches it (its town or its placement's town); a case out of reach is
/// not found, exactly like one that does not exist.
std::optional<Referral> find(sqlite3* db, std::string_view case_id, const MunicipalScope& scope) {
  Statement s(db, "SELECT " + std::string(kColumns) + " FROM referral WHERE case_id = ?1");
  s.bind(1, case_id);
  if (!s.step()) return std::nullopt;
  Referral r = read_referral(s);
  s.end();
  if (!reaches(scope, r)) return std::nullopt;
  load_history(db, r);
  return r;
}

/// The case for a write by `who`: not found out of reach; a case `who` reaches only as its
/// placement's town is read-only for them (the person's town holds the case and its legal basis).
Referral find_writable(sqlite3* db, std::string_view case_id, const AuditActor& who) {
  auto found = find(db, case_id, who.scope);
  if (!found) throw NotFound("no referral with case id " + std::string(case_id));
  if (!who.scope.covers(found->municipality)) {
    throw OutsideMunicipality(
        "the referral " + std::string(case_id) + " belongs to the person's town (" +
            (found->municipality.empty() ? std::string("unknown") : found->municipality) +
            "); your town hosts its placement and follows it read-only: its matchers record the "
            "steps",
        found->municipality);
  }
  return std::move(*found);
}

void add_event(sqlite3* db, const Referral& r, std::string_view at, std::string_view actor) {
  Statement s(db,
              "INSERT INTO referral_event (case_id, at, actor, status, reason) "
              "VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, r.case_id).bind(2, at).bind(3, actor).bind(4, code_id(r.status));
  if (r.decline_reason) {
    s.bind(5, code_id(*r.decline_reason));
  } else {
    s.bind_null(5);
  }
  s.run();
}

void audit_entry(sqlite3* db, const AuditActor& who, std::string_view action,
                 std::string_view case_id, std::string_view legal_basis,
                 std::string_view detail = {}, std::string_view municipality = {}) {
  audit_chain::Row row;
  row.at = utc_now_iso();
  row.user_id = who.user_id;
  row.user_name = who.name;
  row.action = std::string(action);
  if (!case_id.empty()) row.case_id = std::string(case_id);
  if (!legal_basis.empty()) row.legal_basis = std::string(legal_basis);
  row.detail = std::string(detail);
  if (!municipality.empty()) row.municipality = std::string(municipality);
  audit_chain::append(db, std::move(row));
}

void audit_case(sqlite3* db, const AuditActor& who, std::string_view action, const Referral& r,
                std::string_view detail = {}) {
  audit_entry(db, who, action, r.case_id, code_id(r.legal_basis), detail, r.municipality);
}

void write_row(sqlite3* db, const Referral& r) {
  Statement s(db,
              "UPDATE referral SET status = ?2, decline_reason = ?3, slot_taken = ?4, "
              "follow_up_due = ?5, version = ?6, updated_at = ?7, closed_at = ?8 "
              "WHERE case_id = ?1");
  s.bind(1, r.case_id).bind(2, code_id(r.status));
  if (r.decline_reason) {
    s.bind(3, code_id(*r.decline_reason));
  } else {
    s.bind_null(3);
  }
  s.bind(4, std::int64_t{r.slot_taken ? 1 : 0});
  if (r.follow_up_due.empty()) {
    s.bind_null(5);
  } else {
    s.bind(5, r.follow_up_due);
  }
  s.bind(6, r.version).bind(7, r.updated_at);
  if (r.closed_at.empty()) {
    s.bind_null(8);
  } else {
    s.bind(8, r.closed_at);
  }
  s.run();
}

std::string list_next(ReferralStatus from) {
  std::string out;
  allowed_next(from).for_each([&](ReferralStatus s) {
    if (!out.empty()) out += ", ";
    out += std::string(code_id(s)) + " (" + std::string(code_ja(s)) + ")";
  });
  return out;
}

/// Takes (delta -1) or gives back (+1) one open slot of the placement, through Store::update so
/// that the resource's version and history move and the snapshot republishes.
void move_slot(StoreBackend& store, const std::string& resource_id, int delta,
               std::string_view actor) {
  auto res = store.resource(resource_id);
  if (!res) throw NotFound("the placement " + resource_id + " of this referral no longer exists");
  if (!res->offer || !res->offer->slots_open) {
    throw Conflict("the placement " + res->name +
                   " does not keep count of its open slots (slots_open): set its placement "
                   "offer's slots_total and slots_open first");
  }
  int open = *res->offer->slots_open;
  if (delta < 0) {
    if (res->status == ResourceStatus::closed) {
      throw Conflict("the placement " + res->name + " is closed: no one can start there");
    }
    if (open <= 0) {
      throw Conflict("no open slot left at " + res->name + " (slots_open 0" +
                     (res->offer->slots_total ? " of " + std::to_string(*res->offer->slots_total)
                                              : std::string()) +
                     "): someone else took the last one; end another placement there or choose "
                     "another place");
    }
    open -= 1;
  } else {
    open += 1;
    if (res->offer->slots_total) open = std::min(open, *res->offer->slots_total);
  }
  res->offer->slots_open = open;
  store.update(*res, res->version, actor);
}

}  // namespace

/// Referrals on the SQLite store.
class SqliteReferrals final : public Referrals {
 public:
  explicit SqliteReferrals(SqliteStore& store) : store_(&store) {}

  Referral create(Referral r, const AuditActor& who) override;
  std::optional<Referral> get(std::string_view case_id, const AuditActor& who) override;
  std::vector<Referral> list(const ReferralFilter& filter, const AuditActor& who) override;
  std::vector<Referral> overdue(std::string_view today, const AuditActor& who) override;
  Referral transition(std::string_view case_id, ReferralStatus to,
                      std::optional<DeclineReason> reason,
                      const std::optional<std::string>& follow_up_due,
                      const AuditActor& who) override;
  Referral set_follow_up(std::string_view case_id, const std::string& follow_up_due,
                         const AuditActor& who) override;
  std::vector<PlacementReferralStats> stats(const std::string& resource_id,
                                            const AuditActor& who) override;
  PurgeReport purge(int older_than_days, const AuditActor& who) override;
  std::vector<AuditEntry> audit(std::int64_t after, int limit,
                                const MunicipalScope& towns) const override;

 private:
  SqliteStore* store_;
};

std::unique_ptr<Referrals> make_sqlite_referrals(SqliteStore& store) {
  return std::make_unique<SqliteReferrals>(store);
}

Referral SqliteReferrals::create(Referral r, const AuditActor& who) {
  sqlite3* db = store_->raw_handle();
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  const auto res = store_->resource(r.resource_id);
  if (!res) {
    throw InvalidArgument("resource_id '" + r.resource_id.substr(0, 60) +
                          "' is not a resource of this store");
  }
  if (!res->offer) {
    throw InvalidArgument("resource_id: " + res->name +
                          " has no placement offer (参加支援受入れ条件); refer people to "
                          "placements only");
  }
  if (res->status == ResourceStatus::closed) {
    throw Conflict("the placement " + res->name + " is closed");
  }
  r.case_id = new_case_id();
  r.status = ReferralStatus::proposed;
  r.decline_reason.reset();
  r.slot_taken = false;
  r.version = 1;
  r.created_at = utc_now_iso();
  r.updated_at = r.created_at;
  r.closed_at.clear();
  r.created_by = who.name;
  r.host_municipality = res->lg_code;
  {
    Statement s(db, "INSERT INTO referral (" + std::string(kColumns) +
                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL, 0, 1, ?11, ?11, "
                        "NULL, ?12, ?13, ?14)");
    s.bind(1, r.case_id).bind(2, r.resource_id).bind(3, code_id(r.legal_basis));
    s.bind(4, code_ids(r.consent_scope)).bind(5, r.consent_date).bind(6, r.home_area);
    s.bind(7, r.age_band).bind(8, code_ids(r.needs));
    if (r.follow_up_due.empty()) {
      s.bind_null(9);
    } else {
      s.bind(9, r.follow_up_due);
    }
    s.bind(10, code_id(r.status)).bind(11, r.created_at).bind(12, who.name);
    s.bind(13, r.municipality).bind(14, r.host_municipality);
    s.run();
  }
  add_event(db, r, r.created_at, who.name);
  r.history = {ReferralEvent{r.created_at, who.name, r.status, std::nullopt}};
  audit_case(db, who, "create", r, "resource " + r.resource_id);
  tx.commit();
  return r;
}

std::optional<Referral> SqliteReferrals::get(std::string_view case_id, const AuditActor& who) {
  sqlite3* db = store_->raw_handle();
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  auto r = find(db, case_id, who.scope);
  if (!r) return std::nullopt;
  audit_case(db, who, "read", *r);
  tx.commit();
  return r;
}

std::vector<Referral> SqliteReferrals::list(const ReferralFilter& filter, const AuditActor& who) {
  sqlite3* db = store_->raw_handle();
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  std::vector<Referral> out;
  {
    Statement s(db, "SELECT " + std::string(kColumns) +
                        " FROM referral WHERE (?1 IS NULL OR status = ?1) AND "
                        "(?2 = '' OR resource_id = ?2) AND (?3 = '' OR municipality = ?3) "
                        "ORDER BY case_id");
    if (filter.status) {
      s.bind(1, code_id(*filter.status));
    } else {
      s.bind_null(1);
    }
    s.bind(2, filter.resource_id).bind(3, filter.municipality);
    while (s.step()) {
      Referral r = read_referral(s);
      if (reaches(who.scope, r)) out.push_back(std::move(r));
    }
  }
  for (auto& r : out) {
    load_history(db, r);
    audit_case(db, who, "list", r);
  }
  tx.commit();
  return out;
}

std::vector<Referral> SqliteReferrals::overdue(std::string_view today, const AuditActor& who) {
  check_date(today, "today");
  sqlite3* db = store_->raw_handle();
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  std::vector<Referral> out;
  {
    Statement s(db, "SELECT " + std::string(kColumns) +
                        " FROM referral WHERE follow_up_due IS NOT NULL AND follow_up_due < ?1 "
                        "AND closed_at IS NULL ORDER BY follow_up_due, case_id");
    s.bind(1, today);
    while (s.step()) {
      Referral r = read_referral(s);
      if (reaches(who.scope, r)) out.push_back(std::move(r));
    }
  }
  for (auto& r : out) {
    load_history(db, r);
    audit_case(db, who, "list_overdue", r);
  }
  tx.commit();
  return out;
}

Referral SqliteReferrals::transition(std::string_view case_id, ReferralStatus to,
                                     std::optional<DeclineReason> reason,
                                     const std::optional<std::string>& follow_up_due,
                                     const AuditActor& who) {
  const bool declines =
      to == ReferralStatus::declined_by_person || to == ReferralStatus::declined_by_host;
  if (declines && !reason) {
    throw InvalidArgument(std::string(code_ja(to)) + " (" + std::string(code_id(to)) +
                          ") needs a reason: " + code_ids_joined<DeclineReason>());
  }
  if (!declines && reason) {
    throw InvalidArgument("a reason goes with declined_by_person or declined_by_host only");
  }
  if (follow_up_due && !follow_up_due->empty()) check_date(*follow_up_due, "follow_up_due");
  // A step that may take or free a slot changes a resource: it moves the store's generation.
  const auto writes = to == ReferralStatus::started || is_final(to)
                          ? Store::Transaction::Writes::content
                          : Store::Transaction::Writes::accounts;
  sqlite3* db = store_->raw_handle();
  Store::Transaction tx(*store_, writes);
  Referral r = find_writable(db, case_id, who);
  if (!allowed_next(r.status).contains(to)) {
    const std::string next = list_next(r.status);
    throw Conflict("a referral in " + std::string(code_ja(r.status)) + " (" +
                   std::string(code_id(r.status)) + ") cannot move to " + std::string(code_ja(to)) +
                   " (" + std::string(code_id(to)) + "); " +
                   (next.empty() ? "it is final: nothing can follow" : "allowed next: " + next));
  }
  // The resource's history is read by every signed-in role: it says a referral moved the slot,
  // never which case.
  const std::string actor = who.name + " (参加支援 referral)";
  if (to == ReferralStatus::started && !r.slot_taken) {
    move_slot(*store_, r.resource_id, -1, actor);
    r.slot_taken = true;
  } else if (r.slot_taken && !holds_slot(to)) {
    move_slot(*store_, r.resource_id, +1, actor);
    r.slot_taken = false;
  }
  const std::string from = std::string(code_id(r.status));
  r.status = to;
  r.decline_reason = reason;
  if (follow_up_due) r.follow_up_due = *follow_up_due;
  r.version += 1;
  r.updated_at = utc_now_iso();
  if (is_final(to)) r.closed_at = r.updated_at;
  write_row(db, r);
  add_event(db, r, r.updated_at, who.name);
  r.history.push_back(ReferralEvent{r.updated_at, who.name, r.status, reason});
  audit_case(db, who, "transition", r, from + "→" + std::string(code_id(to)));
  tx.commit();
  return r;
}

Referral SqliteReferrals::set_follow_up(std::string_view case_id, const std::string& follow_up_due,
                                        const AuditActor& who) {
  if (!follow_up_due.empty()) check_date(follow_up_due, "follow_up_due");
  sqlite3* db = store_->raw_handle();
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  Referral r = find_writable(db, case_id, who);
  if (is_final(r.status)) {
    throw Conflict("the referral is " + std::string(code_ja(r.status)) +
                   " (final): it has no follow-up");
  }
  r.follow_up_due = follow_up_due;
  r.version += 1;
  r.updated_at = utc_now_iso();
  write_row(db, r);
  audit_case(db, who, "follow_up", r, follow_up_due.empty() ? "cleared" : follow_up_due);
  tx.commit();
  return r;
}

std::vector<PlacementReferralStats> SqliteReferrals::stats(const std::string& resource_id,
                                                           const AuditActor& who) {
  sqlite3* db = store_->raw_handle();
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  // Months are calendar months in Japan. Only closed months are read: an answer given now lands
  // in this month, which no figure shows, so reading before and after it shows the same.
  const std::string this_month =
      jst_month(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()));
  // Per placement and closed month: for each referral, the days from its first 受入れ先打診 to
  // the host's answer (見学, 体験 or 参加開始 = accepted; 受入れ不可 = declined).
  struct Answer {
    double days;
    bool accepted;
  };
  std::map<std::pair<std::string, std::string>, std::vector<Answer>> answers;
  {
    Statement s(db,
                "SELECT r.resource_id, r.case_id, e.at, e.status FROM referral r "
                "JOIN referral_event e ON e.case_id = r.case_id "
                "WHERE (?1 = '' OR r.resource_id = ?1) ORDER BY r.resource_id, r.case_id, "
                "e.event_id");
    s.bind(1, resource_id);
    std::string current_case;
    bool asked = false;  // (not an optional: g++ 12 -O2 warns maybe-uninitialized)
    std::time_t asked_at = 0;
    bool answered = false;
    while (s.step()) {
      const std::string case_id = s.text(1);
      if (case_id != current_case) {
        current_case = case_id;
        asked = false;
        answered = false;
      }
      if (answered) continue;
      const auto status = parse_code<ReferralStatus>(s.text(3));
      const auto at = parse_iso_utc(s.text(2));
      if (!status || !at) continue;
      if (*status == ReferralStatus::host_asked) {
        if (!asked) {
          asked = true;
          asked_at = *at;
        }
        continue;
      }
      if (!asked) continue;
      const bool accepted = *status == ReferralStatus::visit || *status == ReferralStatus::trial ||
                            *status == ReferralStatus::started;
      if (accepted || *status == ReferralStatus::declined_by_host) {
        answered = true;
        const std::string month = jst_month(*at);
        if (month < this_month) {
          answers[{s.text(0), month}].push_back(
              {static_cast<double>(*at - asked_at) / 86400.0, accepted});
        }
      }
    }
  }
  // The months already frozen keep their first figures; the others are frozen now.
  struct Month {
    int answered;
    int accepted;
    double median_days;
  };
  std::map<std::pair<std::string, std::string>, Month> months;
  {
    Statement s(db,
                "SELECT resource_id, month, answered, accepted, median_days "
                "FROM referral_stats_month WHERE (?1 = '' OR resource_id = ?1)");
    s.bind(1, resource_id);
    while (s.step()) {
      months[{s.text(0), s.text(1)}] = {static_cast<int>(s.int64(2)), static_cast<int>(s.int64(3)),
                                        s.real(4)};
    }
  }
  {
    Statement ins(db,
                  "INSERT INTO referral_stats_month (resource_id, month, answered, accepted, "
                  "median_days, computed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    const std::string now = utc_now_iso();
    for (const auto& [key, list] : answers) {
      if (months.count(key) != 0) continue;
      std::vector<double> days;
      int accepted = 0;
      for (const auto& x : list) {
        days.push_back(x.days);
        accepted += x.accepted ? 1 : 0;
      }
      std::sort(days.begin(), days.end());
      const std::size_t n = days.size();
      const double median = n % 2 == 1 ? days[n / 2] : (days[n / 2 - 1] + days[n / 2]) / 2;
      const Month m{static_cast<int>(n), accepted, median};
      months[key] = m;
      ins.reset();
      ins.bind(1, key.first).bind(2, key.second).bind(3, std::int64_t{m.answered});
      ins.bind(4, std::int64_t{m.accepted}).bind(5, m.median_days).bind(6, now);
      ins.run();
    }
  }
  // The month before this one: what "closed" reaches to.
  std::string through;
  {
    int y = std::stoi(this_month.substr(0, 4));
    int mo = std::stoi(this_month.substr(5, 2)) - 1;
    if (mo == 0) {
      mo = 12;
      --y;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d", y, mo);
    through = buf;
  }
  std::map<std::string, PlacementReferralStats> by_placement;
  if (!resource_id.empty()) by_placement[resource_id].resource_id = resource_id;
  for (const auto& [key, m] : months) {
    if (m.answered < kMinCell) continue;  // never shown, never in a total
    auto& st = by_placement[key.first];
    st.resource_id = key.first;
    st.suppressed = false;
    st.months.push_back({key.second, m.answered, m.median_days,
                         static_cast<double>(m.accepted) / static_cast<double>(m.answered)});
    st.answered = st.answered.value_or(0) + m.answered;
    st.share_accepted = st.share_accepted.value_or(0) + m.accepted;  // a count until the end
  }
  std::vector<PlacementReferralStats> out;
  for (auto& [res, st] : by_placement) {
    st.through = through;
    if (st.answered) st.share_accepted = *st.share_accepted / *st.answered;
    out.push_back(std::move(st));
  }
  audit_entry(db, who, "stats", {}, {},
              resource_id.empty() ? "all placements" : "resource " + resource_id);
  tx.commit();
  return out;
}

PurgeReport SqliteReferrals::purge(int older_than_days, const AuditActor& who) {
  if (older_than_days < 0) {
    throw InvalidArgument("older-than-days must be 0 or more (got " +
                          std::to_string(older_than_days) + ")");
  }
  PurgeReport report;
  report.cutoff =
      iso_utc(std::chrono::system_clock::now() - std::chrono::hours(24) * older_than_days);
  sqlite3* db = store_->raw_handle();
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  std::vector<std::pair<std::string, std::string>> gone;  // case id, legal basis
  std::vector<std::string> statuses;
  std::vector<std::string> towns;
  {
    Statement s(db,
                "SELECT case_id, legal_basis, status, slot_taken, municipality FROM referral "
                "WHERE closed_at IS NOT NULL AND closed_at <= ?1 ORDER BY case_id");
    s.bind(1, report.cutoff);
    while (s.step()) {
      // A final referral never holds a slot; one that did would leave its slot taken forever.
      if (s.int64(3) != 0) continue;
      gone.emplace_back(s.text(0), s.text(1));
      statuses.push_back(s.text(2));
      towns.push_back(s.text(4));
    }
  }
  for (std::size_t i = 0; i < gone.size(); ++i) {
    const auto& [case_id, basis] = gone[i];
    Statement ev(db, "DELETE FROM referral_event WHERE case_id = ?1");
    ev.bind(1, case_id);
    ev.run();
    Statement row(db, "DELETE FROM referral WHERE case_id = ?1");
    row.bind(1, case_id);
    row.run();
    audit_entry(db, who, "purge", case_id, basis, "retention: final before " + report.cutoff,
                towns[i]);
    ++report.purged;
    if (statuses[i] == code_id(ReferralStatus::ended)) {
      ++report.ended;
    } else {
      ++report.declined;
    }
  }
  tx.commit();
  return report;
}

std::vector<AuditEntry> SqliteReferrals::audit(std::int64_t after, int limit,
                                               const MunicipalScope& towns) const {
  // A scoped reader's towns as a bound list (',023612,023671,'): their entries only.
  const std::string list = towns.all() ? std::string() : "," + towns.text() + ",";
  Statement s(store_->raw_handle(),
              "SELECT audit_id, at, user_id, user_name, action, coalesce(case_id, ''), "
              "coalesce(legal_basis, ''), detail, coalesce(municipality, '') FROM audit_log "
              "WHERE audit_id > ?1 AND (?3 = '' OR (municipality IS NOT NULL AND "
              "instr(?3, ',' || municipality || ',') > 0)) ORDER BY audit_id LIMIT ?2");
  s.bind(1, after).bind(2, std::int64_t{limit}).bind(3, list);
  std::vector<AuditEntry> out;
  while (s.step()) {
    out.push_back(AuditEntry{s.int64(0), s.text(1), s.int64(2), s.text(3), s.text(4), s.text(5),
                             s.text(6), s.text(7), s.text(8)});
  }
  return out;
}

}  // namespace tsunagi::geo
