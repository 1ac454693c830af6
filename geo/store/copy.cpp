// The copy of a store whole: the table list (the schema at its current version) and the copy
// with its verification, through each backend's dump_rows / load_rows.
#include "geo/store/copy.hpp"

#include <cstring>

#include "geo/core/error.hpp"
#include "geo/core/hash.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

const std::vector<CopyTable>& copy_tables() {
  using K = CopyKind;
  // clang-format off
  static const std::vector<CopyTable> kTables{
      {"source", {{"source_id", K::integer}, {"key", K::text}, {"title", K::text}, {"publisher", K::text}, {"url", K::text}, {"license", K::text}, {"attribution", K::text}, {"vintage", K::text}, {"imported_at", K::text}}, "source_id"},
      {"import_run", {{"run_id", K::integer}, {"source_id", K::integer}, {"started_at", K::text}, {"finished_at", K::text}, {"inserted", K::integer}, {"updated", K::integer}, {"unchanged", K::integer}, {"rejected", K::integer}, {"report_json", K::text}}, "run_id"},
      {"resource", {{"resource_id", K::text}, {"source_id", K::integer}, {"source_key", K::text}, {"version", K::integer}, {"created_at", K::text}, {"updated_at", K::text}, {"kind", K::text}, {"subtype", K::text}, {"name", K::text}, {"name_kana", K::text}, {"description", K::text}, {"lon", K::real}, {"lat", K::real}, {"accuracy", K::text}, {"lg_code", K::text}, {"address", K::text}, {"building", K::text}, {"venue", K::text}, {"operator_type", K::text}, {"operator_name", K::text}, {"corporate_number", K::text}, {"official_id", K::text}, {"phone", K::text}, {"fax", K::text}, {"email", K::text}, {"url", K::text}, {"activities", K::text}, {"main_activity", K::text}, {"targets", K::text}, {"age_min", K::integer}, {"age_max", K::integer}, {"residency_restriction", K::text}, {"schedules_json", K::text}, {"fees_json", K::text}, {"fee_note", K::text}, {"meal_provided", K::boolean}, {"reservation_required", K::boolean}, {"barrier_free_json", K::text}, {"parking", K::text}, {"capacity", K::integer}, {"capacity_unit", K::text}, {"vacancy", K::integer}, {"vacancy_as_of", K::text}, {"offer_json", K::text}, {"publish", K::text}, {"status", K::text}, {"verified_at", K::text}, {"note", K::text}, {"created_by", K::text}, {"contact_public", K::boolean}, {"access_note", K::text}}, ""},
      {"resource_history", {{"history_id", K::integer}, {"resource_id", K::text}, {"version", K::integer}, {"at", K::text}, {"actor", K::text}, {"action", K::text}, {"changes_json", K::text}}, "history_id"},
      {"area", {{"area_id", K::text}, {"kind", K::text}, {"code", K::text}, {"name", K::text}, {"parent_id", K::text}, {"lg_code", K::text}, {"source_id", K::integer}, {"vintage", K::text}, {"label_lon", K::real}, {"label_lat", K::real}, {"geom", K::wkb}, {"approximate", K::boolean}, {"level", K::text}}, ""},
      {"area_population", {{"area_id", K::text}, {"ref_date", K::text}, {"age_from", K::integer}, {"age_to", K::integer}, {"male", K::integer}, {"female", K::integer}, {"source_id", K::integer}}, ""},
      {"area_households", {{"area_id", K::text}, {"ref_date", K::text}, {"households", K::integer}}, ""},
      {"app_user", {{"user_id", K::integer}, {"name", K::text}, {"role", K::text}, {"password_hash", K::text}, {"created_at", K::text}, {"disabled", K::boolean}, {"failed_logins", K::integer}, {"locked_until", K::text}, {"municipalities", K::text}}, "user_id"},
      {"api_token", {{"token_id", K::integer}, {"user_id", K::integer}, {"token_hash", K::text}, {"label", K::text}, {"created_at", K::text}, {"last_used_at", K::text}, {"revoked_at", K::text}}, "token_id"},
      {"session", {{"session_hash", K::text}, {"user_id", K::integer}, {"csrf_token", K::text}, {"created_at", K::text}, {"expires_at", K::text}}, ""},
      {"walk_network", {{"id", K::integer}, {"generation", K::integer}, {"source", K::text}, {"imported_at", K::text}, {"report_json", K::text}, {"node_count", K::integer}, {"edge_count", K::integer}, {"nodes", K::bytes}, {"edges", K::bytes}}, ""},
      {"referral", {{"case_id", K::text}, {"resource_id", K::text}, {"legal_basis", K::text}, {"consent_scope", K::text}, {"consent_date", K::text}, {"home_area", K::text}, {"age_band", K::text}, {"needs", K::text}, {"follow_up_due", K::text}, {"status", K::text}, {"decline_reason", K::text}, {"slot_taken", K::boolean}, {"version", K::integer}, {"created_at", K::text}, {"updated_at", K::text}, {"closed_at", K::text}, {"created_by", K::text}, {"municipality", K::text}, {"host_municipality", K::text}}, ""},
      {"referral_event", {{"event_id", K::integer}, {"case_id", K::text}, {"at", K::text}, {"actor", K::text}, {"status", K::text}, {"reason", K::text}}, "event_id"},
      {"referral_stats_month", {{"resource_id", K::text}, {"month", K::text}, {"answered", K::integer}, {"accepted", K::integer}, {"median_days", K::real}, {"computed_at", K::text}}, ""},
      {"audit_log", {{"audit_id", K::integer}, {"at", K::text}, {"user_id", K::integer}, {"user_name", K::text}, {"action", K::text}, {"case_id", K::text}, {"legal_basis", K::text}, {"detail", K::text}, {"chain_hash", K::text}, {"municipality", K::text}}, ""},
      {"address_point", {{"address_id", K::integer}, {"lg_code", K::text}, {"pref", K::text}, {"city", K::text}, {"town", K::text}, {"koaza", K::text}, {"lon", K::real}, {"lat", K::real}, {"source_id", K::integer}}, "address_id"},
      {"stat_def", {{"stat_key", K::text}, {"label", K::text}, {"unit", K::text}, {"publish", K::text}, {"own_data", K::boolean}, {"min_cell", K::integer}, {"source_id", K::integer}, {"note", K::text}, {"breakdowns", K::text}}, ""},
      {"area_stat", {{"area_id", K::text}, {"stat_key", K::text}, {"ref_date", K::text}, {"value", K::real}, {"status", K::text}, {"merged", K::text}, {"source_id", K::integer}}, ""},
      {"analysis_job", {{"job_id", K::text}, {"analysis", K::text}, {"request_json", K::text}, {"audience", K::text}, {"owner", K::text}, {"status", K::text}, {"created_at", K::text}, {"finished_at", K::text}, {"result_json", K::text}, {"error", K::text}, {"municipality", K::text}, {"started_at", K::text}, {"claimed_by", K::text}, {"heartbeat_at", K::text}, {"progress", K::real}, {"stage", K::text}, {"cancel_requested", K::boolean}}, ""},
      {"confirmation_request", {{"request_id", K::integer}, {"resource_id", K::text}, {"token_hash", K::text}, {"code_hash", K::text}, {"created_at", K::text}, {"created_by", K::text}, {"expires_at", K::text}, {"revoked_at", K::text}, {"answered_at", K::text}, {"answer", K::text}}, "request_id"},
      {"listing_proposal", {{"proposal_id", K::integer}, {"resource_id", K::text}, {"origin", K::text}, {"request_id", K::integer}, {"answer", K::text}, {"changes_json", K::text}, {"diff_json", K::text}, {"report_text", K::text}, {"base_version", K::integer}, {"created_at", K::text}, {"status", K::text}, {"decided_at", K::text}, {"decided_by", K::text}, {"decision", K::text}}, "proposal_id"},
      {"login_throttle", {{"key", K::text}, {"failures", K::integer}, {"last_failure", K::text}, {"locked_until", K::text}}, ""},
  };
  // clang-format on
  return kTables;
}

