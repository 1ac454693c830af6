// Referrals on the PostgreSQL store: the SQLite part (geo/store/sqlite/referrals.cpp) statement for
// statement, with $n parameters, booleans as boolean and strpos for SQLite's instr. Every
// operation runs in a Store::Transaction, whose advisory lock serialises it with every other write
// on the database (as BEGIN IMMEDIATE does for one SQLite file): the check-then-write of the last
// open slot (read the placement, see slots_open > 0, write it through Store::update) therefore
// has exactly one winner across servers, and Store::update's expected-version check would refuse
// a second writer even without the lock.
#include "geo/store/referrals.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>

#include "geo/core/error.hpp"
#include "geo/core/ids.hpp"
#include "geo/core/resource.hpp"
#include "geo/core/time.hpp"
#include "geo/store/audit_chain.hpp"
#include "geo/store/audit_log.hpp"
#include "geo/store/postgres/pg_store.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

namespace {

constexpr pg::ExecOptions kOptions{.error_prefix = "referrals"};

pg::Result exec(const PgStore& store, std::string_view sql, const pg::Params& params = {}) {
  return store.conn().exec(sql, params, kOptions);
}

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

Referral read_referral(const pg::Result& s, int i) {
  Referral r;
  r.case_id = s.text(i, 0);
  r.resource_id = s.text(i, 1);
  r.legal_basis = read_code<LegalBasis>(s.text(i, 2));
  r.consent_scope = read_set<ConsentScope>(s.text(i, 3));
  r.consent_date = s.text(i, 4);
  r.home_area = s.text(i, 5);
  r.age_band = s.text(i, 6);
  r.needs = read_set<NeedTag>(s.text(i, 7));
  r.follow_up_due = s.text(i, 8);
  r.status = read_code<ReferralStatus>(s.text(i, 9));
  if (!s.is_null(i, 10)) r.decline_reason = read_code<DeclineReason>(s.text(i, 10));
  r.slot_taken = s.boolean(i, 11);
  r.version = s.i64(i, 12);
  r.created_at = s.text(i, 13);
  r.updated_at = s.text(i, 14);
  r.closed_at = s.text(i, 15);
  r.created_by = s.text(i, 16);
  r.municipality = s.text(i, 17);
  r.host_municipality = s.text(i, 18);
  return r;
}

void load_history(const PgStore& store, Referral& r) {
  const auto s = exec(store,
                      "SELECT at, actor, status, reason FROM referral_event WHERE case_id = $1 "
                      "ORDER BY event_id",
                      pg::Params().text(r.case_id));
  for (int i = 0; i < s.rows(); ++i) {
    ReferralEvent e;
    e.at = s.text(i, 0);
    e.actor = s.text(i, 1);
    e.status = read_code<ReferralStatus>(s.text(i, 2));
    if (!s.is_null(i, 3)) e.reason = read_code<DeclineReason>(s.text(i, 3));
    r.history.push_back(std::move(e));
  }
}

/// The case, when `scope` reaches it (its town or its placement's town); a case out of reach is
/// not found, exactly like one that does not exist.
std::optional<Referral> find(const PgStore& store, std::string_view case_id,
                             const MunicipalScope& scope) {
  const auto s =
      exec(store, "SELECT " + std::string(kColumns) + " FROM referral WHERE case_id = $1",
           pg::Params().text(case_id));
  if (s.rows() == 0) return std::nullopt;
  Referral r = read_referral(s, 0);
  if (!reaches(scope, r)) return std::nullopt;
  load_history(store, r);
  return r;
}

/// The case for a write by `who`: not found out of reach; a case `who` reaches only as its
/// placement's town is read-only for them (the person's town holds the case and its legal basis).
Referral find_writable(const PgStore& store, std::string_view case_id, const AuditActor& who) {
  auto found = find(store, case_id, who.scope);
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

void add_event(const PgStore& store, const Referral& r, std::string_view at,
               std::string_view actor) {
  pg::Params p;
  p.text(r.case_id).text(at).text(actor).text(code_id(r.status));
  if (r.decline_reason) {
    p.text(code_id(*r.decline_reason));
  } else {
    p.null();
  }
  exec(store,
       "INSERT INTO referral_event (case_id, at, actor, status, reason) "
       "VALUES ($1, $2, $3, $4, $5)",
       p);
}

void audit_entry(PgStore& store, const AuditActor& who, std::string_view action,
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
  pg_audit_append(store, std::move(row));
}

void audit_case(PgStore& store, const AuditActor& who, std::string_view action, const Referral& r,
                std::string_view detail = {}) {
  audit_entry(store, who, action, r.case_id, code_id(r.legal_basis), detail, r.municipality);
}

void write_row(const PgStore& store, const Referral& r) {
  pg::Params p;
  p.text(r.case_id).text(code_id(r.status));
  if (r.decline_reason) {
    p.text(code_id(*r.decline_reason));
  } else {
    p.null();
  }
  p.boolean(r.slot_taken)
      .text_or_null(r.follow_up_due)
      .i64(r.version)
      .text(r.updated_at)
      .text_or_null(r.closed_at);
  exec(store,
       "UPDATE referral SET status = $2, decline_reason = $3, slot_taken = $4, "
       "follow_up_due = $5, version = $6, updated_at = $7, closed_at = $8 "
       "WHERE case_id = $1",
       p);
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
/// that the resource's version, history and change_seq move and the snapshot republishes. Called
/// inside the caller's write transaction: its advisory lock keeps every other writer out between
/// the read of slots_open and the update, so of two servers racing for the last slot exactly one
/// finds it open; the other waits for the lock, then reads 0 and gets the Conflict below.
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

/// Referrals on the PostgreSQL store.
class PgReferrals final : public Referrals {
 public:
  explicit PgReferrals(PgStore& store) : store_(&store) {}

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
  PgStore* store_;
};

std::unique_ptr<Referrals> make_pg_referrals(PgStore& store) {
  return std::make_unique<PgReferrals>(store);
}

Referral PgReferrals::create(Referral r, const AuditActor& who) {
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
  exec(*store_,
       "INSERT INTO referral (" + std::string(kColumns) +
           ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, false, 1, $11, $11, NULL, "
           "$12, $13, $14)",
       pg::Params()
           .text(r.case_id)
           .text(r.resource_id)
           .text(code_id(r.legal_basis))
           .text(code_ids(r.consent_scope))
           .text(r.consent_date)
           .text(r.home_area)
           .text(r.age_band)
           .text(code_ids(r.needs))
           .text_or_null(r.follow_up_due)
           .text(code_id(r.status))
           .text(r.created_at)
           .text(who.name)
           .text(r.municipality)
           .text(r.host_municipality));
  add_event(*store_, r, r.created_at, who.name);
  r.history = {ReferralEvent{r.created_at, who.name, r.status, std::nullopt}};
  audit_case(*store_, who, "create", r, "resource " + r.resource_id);
  tx.commit();
  return r;
}

std::optional<Referral> PgReferrals::get(std::string_view case_id, const AuditActor& who) {
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  auto r = find(*store_, case_id, who.scope);
  if (!r) return std::nullopt;
  audit_case(*store_, who, "read", *r);
  tx.commit();
  return r;
}

std::vector<Referral> PgReferrals::list(const ReferralFilter& filter, const AuditActor& who) {
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  std::vector<Referral> out;
  {
    pg::Params p;
    if (filter.status) {
      p.text(code_id(*filter.status));
    } else {
      p.null();
    }
    p.text(filter.resource_id).text(filter.municipality);
    const auto s = exec(*store_,
                        "SELECT " + std::string(kColumns) +
                            " FROM referral WHERE ($1::text IS NULL OR status = $1::text) AND "
                            "($2::text = '' OR resource_id = $2::text) AND "
                            "($3::text = '' OR municipality = $3::text) ORDER BY case_id",
                        p);
    for (int i = 0; i < s.rows(); ++i) {
      Referral r = read_referral(s, i);
      if (reaches(who.scope, r)) out.push_back(std::move(r));
    }
  }
  for (auto& r : out) {
    load_history(*store_, r);
    audit_case(*store_, who, "list", r);
  }
  tx.commit();
  return out;
}

std::vector<Referral> PgReferrals::overdue(std::string_view today, const AuditActor& who) {
  check_date(today, "today");
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  std::vector<Referral> out;
  {
    const auto s = exec(*store_,
                        "SELECT " + std::string(kColumns) +
                            " FROM referral WHERE follow_up_due IS NOT NULL AND follow_up_due < "
                            "$1::text AND closed_at IS NULL ORDER BY follow_up_due, case_id",
                        pg::Params().text(today));
    for (int i = 0; i < s.rows(); ++i) {
      Referral r = read_referral(s, i);
      if (reaches(who.scope, r)) out.push_back(std::move(r));
    }
  }
  for (auto& r : out) {
    load_history(*store_, r);
    audit_case(*store_, who, "list_overdue", r);
  }
  tx.commit();
  return out;
}

Referral PgReferrals::transition(std::string_view case_id, ReferralStatus to,
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
  // The write transaction's advisory lock is taken here, before the case and its placement are
  // read: no other server writes between this read and move_slot's update.
  Store::Transaction tx(*store_, writes);
  Referral r = find_writable(*store_, case_id, who);
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
  write_row(*store_, r);
  add_event(*store_, r, r.updated_at, who.name);
  r.history.push_back(ReferralEvent{r.updated_at, who.name, r.status, reason});
  audit_case(*store_, who, "transition", r, from + "→" + std::string(code_id(to)));
  tx.commit();
  return r;
}

Referral PgReferrals::set_follow_up(std::string_view case_id, const std::string& follow_up_due,
                                    const AuditActor& who) {
  if (!follow_up_due.empty()) check_date(follow_up_due, "follow_up_due");
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  Referral r = find_writable(*store_, case_id, who);
  if (is_final(r.status)) {
    throw Conflict("the referral is " + std::string(code_ja(r.status)) +
                   " (final): it has no follow-up");
  }
  r.follow_up_due = follow_up_due;
  r.version += 1;
  r.updated_at = utc_now_iso();
  write_row(*store_, r);
  audit_case(*store_, who, "follow_up", r, follow_up_due.empty() ? "cleared" : follow_up_due);
  tx.commit();
  return r;
}

std::vector<PlacementReferralStats> PgReferrals::stats(const std::string& resource_id,
                                                       const AuditActor& who) {
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
    const auto s = exec(*store_,
                        "SELECT r.resource_id, r.case_id, e.at, e.status FROM referral r "
                        "JOIN referral_event e ON e.case_id = r.case_id "
                        "WHERE ($1::text = '' OR r.resource_id = $1::text) "
                        "ORDER BY r.resource_id, r.case_id, e.event_id",
                        pg::Params().text(resource_id));
    std::string current_case;
    bool asked = false;  // (not an optional: g++ 12 -O2 warns maybe-uninitialized)
    std::time_t asked_at = 0;
    bool answered = false;
    for (int i = 0; i < s.rows(); ++i) {
      const std::string case_id = s.text(i, 1);
      if (case_id != current_case) {
        current_case = case_id;
        asked = false;
        answered = false;
      }
      if (answered) continue;
      const auto status = parse_code<ReferralStatus>(s.text(i, 3));
      const auto at = parse_iso_utc(s.text(i, 2));
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
          answers[{s.text(i, 0), month}].push_back(
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
    const auto s = exec(*store_,
                        "SELECT resource_id, month, answered, accepted, median_days "
                        "FROM referral_stats_month WHERE ($1::text = '' OR resource_id = $1::text)",
                        pg::Params().text(resource_id));
    for (int i = 0; i < s.rows(); ++i) {
      months[{s.text(i, 0), s.text(i, 1)}] = {static_cast<int>(s.i64(i, 2)),
                                              static_cast<int>(s.i64(i, 3)), s.real(i, 4)};
    }
  }
  {
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
      // The advisory lock of this transaction keeps a second server from freezing the same month
      // meanwhile: the row is new (months above had no such key).
      exec(*store_,
           "INSERT INTO referral_stats_month (resource_id, month, answered, accepted, "
           "median_days, computed_at) VALUES ($1, $2, $3, $4, $5, $6)",
           pg::Params()
               .text(key.first)
               .text(key.second)
               .i64(m.answered)
               .i64(m.accepted)
               .real(m.median_days)
               .text(now));
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
  audit_entry(*store_, who, "stats", {}, {},
              resource_id.empty() ? "all placements" : "resource " + resource_id);
  tx.commit();
  return out;
}

PurgeReport PgReferrals::purge(int older_than_days, const AuditActor& who) {
  if (older_than_days < 0) {
    throw InvalidArgument("older-than-days must be 0 or more (got " +
                          std::to_string(older_than_days) + ")");
  }
  PurgeReport report;
  report.cutoff =
      iso_utc(std::chrono::system_clock::now() - std::chrono::hours(24) * older_than_days);
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  std::vector<std::pair<std::string, std::string>> gone;  // case id, legal basis
  std::vector<std::string> statuses;
  std::vector<std::string> towns;
  {
    const auto s = exec(*store_,
                        "SELECT case_id, legal_basis, status, slot_taken, municipality FROM "
                        "referral WHERE closed_at IS NOT NULL AND closed_at <= $1::text "
                        "ORDER BY case_id",
                        pg::Params().text(report.cutoff));
    for (int i = 0; i < s.rows(); ++i) {
      // A final referral never holds a slot; one that did would leave its slot taken forever.
      if (s.boolean(i, 3)) continue;
      gone.emplace_back(s.text(i, 0), s.text(i, 1));
      statuses.push_back(s.text(i, 2));
      towns.push_back(s.text(i, 4));
    }
  }
  for (std::size_t i = 0; i < gone.size(); ++i) {
    const auto& [case_id, basis] = gone[i];
    exec(*store_, "DELETE FROM referral_event WHERE case_id = $1", pg::Params().text(case_id));
    exec(*store_, "DELETE FROM referral WHERE case_id = $1", pg::Params().text(case_id));
    audit_entry(*store_, who, "purge", case_id, basis, "retention: final before " + report.cutoff,
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

std::vector<AuditEntry> PgReferrals::audit(std::int64_t after, int limit,
                                           const MunicipalScope& towns) const {
  // A scoped reader's towns as a bound list (',023612,023671,'): their entries only.
  const std::string list = towns.all() ? std::string() : "," + towns.text() + ",";
  const auto s =
      exec(*store_,
           "SELECT audit_id, at, user_id, user_name, action, coalesce(case_id, ''), "
           "coalesce(legal_basis, ''), detail, coalesce(municipality, '') FROM audit_log "
           "WHERE audit_id > $1::bigint AND ($3::text = '' OR (municipality IS NOT NULL AND "
           "strpos($3::text, ',' || municipality || ',') > 0)) ORDER BY audit_id LIMIT $2::bigint",
           pg::Params().i64(after).i64(limit).text(list));
  std::vector<AuditEntry> out;
  out.reserve(static_cast<std::size_t>(s.rows()));
  for (int i = 0; i < s.rows(); ++i) {
    out.push_back(AuditEntry{s.i64(i, 0), s.text(i, 1), s.i64(i, 2), s.text(i, 3), s.text(i, 4),
                             s.text(i, 5), s.text(i, 6), s.text(i, 7), s.text(i, 8)});
  }
  return out;
}

}  // namespace tsunagi::geo
