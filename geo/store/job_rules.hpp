// The rules of the calls that several servers share through one store — analysis jobs claimed,
// beaten and ended by the server running them, failed logins counted per key — whatever backend
// keeps them: what each call refuses, checked once here before any SQL runs.
#pragma once

#include <cstddef>
#include <string_view>

#include "geo/store/backend.hpp"

namespace tsunagi::geo::job_rules {

/// The longest throttle key: a hash (hex or base64) of what the caller counts, never an address.
inline constexpr std::size_t kMaxThrottleKey = 128;

/// @throws InvalidArgument when `worker` (a server's instance id) is empty.
void check_worker(std::string_view call, std::string_view worker);
/// @throws InvalidArgument when `iso` (a time the call writes) is empty.
void check_time(std::string_view call, std::string_view what, std::string_view iso);
/// `progress` as stored: a number from 0 to 1, a rounding error's overshoot (a fraction computed
/// as from + (to - from) * f) brought back inside. @throws InvalidArgument when it is not a
/// number, or outside 0..1 by more than that.
[[nodiscard]] double checked_progress(std::string_view call, double progress);
/// The end of a job (finish_job): done, failed or cancelled, with the time it ended.
/// @throws InvalidArgument otherwise, or when the job has no id.
void check_end(const AnalysisJob& j);
/// @throws InvalidArgument when `key` is empty or longer than kMaxThrottleKey.
void check_throttle_key(std::string_view key);

}  // namespace tsunagi::geo::job_rules
