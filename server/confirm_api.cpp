// Listings that stay true (geo/confirmation.hpp) over HTTP:
//   POST /api/resources/{id}/confirmation-requests  coordinator, admin: a link and a short code
//   GET  /api/confirm/{token}   anyone holding the link (or the code): the listing, as its host
//                               may know it
//   POST /api/confirm/{token}   the host's answer: unchanged (verified_at moves at once), or
//                               changed / paused / ended (into the review queue)
//   POST /api/resources/{id}/reports  anyone: a short text about a mistake (into the queue)
//   GET  /api/review, POST /api/review/{id}  coordinator, admin: the queue and its decisions
//   GET  /api/stats/freshness   the share of listings confirmed within 12 months
// A link or code that is unknown, expired, used or replaced gets one and the same 404, which
// never names a listing; each such try counts against the client's address (Auth::check_tries).
#include <algorithm>
#include <map>

#include "geo/catalog/snapshot.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/core/error.hpp"
#include "geo/core/ids.hpp"
#include "geo/core/resource_json.hpp"
#include "geo/store/confirmation.hpp"
#include "geo/store/store.hpp"
#include "server/confirmation_links.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"
#include "server/municipality_param.hpp"
#include "server/resource_params.hpp"

namespace tsunagi::server {

using nlohmann::json;

namespace {

constexpr int kMaxValidDays = 365;
constexpr std::size_t kMaxReportChars = 500;
constexpr int kFreeReports = 5;  ///< reports of one address before each next one must wait

/// The one answer for every link or code that does not open a request.
[[noreturn]] void invalid_link() {
  throw ApiError(
      ErrorCode::not_found,
      "this confirmation link or code is not valid: it may be mistyped, expired, "
      "already answered, or replaced by a newer one (このリンクまたはコードは使えません。"
      "お手数ですが、担当の生活支援コーディネーターにお問い合わせください)");
}

geo::ConfirmationRequest open_request_or_throttle(ServerContext& c, Auth& a, RequestContext& rc) {
  a.check_tries("confirm", rc.http.client, c.config().login_free_attempts * 5);
  const std::string hash = confirmation_hash(rc.params.at(0));
  const auto found = c.read_accounts(
      [&](geo::Store& s) { return s.confirmations().open_request(hash, geo::utc_now_iso()); });
  if (!found) {
    a.count_try("confirm", rc.http.client);
    invalid_link();
  }
  return *found;
}

/// The listing as its host may know it: what the public sees of it (at its true place: it is
/// the host's own), with the current values of what the host may change (their own contact).
json host_view(const geo::Resource& r) {
  json listing = geo::to_json(r, geo::Audience::public_);
  const json all = geo::to_json(r, geo::Audience::internal);
  for (const auto key : geo::host_editable_keys()) {
    const auto it = all.find(key);
    if (it != all.end()) listing[std::string(key)] = *it;
  }
  return listing;
}

std::string_view text_field(const json& body, std::string_view key) {
  const auto it = body.find(key);
  if (it == body.end() || !it->is_string()) {
    throw ApiError(ErrorCode::invalid_body, std::string(key) + ": a string is required");
  }
  return it->get_ref<const std::string&>();
}

/// Why a report's text is refused, or empty when it is fine: too long, empty, control
/// characters, or something that looks like a person's contact (an e-mail address, a phone
/// number: ten digits or more in a run).
std::string report_problem(std::string_view text) {
  std::size_t chars = 0;
  std::size_t digits_in_run = 0;
  bool blank = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) ++chars;
    if (c < 0x20 && c != '\n' && c != '\t') return "text: control characters are not allowed";
    if (c != ' ' && c != '\n' && c != '\t') blank = false;
    if (c == '@')
      return "text: must not contain an e-mail address (メールアドレスは書かないでください)";
    // Full-width: ＠ is EF BC A0, ０-９ are EF BC 90..99, － is EF BC 8D.
    bool digit = c >= '0' && c <= '9';
    bool joiner = c == '-' || c == ' ' || c == '(' || c == ')';
    if (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBC) {
      const auto b2 = static_cast<unsigned char>(text[i + 2]);
      if (b2 == 0xA0) {
        return "text: must not contain an e-mail address (メールアドレスは書かないでください)";
      }
      digit = b2 >= 0x90 && b2 <= 0x99;
      joiner = b2 == 0x8D || b2 == 0x88 || b2 == 0x89;
      i += 2;  // the character's other two bytes (counted once, at its first)
    }
    if (digit) {
      if (++digits_in_run >= 10) {
        return "text: must not contain a phone number (電話番号など個人の連絡先は書かないでくだ"
               "さい); say what is wrong, and staff will check it";
      }
    } else if (!joiner) {
      digits_in_run = 0;
    }
  }
  if (blank) return "text: say what is wrong (it is empty)";
  if (chars > kMaxReportChars) {
    return "text: at most " + std::to_string(kMaxReportChars) + " characters (it has " +
           std::to_string(chars) + ")";
  }
  return {};
}

