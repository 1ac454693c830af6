// GET /api/fields — the fields of a resource the caller's role may see, from the one field table
// (geo/core/resource_fields): key, JSON kind, Japanese label, the code list's values, whether the
// caller may edit it, and whether it is plain (the pages can draw and read it generically) or
// hand-written (the pages lay it out themselves). The editor and the detail page iterate over it.
#include "geo/catalog/visibility.hpp"
#include "geo/core/resource_fields.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"

namespace tsunagi::server {

using nlohmann::json;

HttpResponse list_fields(ServerContext& /*c*/, RequestContext& rc) {
  rc.query.require_known({});
  const geo::Role role = rc.principal.role;
  const geo::Audience audience = geo::audience_for(role);
  json fields = json::array();
  for (const auto& f : geo::resource_fields()) {
    if (!f.seen_by(audience)) continue;
    json item = {{"key", f.key},           {"kind", geo::field_kind_id(f.kind)},
                 {"label", f.label},       {"plain", f.plain()},
                 {"required", f.required}, {"editable", f.editors.contains(role)}};
    if (f.max_chars > 0) item["max_chars"] = f.max_chars;
    if (f.locates_home) item["locates_home"] = true;
    if (f.on_pages) item["on_pages"] = true;
    if (f.codes != nullptr) {
      json codes = json::array();
      for (const auto& c : f.codes->by_value) {
        if (!c.id.empty()) codes.push_back({{"id", c.id}, {"ja", c.ja}});
      }
      item["codes"] = std::move(codes);
    }
    fields.push_back(std::move(item));
  }
  HttpResponse r =
      json_response(200, {{"role", geo::role_id(role)}, {"fields", std::move(fields)}});
  r.set_header("Vary", "Cookie, Authorization");
  return r;
}

}  // namespace tsunagi::server
