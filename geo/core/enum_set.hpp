// A small set of enumerators stored as a bit mask (target groups, activities, weekdays...).
#pragma once

#include <bit>
#include <cstdint>
#include <initializer_list>
#include <type_traits>

namespace tsunagi::geo {

template <typename E>
class EnumSet {
  static_assert(std::is_enum_v<E>);

 public:
  constexpr EnumSet() = default;
  constexpr EnumSet(std::initializer_list<E> values) {
    for (E v : values) insert(v);
  }
  static constexpr EnumSet from_bits(std::uint64_t bits) {
    EnumSet s;
    s.bits_ = bits;
    return s;
  }

  constexpr void insert(E v) { bits_ |= bit(v); }
  constexpr void erase(E v) { bits_ &= ~bit(v); }
  [[nodiscard]] constexpr bool contains(E v) const { return (bits_ & bit(v)) != 0; }
  [[nodiscard]] constexpr bool empty() const { return bits_ == 0; }
  [[nodiscard]] constexpr int size() const { return std::popcount(bits_); }
  [[nodiscard]] constexpr std::uint64_t bits() const { return bits_; }
  /// True when the two sets share at least one member.
  [[nodiscard]] constexpr bool intersects(EnumSet other) const {
    return (bits_ & other.bits_) != 0;
  }
  constexpr bool operator==(const EnumSet&) const = default;

  /// Calls f(E) for every member in enumerator order.
  template <typename F>
  constexpr void for_each(F&& f) const {
    for (std::uint64_t b = bits_; b != 0; b &= b - 1) {
      f(static_cast<E>(std::countr_zero(b)));
    }
  }

 private:
  static constexpr std::uint64_t bit(E v) {
    return std::uint64_t{1} << static_cast<std::underlying_type_t<E>>(v);
  }
  std::uint64_t bits_ = 0;
};

}  // namespace tsunagi::geo
