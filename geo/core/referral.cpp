#include "geo/core/referral.hpp"

#include <cctype>
#include <charconv>
#include <chrono>
#include <set>

#include "geo/core/error.hpp"
#include "geo/core/municipal_scope.hpp"
#include "geo/core/random.hpp"
#include "geo/core/time.hpp"

namespace tsunagi::geo {

using nlohmann::json;

namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kCaseIdChars = 16;

const std::set<std::string, std::less<>>& known_fields() {
  static const std::set<std::string, std::less<>> k = {
      "resource_id", "legal_basis", "consent_scope", "consent_date", "home_area",
      "age_band",    "needs",       "follow_up_due", "municipality"};
  return k;
}

std::string string_field(const json& body, const char* field, std::string_view what) {
  const auto& v = body[field];
  if (!v.is_string() || v.get<std::string>().empty()) {
    throw InvalidArgument(std::string(field) + " must be " + std::string(what));
  }
  return v.get<std::string>();
}

template <typename E>
E code_field(const json& v, std::string_view field) {
  const std::string text = v.is_string() ? v.get<std::string>() : std::string();
  const auto c = parse_code<E>(text);
  if (!c) {
    throw InvalidArgument(std::string(field) + " must be one of " + code_ids_joined<E>() +
                          (text.empty() ? "" : " (got '" + text.substr(0, 40) + "')"));
  }
  return *c;
}

template <typename E>
EnumSet<E> code_list_field(const json& v, std::string_view field) {
  if (!v.is_array()) {
    throw InvalidArgument(std::string(field) + " must be a list of codes from " +
                          code_ids_joined<E>());
  }
  EnumSet<E> out;
  for (const auto& item : v) out.insert(code_field<E>(item, field));
  return out;
}

/// Text that is plainly a place finer than a 町丁: a point, or an address with 番地/号 or
/// numbers joined by hyphens ("3-14-15").
bool looks_like_address_or_point(std::string_view s) {
  if (s.find("番地") != std::string_view::npos || s.find("号") != std::string_view::npos) {
    return true;
  }
  int digit_groups = 0;
  bool in_digits = false;
  bool joiner_between_digits = false;
  char previous = 0;
  for (const char c : s) {
    const bool d = std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (d && !in_digits) {
      ++digit_groups;
      if (previous == '-' || previous == ',' || previous == '.') joiner_between_digits = true;
    }
    in_digits = d;
    previous = c;
  }
  return digit_groups >= 2 && joiner_between_digits;
}

json code_json(std::string_view id, std::string_view ja) {
  return {{"code", id}, {"label", ja}};
}

template <typename E>
json code_set_json(EnumSet<E> set) {
  json out = json::array();
  set.for_each([&](E v) { out.push_back(code_json(code_id(v), code_ja(v))); });
  return out;
}

}  // namespace

EnumSet<ReferralStatus> allowed_next(ReferralStatus from) {
  using S = ReferralStatus;
  // 見学 and 体験 are optional steps: not every host offers them (trial_visit_ok).
  switch (from) {
    case S::proposed:
      return {S::consented, S::declined_by_person};
    case S::consented:
      return {S::host_asked, S::declined_by_person};
    case S::host_asked:
      return {S::visit, S::trial, S::started, S::declined_by_person, S::declined_by_host};
    case S::visit:
      return {S::trial, S::started, S::declined_by_person, S::declined_by_host};
    case S::trial:
      return {S::started, S::declined_by_person, S::declined_by_host};
    case S::started:
      return {S::settling, S::ended, S::declined_by_person, S::declined_by_host};
    case S::settling:
      return {S::ended, S::declined_by_person, S::declined_by_host};
    case S::ended:
    case S::declined_by_person:
    case S::declined_by_host:
      return {};
  }
  return {};
}

bool is_final(ReferralStatus s) {
  return s == ReferralStatus::ended || s == ReferralStatus::declined_by_person ||
         s == ReferralStatus::declined_by_host;
}

bool holds_slot(ReferralStatus s) {
  return s == ReferralStatus::started || s == ReferralStatus::settling;
}

std::string new_case_id() {
  const auto bytes = random_bytes(10);  // 80 bits = 16 base32 characters
  std::string id = "C-";
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const unsigned char b : bytes) {
    buffer = (buffer << 8U) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      id += kBase32[(buffer >> static_cast<unsigned>(bits)) & 31U];
    }
  }
  return id;
}

bool is_case_id(std::string_view text) {
  if (text.size() != 2 + kCaseIdChars || text.substr(0, 2) != "C-") return false;
  for (const char c : text.substr(2)) {
    if (kBase32.find(c) == std::string_view::npos) return false;
  }
  return true;
}

void check_date(std::string_view text, std::string_view field) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  const auto num = [&](std::size_t at, std::size_t len, auto& out) {
    const auto* first = text.data() + at;
    const auto r = std::from_chars(first, first + len, out);
    return r.ec == std::errc() && r.ptr == first + len;
  };
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' && num(0, 4, y) &&
                      num(5, 2, m) && num(8, 2, d);
  if (!shaped ||
      !std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(m), std::chrono::day(d))
           .ok()) {
    throw InvalidArgument(std::string(field) + " must be a date YYYY-MM-DD (got '" +
                          std::string(text.substr(0, 40)) + "')");
  }
}

const JsonShape& new_referral_shape() {
  static const JsonShape kShape = [] {
    JsonShape s;
    for (const auto& k : known_fields()) s = s.merged_with(JsonShape{{k, {}}});
    s.with_note(
        "a referral holds no personal data: no name, address, birth date, diagnosis or "
        "disability grade, at any depth");
    return s;
  }();
  return kShape;
}

