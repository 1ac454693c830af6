// The source ids an import has seen, each with the row it was first seen on: for "duplicate
// source id … (first used on row N)" and for the rows of the previous import that are missing now.
// One id per row of the file, so it is laid out flat (the ids' bytes in one buffer, a 24-byte entry
// each, an open-addressing table of 4-byte slots at most half full): about 35 bytes per id plus
// its length, where an std::unordered_map<std::string, std::int64_t> took some 70 (14 MB at 200k
// rows).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tsunagi::datasets {

class SeenIds {
 public:
  /// Sizes the table for `n` ids (a hint; it grows as needed).
  void reserve(std::size_t n);
  /// Records `id` as first seen on `row`, or returns the row it was first seen on (unchanged).
  std::optional<std::int64_t> insert(std::string_view id, std::int64_t row);
  [[nodiscard]] bool contains(std::string_view id) const;
  /// The row `id` was first seen on, or nullopt.
  [[nodiscard]] std::optional<std::int64_t> find(std::string_view id) const;
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::uint64_t offset;  ///< into bytes_
    std::uint32_t size;
    std::uint32_t hash;  ///< low bits of the id's hash: most mismatches end here
    std::int64_t row;
  };
  /// The slot holding `id` (its entry index + 1), or the empty slot where it belongs (0).
  [[nodiscard]] std::size_t probe(std::string_view id, std::uint64_t hash) const;
  void grow();

  std::string bytes_;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> slots_;  ///< entry index + 1; 0 = empty. Size: a power of two.
};

// ---- inline: small, and on the path of every row ----

namespace detail {

inline std::uint64_t hash_of(std::string_view id) {
  return std::hash<std::string_view>{}(id);
}

}  // namespace detail

inline void SeenIds::reserve(std::size_t n) {
  entries_.reserve(n);
  // At most half full: the table takes 8 bytes per id, and a probe rarely goes past two slots.
  const std::size_t want = std::bit_ceil(std::max<std::size_t>(n * 2, 16));
  if (want <= slots_.size()) return;
  slots_.assign(want, 0);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    const std::string_view id(bytes_.data() + e.offset, e.size);
    slots_[probe(id, detail::hash_of(id))] = static_cast<std::uint32_t>(i + 1);
  }
}

inline void SeenIds::grow() {
  reserve(std::max<std::size_t>(entries_.size() * 2, 8));
}

inline std::size_t SeenIds::probe(std::string_view id, std::uint64_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  const auto low = static_cast<std::uint32_t>(hash);
  for (std::size_t i = static_cast<std::size_t>(hash) & mask;; i = (i + 1) & mask) {
    const std::uint32_t s = slots_[i];
    if (s == 0) return i;
    const Entry& e = entries_[s - 1];
    if (e.hash == low && e.size == id.size() &&
        std::string_view(bytes_.data() + e.offset, e.size) == id) {
      return i;
    }
  }
}

inline std::optional<std::int64_t> SeenIds::insert(std::string_view id, std::int64_t row) {
  if ((entries_.size() + 1) * 2 > slots_.size()) grow();
  const std::uint64_t hash = detail::hash_of(id);
  const std::size_t at = probe(id, hash);
  if (slots_[at] != 0) return entries_[slots_[at] - 1].row;
  if (entries_.size() >= std::numeric_limits<std::uint32_t>::max() - 1 ||
      id.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("too many source ids in one import");
  }
  entries_.push_back(Entry{bytes_.size(), static_cast<std::uint32_t>(id.size()),
                           static_cast<std::uint32_t>(hash), row});
  bytes_.append(id);
  slots_[at] = static_cast<std::uint32_t>(entries_.size());
  return std::nullopt;
}

inline std::optional<std::int64_t> SeenIds::find(std::string_view id) const {
  if (slots_.empty()) return std::nullopt;
  const std::uint32_t s = slots_[probe(id, detail::hash_of(id))];
  if (s == 0) return std::nullopt;
  return entries_[s - 1].row;
}

inline bool SeenIds::contains(std::string_view id) const {
  return find(id).has_value();
}

}  // namespace tsunagi::datasets