const geo::JsonShape& answer_shape() {
  static const geo::JsonShape shape =
      geo::JsonShape{{"answer", {}}, {"changes", geo::resource_shape()}}.with_note(
          "an answer holds the listing's properties only");
  return shape;
}

}  // namespace

HttpResponse create_confirmation_request(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  int days = c.config().confirmation_valid_days;
  if (!rc.http.body.empty()) {
    static const geo::JsonShape shape{{"valid_days", {}}};
    const json body = parse_json_body(rc.http, shape);
    if (const auto it = body.find("valid_days"); it != body.end()) {
      if (!it->is_number_integer() || it->get<std::int64_t>() < 1 ||
          it->get<std::int64_t>() > kMaxValidDays) {
        throw ApiError(ErrorCode::invalid_body, "valid_days: a whole number of days from 1 to " +
                                                    std::to_string(kMaxValidDays));
      }
      days = it->get<int>();
    }
  }
  const std::string& id = rc.params.at(0);
  const auto snapshot = c.snapshots().current();
  const auto* served = snapshot->view(geo::audience_for(rc.principal.role)).find(id);
  if (served == nullptr) {
    throw ApiError(ErrorCode::not_found, "no resource with id '" + id.substr(0, 80) +
                                             "' (or it is not visible to your role)");
  }
  require_covered(rc.principal.scope, snapshot.get(), served->resource().lg_code,
                  "the listing " + served->resource().name);
  const IssuedConfirmation issued = c.write([&](geo::Store& s) {
    return issue_confirmation(s, id, days, {rc.principal.user_id, rc.principal.name});
  });
  HttpResponse r = json_response(201, {{"url", rc.base_url + "/c/" + issued.token},
                                       {"code", issued.code},
                                       {"code_url", rc.base_url + "/c"},
                                       {"expires_at", issued.expires_at},
                                       {"resource_id", id}});
  r.set_header("Cache-Control", "no-store");
  return r;
}

HttpResponse get_confirmation(ServerContext& c, Auth& a, RequestContext& rc) {
  rc.query.require_known({});
  const auto request = open_request_or_throttle(c, a, rc);
  const auto current = c.read([&](const geo::Store& s) { return s.resource(request.resource_id); });
  if (!current) invalid_link();
  json editable = json::array();
  for (const auto key : geo::host_editable_keys()) editable.push_back(key);
  HttpResponse r = json_response(200, {{"listing", host_view(*current)},
                                       {"editable", std::move(editable)},
                                       {"answers", {"unchanged", "changed", "paused", "ended"}},
                                       {"last_confirmed", current->verified_at},
                                       {"expires_at", request.expires_at}});
  r.set_header("Cache-Control", "no-store");
  return r;
}

HttpResponse answer_confirmation(ServerContext& c, Auth& a, RequestContext& rc) {
  rc.query.require_known({});
  const json body = parse_json_body(rc.http, answer_shape());
  geo::HostAnswer answer{};
  try {
    answer = geo::parse_host_answer(text_field(body, "answer"));
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_body, e.what());
  }
  const json changes = body.contains("changes") ? body["changes"] : json();
  const auto request = open_request_or_throttle(c, a, rc);
  geo::AnswerOutcome out;
  try {
    out = c.write([&](geo::Store& s) {
      return s.confirmations().answer(request.id, answer, changes, date_in_japan(),
                                      geo::utc_now_iso());
    });
  } catch (const geo::NotFound&) {
    invalid_link();  // answered, revoked or expired since it was looked up
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_body, e.what());
  }
  json reply = {{"answer", geo::host_answer_id(out.answer)}};
  if (out.answer == geo::HostAnswer::unchanged) {
    reply["verified_at"] = out.verified_at;
    reply["message"] = "ご確認ありがとうございました。掲載内容はそのままです。";
  } else {
    reply["status"] = "under_review";
    reply["message"] = "ありがとうございました。担当者が確認してから地図に反映します。";
  }
  HttpResponse r = json_response(200, reply);
  r.set_header("Cache-Control", "no-store");
  return r;
}

