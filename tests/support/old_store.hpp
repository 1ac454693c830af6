// A store of an older schema, for the tests of the migrations that bring it up to date.
#pragma once

#include "geo/store/store.hpp"

namespace tsunagi::test {

/// Takes a store made by this build back to schema version 7 (before migrations 8–16: small
/// areas' level, statistic totals, the audit chain with its month table, the job owner index,
/// confirmation requests and the review queue, access_note, the towns of users, cases and audit
/// entries, the town of analysis jobs, analysis jobs shared by servers, login throttle counts).
/// The test then writes rows as that version held them and opens the store again. Each new
/// migration adds its inverse here.
inline void downgrade_to_version_7(geo::Store& store) {
  store.exec(
      "DROP TABLE login_throttle; DROP INDEX analysis_job_by_status; "
      "ALTER TABLE analysis_job DROP COLUMN cancel_requested; "
      "ALTER TABLE analysis_job DROP COLUMN stage; ALTER TABLE analysis_job DROP COLUMN progress; "
      "ALTER TABLE analysis_job DROP COLUMN heartbeat_at; "
      "ALTER TABLE analysis_job DROP COLUMN claimed_by; "
      "ALTER TABLE analysis_job DROP COLUMN started_at; "
      "DROP INDEX analysis_job_by_municipality; "
      "ALTER TABLE analysis_job DROP COLUMN municipality; "
      "ALTER TABLE audit_log DROP COLUMN municipality; DROP INDEX referral_municipality; "
      "ALTER TABLE referral DROP COLUMN host_municipality; "
      "ALTER TABLE referral DROP COLUMN municipality; "
      "ALTER TABLE app_user DROP COLUMN municipalities; "
      "ALTER TABLE resource DROP COLUMN access_note; "
      "DROP TABLE listing_proposal; DROP TABLE confirmation_request; "
      "DROP INDEX analysis_job_by_owner; "
      "DROP TRIGGER audit_log_chained; DROP TRIGGER audit_log_no_update; "
      "DROP TABLE referral_stats_month; ALTER TABLE audit_log DROP COLUMN chain_hash; "
      "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT "
      "RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END; "
      "ALTER TABLE stat_def DROP COLUMN breakdowns; "
      "ALTER TABLE area DROP COLUMN level; "
      "PRAGMA user_version = 7");
}

}  // namespace tsunagi::test
