// The schedule parser (「第1・第3水曜日 13:30〜15:00」...): any text gives schedules or an
// InvalidArgument; what it accepts renders as an RRULE and as Japanese that reads back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "geo/core/error.hpp"
#include "geo/core/schedule.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tsunagi::geo;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (const Schedule& s : parse_schedules(text)) {
      (void)s.rrule();
      (void)s.freq_class();
      (void)s.meets_on(Weekday::wed, 600, 720);
      try {
        (void)parse_schedules(s.to_japanese());
      } catch (const InvalidArgument&) {
      }
    }
  } catch (const InvalidArgument&) {
  }
  return 0;
}