HttpResponse report_mistake(ServerContext& c, Auth& a, RequestContext& rc) {
  rc.query.require_known({});
  a.check_tries("report", rc.http.client, kFreeReports);
  a.count_try("report", rc.http.client);
  static const geo::JsonShape shape = geo::JsonShape{{"text", {}}}.with_note(
      "a report is a short text only: no name, e-mail address or phone number is asked");
  const json body = parse_json_body(rc.http, shape);
  const std::string text(text_field(body, "text"));
  if (const std::string problem = report_problem(text); !problem.empty()) {
    throw ApiError(ErrorCode::invalid_body, problem);
  }
  const std::string& id = rc.params.at(0);
  const auto snapshot = c.snapshots().current();
  if (snapshot->view(geo::audience_for(rc.principal.role)).find(id) == nullptr) {
    throw ApiError(ErrorCode::not_found, "no resource with id '" + id.substr(0, 80) +
                                             "' (or it is not visible to your role)");
  }
  c.write([&](geo::Store& s) { s.confirmations().add_report(id, text, geo::utc_now_iso()); });
  return json_response(
      202, {{"status", "received"}, {"message", "ありがとうございました。担当者が確認します。"}});
}

HttpResponse list_review(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({"limit", "offset"});
  const auto& config = c.config();
  std::size_t limit = static_cast<std::size_t>(config.default_page_size);
  std::size_t offset = 0;
  if (const auto* v = rc.query.get("limit")) {
    limit = parse_count("limit", *v, 1, static_cast<std::size_t>(config.max_page_size));
  }
  if (const auto* v = rc.query.get("offset")) offset = parse_count("offset", *v, 0, 10'000'000);
  std::int64_t total = 0;
  const auto& scope = rc.principal.scope;
  const auto proposals = c.read_accounts([&](geo::Store& s) {
    geo::Confirmations& conf = s.confirmations();
    total = conf.count_open();
    if (scope.all()) {
      return conf.open_proposals(static_cast<std::int64_t>(limit),
                                 static_cast<std::int64_t>(offset));
    }
    // A scoped coordinator's queue: the proposals of listings in their towns (the listing's
    // stored lg_code), paged after the filter so that total, limit and offset add up.
    std::vector<geo::Proposal> mine;
    for (auto& p : conf.open_proposals(total, 0)) {
      const auto res = s.resource(p.resource_id);
      if (res && scope.covers(res->lg_code)) mine.push_back(std::move(p));
    }
    total = static_cast<std::int64_t>(mine.size());
    std::vector<geo::Proposal> page;
    for (std::size_t i = offset; i < mine.size() && i < offset + limit; ++i) {
      page.push_back(std::move(mine[i]));
    }
    return page;
  });
  const auto snapshot = c.snapshots().current();
  const geo::AudienceView& view = snapshot->view(geo::Audience::internal);
  json items = json::array();
  for (const auto& p : proposals) {
    json item = {
        {"id", p.id},         {"resource_id", p.resource_id}, {"origin", p.origin},
        {"answer", p.answer}, {"created_at", p.created_at},   {"base_version", p.base_version}};
    if (!p.report_text.empty()) item["report_text"] = p.report_text;
    const geo::ServedResource* served = view.find(p.resource_id);
    if (served == nullptr) {
      item["resource"] = nullptr;
      items.push_back(std::move(item));
      continue;
    }
    const geo::Resource& r = served->resource();
    item["name"] = r.name;
    item["kind"] = geo::code_id(r.kind);
    item["etag"] = served->etag();
    item["version"] = r.version;
    // The diff kept with the proposal is against the version it was made on; when the
    // listing moved on since, it is made again against what is now.
    const bool stale = r.version != p.base_version;
    item["stale"] = stale;
    json diff = json::parse(p.diff_json, nullptr, false);
    if (stale || diff.is_discarded()) {
      if (p.answer == "changed") {
        diff = geo::changes_diff(r, json::parse(p.changes_json, nullptr, false));
      } else if (p.answer == "paused" || p.answer == "ended") {
        diff = geo::status_diff(
            r, p.answer == "paused" ? geo::HostAnswer::paused : geo::HostAnswer::ended);
      } else {
        diff = json::object();
      }
    }
    item["diff"] = std::move(diff);
    items.push_back(std::move(item));
  }
  HttpResponse r = json_response(
      200,
      {{"total", total}, {"limit", limit}, {"offset", offset}, {"proposals", std::move(items)}});
  r.set_header("Cache-Control", "no-store");
  return r;
}

