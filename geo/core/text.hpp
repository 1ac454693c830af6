// Text: an immutable string whose copies share one buffer — the text fields of a Resource.
//
// A published snapshot keeps each resource once per audience that sees it differently (the
// public's projection empties the bookkeeping, the note, an unagreed e-mail…), and a record has
// some twenty text fields. As std::string each is 32 bytes inline plus its own heap copy in every
// projection; as Text it is one pointer (null when empty), and a projection that leaves a field
// alone shares its bytes with the stored record: the public view costs what it changes.
//
// Reads look like a std::string's (it converts to const std::string& and std::string_view, and
// has the usual const members); a write replaces the whole value (assign, clear), never edits the
// shared bytes. Copies are thread-safe (an atomic count), like std::shared_ptr's.
#pragma once

#include <atomic>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>

namespace tsunagi::geo {

class Text {
 public:
  Text() noexcept = default;
  Text(std::string s)  // NOLINT(google-explicit-constructor): a value like std::string
      : rep_(s.empty() ? nullptr : new Rep{{1}, std::move(s)}) {}
  Text(std::string_view s)  // NOLINT(google-explicit-constructor)
      : Text(std::string(s)) {}
  Text(const char* s)  // NOLINT(google-explicit-constructor)
      : Text(std::string(s)) {}
  Text(const Text& other) noexcept : rep_(other.rep_) { retain(); }
  Text(Text&& other) noexcept : rep_(std::exchange(other.rep_, nullptr)) {}
  Text& operator=(const Text& other) noexcept {
    Text(other).swap(*this);
    return *this;
  }
  Text& operator=(Text&& other) noexcept {
    Text(std::move(other)).swap(*this);
    return *this;
  }
  ~Text() { release(); }

  /// Appends: a new value, the shared bytes left as they were.
  Text& operator+=(std::string_view s) {
    if (!s.empty()) *this = Text(std::string(view()).append(s));
    return *this;
  }
  Text& operator+=(char c) { return *this += std::string_view(&c, 1); }

  void swap(Text& other) noexcept { std::swap(rep_, other.rep_); }
  void clear() noexcept { Text().swap(*this); }

  [[nodiscard]] const std::string& str() const noexcept { return rep_ ? rep_->s : empty_string(); }
  [[nodiscard]] std::string_view view() const noexcept { return str(); }
  operator const std::string&() const noexcept { return str(); }  // NOLINT: reads as a string
  operator std::string_view() const noexcept { return str(); }    // NOLINT: reads as a string

  [[nodiscard]] bool empty() const noexcept { return rep_ == nullptr; }
  [[nodiscard]] std::size_t size() const noexcept { return str().size(); }
  [[nodiscard]] std::size_t length() const noexcept { return str().size(); }
  [[nodiscard]] const char* data() const noexcept { return str().data(); }
  [[nodiscard]] const char* c_str() const noexcept { return str().c_str(); }
  [[nodiscard]] std::string::const_iterator begin() const noexcept { return str().begin(); }
  [[nodiscard]] std::string::const_iterator end() const noexcept { return str().end(); }
  [[nodiscard]] char front() const { return str().front(); }
  [[nodiscard]] char back() const { return str().back(); }
  [[nodiscard]] char operator[](std::size_t i) const { return str()[i]; }
  [[nodiscard]] std::string substr(std::size_t pos = 0, std::size_t n = std::string::npos) const {
    return str().substr(pos, n);
  }
  [[nodiscard]] std::size_t find(std::string_view s, std::size_t pos = 0) const noexcept {
    return view().find(s, pos);
  }
  [[nodiscard]] std::size_t find(char c, std::size_t pos = 0) const noexcept {
    return view().find(c, pos);
  }
  [[nodiscard]] bool starts_with(std::string_view s) const noexcept {
    return view().starts_with(s);
  }
  [[nodiscard]] bool ends_with(std::string_view s) const noexcept { return view().ends_with(s); }

  /// True when both hold the same buffer (a copy of the other, or both empty): what a snapshot's
  /// audiences share.
  [[nodiscard]] bool shares(const Text& other) const noexcept { return rep_ == other.rep_; }

  friend bool operator==(const Text& a, const Text& b) noexcept {
    return a.rep_ == b.rep_ || a.view() == b.view();
  }
  template <class T>
  requires(std::convertible_to<const T&, std::string_view> && !std::same_as<T, Text>) friend bool
  operator==(const Text& a, const T& b) {
    return a.view() == std::string_view(b);
  }
  friend std::strong_ordering operator<=>(const Text& a, const Text& b) noexcept {
    return a.view() <=> b.view();
  }
  template <class T>
  requires(std::convertible_to<const T&, std::string_view> &&
           !std::same_as<T, Text>) friend std::strong_ordering
  operator<=>(const Text& a, const T& b) {
    return a.view() <=> std::string_view(b);
  }
  friend std::string operator+(const Text& a, const Text& b) { return a.str() + b.str(); }
  template <class T>
  requires(std::convertible_to<const T&, std::string_view> &&
           !std::same_as<T, Text>) friend std::string
  operator+(const Text& a, const T& b) {
    return std::string(a.view()).append(std::string_view(b));
  }
  template <class T>
  requires(std::convertible_to<const T&, std::string_view> &&
           !std::same_as<T, Text>) friend std::string
  operator+(const T& a, const Text& b) {
    return std::string(std::string_view(a)).append(b.view());
  }

 private:
  struct Rep {
    std::atomic<std::uint32_t> refs;
    std::string s;
  };
  static const std::string& empty_string() noexcept {
    static const std::string empty;
    return empty;
  }
  void retain() const noexcept {
    if (rep_ != nullptr) rep_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void release() noexcept {
    if (rep_ != nullptr && rep_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete rep_;
    rep_ = nullptr;
  }
  Rep* rep_ = nullptr;
};

std::ostream& operator<<(std::ostream& os, const Text& t);

/// For nlohmann::json (found by argument-dependent lookup): a Text is a JSON string.
template <class Json>
void to_json(Json& j, const Text& t) {
  j = t.str();
}
template <class Json>
void from_json(const Json& j, Text& t) {
  t = j.template get<std::string>();
}

}  // namespace tsunagi::geo

template <>
struct std::hash<tsunagi::geo::Text> {
  std::size_t operator()(const tsunagi::geo::Text& t) const noexcept {
    return std::hash<std::string_view>{}(t.view());
  }
};