Referral parse_new_referral(
    const json& body,
    const std::function<std::optional<std::string>(std::string_view)>& find_area) {
  if (!body.is_object()) throw InvalidArgument("a referral must be a JSON object");
  for (const auto& [k, v] : body.items()) {
    if (known_fields().count(k) == 0) {
      throw InvalidArgument(
          "unknown field '" + k.substr(0, 60) +
          "': a referral holds no personal data (no name, address, birth date, diagnosis or "
          "disability grade, no point); it takes resource_id, legal_basis, consent_scope, "
          "consent_date, home_area, age_band, needs, follow_up_due, municipality");
    }
  }
  Referral r;
  r.resource_id = string_field(body, "resource_id", "the id of the placement (a resource)");
  if (!body.contains("legal_basis")) {
    throw InvalidArgument("legal_basis is required: " + code_ids_joined<LegalBasis>());
  }
  r.legal_basis = code_field<LegalBasis>(body["legal_basis"], "legal_basis");
  if (r.legal_basis == LegalBasis::consent) {
    if (!body.contains("consent_scope") || !body.contains("consent_date")) {
      throw InvalidArgument("legal_basis consent needs consent_scope (a list of " +
                            code_ids_joined<ConsentScope>() + ") and consent_date (YYYY-MM-DD)");
    }
    r.consent_scope = code_list_field<ConsentScope>(body["consent_scope"], "consent_scope");
    if (r.consent_scope.empty()) {
      throw InvalidArgument("consent_scope must name at least one of " +
                            code_ids_joined<ConsentScope>());
    }
    r.consent_date = string_field(body, "consent_date", "a date YYYY-MM-DD");
    check_date(r.consent_date, "consent_date");
    if (r.consent_date > today_jst()) {
      throw InvalidArgument("consent_date " + r.consent_date + " is in the future");
    }
  } else if (body.contains("consent_scope") || body.contains("consent_date")) {
    throw InvalidArgument(
        "consent_scope and consent_date go with legal_basis consent only (支援会議 shares "
        "without consent under 社会福祉法106条の6)");
  }

  if (!body.contains("home_area")) {
    throw InvalidArgument("home_area is required: a 町丁 (or coarser) area id or code");
  }
  const auto& area = body["home_area"];
  if (!area.is_string() || looks_like_address_or_point(area.get<std::string>())) {
    throw InvalidArgument(
        "home_area takes a 町丁 (or coarser) area id or code, never an address or a point");
  }
  const auto area_id = find_area(area.get<std::string>());
  if (!area_id) {
    throw InvalidArgument("home_area '" + area.get<std::string>().substr(0, 60) +
                          "' is not a 町丁 (or coarser) area of this store");
  }
  r.home_area = *area_id;
  if (body.contains("municipality")) {
    // The person's town, when the home area does not say it (the caller decides which counts).
    r.municipality = string_field(body, "municipality", "the person's town, a 6-digit lg_code");
    check_municipality_code(r.municipality);
  }

  const std::string band = body.contains("age_band") && body["age_band"].is_string()
                               ? body["age_band"].get<std::string>()
                               : std::string();
  if (band.size() != 3 || band[1] != '0' || band[2] != 's' || band[0] < '1' || band[0] > '9') {
    throw InvalidArgument(
        "age_band must be a decade such as \"50s\" (10s … 90s), never an age or a birth date");
  }
  r.age_band = band;

  if (body.contains("needs")) r.needs = code_list_field<NeedTag>(body["needs"], "needs");
  if (body.contains("follow_up_due") && !body["follow_up_due"].is_null()) {
    r.follow_up_due = string_field(body, "follow_up_due", "a date YYYY-MM-DD");
    check_date(r.follow_up_due, "follow_up_due");
  }
  return r;
}

json referral_json(const Referral& r) {
  json history = json::array();
  for (const auto& e : r.history) {
    json h = {
        {"at", e.at}, {"by", e.actor}, {"status", code_id(e.status)}, {"label", code_ja(e.status)}};
    if (e.reason) h["reason"] = code_json(code_id(*e.reason), code_ja(*e.reason));
    history.push_back(std::move(h));
  }
  json next = json::array();
  allowed_next(r.status).for_each([&](ReferralStatus s) { next.push_back(code_id(s)); });
  json out = {
      {"case_id", r.case_id},
      {"resource_id", r.resource_id},
      {"legal_basis", code_json(code_id(r.legal_basis), code_ja(r.legal_basis))},
      {"home_area", r.home_area},
      {"age_band", r.age_band},
      {"needs", code_set_json(r.needs)},
      {"status", code_id(r.status)},
      {"status_label", code_ja(r.status)},
      {"allowed_next", std::move(next)},
      {"holds_slot", r.slot_taken},
      {"follow_up_due", r.follow_up_due.empty() ? json(nullptr) : json(r.follow_up_due)},
      {"version", r.version},
      {"created_at", r.created_at},
      {"updated_at", r.updated_at},
      {"history", std::move(history)},
      {"municipality", r.municipality.empty() ? json(nullptr) : json(r.municipality)},
      {"host_municipality",
       r.host_municipality.empty() ? json(nullptr) : json(r.host_municipality)},
  };
  if (r.legal_basis == LegalBasis::consent) {
    out["consent_scope"] = code_set_json(r.consent_scope);
    out["consent_date"] = r.consent_date;
  }
  out["decline_reason"] = r.decline_reason
                              ? code_json(code_id(*r.decline_reason), code_ja(*r.decline_reason))
                              : json(nullptr);
  if (!r.closed_at.empty()) out["closed_at"] = r.closed_at;
  return out;
}

}  // namespace tsunagi::geo
