#include "server/router.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace tsunagi::server {

namespace {

constexpr std::array<std::string_view, 7> kMethodNames = {"GET",   "HEAD",   "POST",   "PUT",
                                                          "PATCH", "DELETE", "OPTIONS"};

bool is_param(const std::string& seg) {
  return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
}

std::vector<std::string> pattern_segments(const std::string& pattern) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start < pattern.size()) {
    std::size_t end = pattern.find('/', start);
    if (end == std::string::npos) end = pattern.size();
    out.push_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::optional<Method> parse_method(std::string_view text) {
  for (std::size_t i = 0; i < kMethodNames.size(); ++i) {
    if (kMethodNames[i] == text) return static_cast<Method>(i);
  }
  return std::nullopt;
}

std::string_view method_name(Method m) {
  return kMethodNames.at(static_cast<std::size_t>(m));
}

bool is_safe(Method m) {
  return m == Method::get || m == Method::head || m == Method::options;
}

void Router::add(Route route) {
  if (route.pattern.empty() || route.pattern.front() != '/') {
    throw std::logic_error("route pattern must start with '/': " + route.pattern);
  }
  if (route.method == Method::head || route.method == Method::options) {
    throw std::logic_error("HEAD and OPTIONS are derived from the other routes: " + route.pattern);
  }
  for (const auto& r : routes_) {
    if (r.method == route.method && r.pattern == route.pattern) {
      throw std::logic_error("duplicate route " + std::string(method_name(route.method)) + " " +
                             route.pattern);
    }
  }
  compiled_.push_back({pattern_segments(route.pattern)});
  routes_.push_back(std::move(route));
}

void Router::add_module(std::vector<Route> routes) {
  for (auto& r : routes) add(std::move(r));
}

Router::Match Router::match(Method method, const std::vector<std::string>& path) const {
  Match m;
  const Method wanted = method == Method::head ? Method::get : method;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& segs = compiled_[i].segments;
    if (segs.size() != path.size()) continue;
    bool ok = true;
    for (std::size_t k = 0; k < segs.size() && ok; ++k) {
      ok = is_param(segs[k]) ? !path[k].empty() : segs[k] == path[k];
    }
    if (!ok) continue;
    const Method rm = routes_[i].method;
    m.allowed.reserve(kMethodNames.size());  // each method at most once: one allocation
    if (std::find(m.allowed.begin(), m.allowed.end(), rm) == m.allowed.end()) {
      m.allowed.push_back(rm);
      if (rm == Method::get) m.allowed.push_back(Method::head);
    }
    if (rm == wanted && m.route == nullptr) {
      m.route = &routes_[i];
      m.params.reserve(segs.size());
      for (std::size_t k = 0; k < segs.size(); ++k) {
        if (is_param(segs[k])) m.params.push_back(path[k]);
      }
    }
  }
  if (!m.allowed.empty()) m.allowed.push_back(Method::options);
  return m;
}

}  // namespace tsunagi::server
