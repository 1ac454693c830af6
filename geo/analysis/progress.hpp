// Progress and cancellation of the long analysis runs of geo/analysis: a background job reports to
// its row, the CLI draws a bar on a terminal, the tests count calls. The computations call report()
// now and then and poll cancelled(); when it says yes they throw Cancelled and leave nothing
// half-done behind (they own no shared state).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace tsunagi::geo::gap {

class Progress {
 public:
  virtual ~Progress() = default;
  /// `fraction` runs from 0 to 1 over the whole call; `stage` names what is being done.
  virtual void report(double fraction, std::string_view stage) {
    static_cast<void>(fraction);
    static_cast<void>(stage);
  }
  [[nodiscard]] virtual bool cancelled() const { return false; }
};

/// Thrown by a computation whose Progress said cancelled().
struct Cancelled : std::runtime_error {
  using runtime_error::runtime_error;
};

namespace detail {
/// report() when a Progress is given; throws Cancelled when it is cancelled.
inline void step(Progress* p, double fraction, std::string_view stage) {
  if (p == nullptr) return;
  if (p->cancelled()) throw Cancelled("cancelled during " + std::string(stage));
  p->report(fraction, stage);
}
}  // namespace detail

}  // namespace tsunagi::geo::gap