HttpResponse decide_review(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const auto expected = required_if_match(rc.http);
  static const geo::JsonShape shape{{"decision", {}}, {"changes", geo::resource_shape()}};
  const json body = parse_json_body(rc.http, shape);
  const std::string decision(text_field(body, "decision"));
  std::int64_t id = 0;
  try {
    id = static_cast<std::int64_t>(parse_count("id", rc.params.at(0), 1, 1'000'000'000'000));
  } catch (const ApiError&) {
    throw ApiError(ErrorCode::not_found,
                   "no open proposal '" + rc.params.at(0).substr(0, 40) + "'");
  }
  const json changes = body.contains("changes") ? body["changes"] : json();
  const auto snapshot = c.snapshots().current();
  geo::Resource after;
  try {
    after = c.write([&](geo::Store& s) {
      if (!rc.principal.scope.all()) {
        // Decided only in the reviewer's towns: the listing as stored now, and the town an edit
        // would give it (a move across the border needs both).
        if (const auto p = s.confirmations().proposal(id)) {
          if (const auto res = s.resource(p->resource_id)) {
            require_covered(rc.principal.scope, snapshot.get(), res->lg_code,
                            "the listing " + res->name);
            if (changes.is_object() && changes.contains("lg_code") &&
                changes["lg_code"].is_string()) {
              require_covered(rc.principal.scope, snapshot.get(),
                              changes["lg_code"].get<std::string>(), "the listing " + res->name);
            }
          }
        }
      }
      return s.confirmations().decide(id, decision, changes, expected,
                                      {rc.principal.user_id, rc.principal.name});
    });
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_body, e.what());
  }
  return json_response(200, {{"id", id},
                             {"status", decision == "reject" ? "rejected" : "accepted"},
                             {"resource", geo::to_json(after, geo::Audience::internal)}});
}

HttpResponse freshness_stats(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const std::string today = date_in_japan();
  // Confirmed within 12 months: on or after the same day a year ago.
  const std::string since = std::to_string(std::stoi(today.substr(0, 4)) - 1) + today.substr(4);
  struct Tally {
    std::int64_t total = 0;
    std::int64_t confirmed = 0;
  };
  std::map<std::string, Tally> by_kind;
  std::map<std::string, Tally> by_area;
  std::map<std::pair<std::string, std::string>, Tally> by_both;
  Tally all;
  const auto snapshot = c.snapshots().current();
  const geo::AudienceView& view = snapshot->view(geo::audience_for(rc.principal.role));
  for (const auto& item : view.items()) {
    const geo::Resource& r = item->resource();
    if (r.status == geo::ResourceStatus::closed) continue;
    const bool fresh = !r.verified_at.empty() && r.verified_at >= since;
    for (Tally* t : {&all, &by_kind[std::string(geo::code_id(r.kind))], &by_area[r.lg_code],
                     &by_both[{std::string(geo::code_id(r.kind)), r.lg_code}]}) {
      ++t->total;
      if (fresh) ++t->confirmed;
    }
  }
  auto row = [](const Tally& t) {
    return json{
        {"total", t.total},
        {"confirmed", t.confirmed},
        {"share",
         t.total > 0 ? static_cast<double>(t.confirmed) / static_cast<double>(t.total) : 0.0}};
  };
  json kinds = json::array();
  for (const auto& [kind, t] : by_kind) {
    json j = row(t);
    j["kind"] = kind;
    kinds.push_back(std::move(j));
  }
  json areas = json::array();
  for (const auto& [area, t] : by_area) {
    json j = row(t);
    j["lg_code"] = area;
    areas.push_back(std::move(j));
  }
  json both = json::array();
  for (const auto& [key, t] : by_both) {
    json j = row(t);
    j["kind"] = key.first;
    j["lg_code"] = key.second;
    both.push_back(std::move(j));
  }
  json body = row(all);
  body["as_of"] = today;
  body["confirmed_since"] = since;
  body["by_kind"] = std::move(kinds);
  body["by_area"] = std::move(areas);
  body["by_kind_and_area"] = std::move(both);
  HttpResponse r = json_response(200, body);
  r.set_header("Vary", "Cookie, Authorization");
  return r;
}

}  // namespace tsunagi::server