namespace {

/// An order-independent checksum: the sum of each row's FNV-1a over its values (presence byte,
/// length, bytes), so both sides may read in their own order.
std::uint64_t row_hash(const CopyRow& row) {
  std::uint64_t h = kFnv1aOffset;
  for (const auto& v : row) {
    const char present = v ? 1 : 0;
    h = fnv1a(std::string_view(&present, 1), h);
    if (!v) continue;
    const auto n = static_cast<std::uint64_t>(v->size());
    char len[sizeof n];
    std::memcpy(len, &n, sizeof n);
    h = fnv1a(std::string_view(len, sizeof n), h);
    h = fnv1a(*v, h);
  }
  return h;
}

struct Tally {
  std::int64_t rows = 0;
  std::uint64_t sum = 0;
};

Tally tally(const StoreBackend& b, const CopyTable& t) {
  Tally out;
  b.dump_rows(t, [&](CopyRow&& row) {
    ++out.rows;
    out.sum += row_hash(row);
  });
  return out;
}

}  // namespace

std::vector<CopyTableReport> copy_store(const std::string& from, const std::string& to) {
  const Store source = Store::open(from, Store::Mode::read_only);
  const bool existed = Store::exists(to);
  std::vector<CopyTableReport> report;
  try {
    Store target = Store::open(to, Store::Mode::create_if_missing);
    for (const auto& t : copy_tables()) {
      if (const auto n = tally(target.backend(), t).rows; n > 0) {
        throw StoreError("the store " + target.path().string() + " is not empty (" +
                         std::string(t.name) + " has " + std::to_string(n) +
                         " rows): migrate copies into a new or empty store only");
      }
    }
    {
      Store::Transaction tx(target);
      constexpr std::size_t kBatch = 1000;
      for (const auto& t : copy_tables()) {
        std::vector<CopyRow> batch;
        source.backend().dump_rows(t, [&](CopyRow&& row) {
          batch.push_back(std::move(row));
          if (batch.size() == kBatch) {
            target.backend().load_rows(t, batch);
            batch.clear();
          }
        });
        if (!batch.empty()) target.backend().load_rows(t, batch);
      }
      target.backend().finish_load(copy_tables());
      tx.commit();
    }
    for (const auto& t : copy_tables()) {
      const auto a = tally(source.backend(), t);
      const auto b = tally(target.backend(), t);
      report.push_back({std::string(t.name), a.rows, b.rows, a.sum, b.sum});
      if (!report.back().same()) {
        throw StoreError("the copy of " + std::string(t.name) + " differs from its source (" +
                         std::to_string(a.rows) + " rows, " + std::to_string(b.rows) +
                         " copied): the copy is discarded");
      }
    }
  } catch (...) {
    if (!existed) Store::discard(to);
    throw;
  }
  return report;
}

}  // namespace tsunagi::geo
