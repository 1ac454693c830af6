#include "server/static_files.hpp"

#include <fstream>
#include <sstream>
#include <string_view>

#include "tiles/tile_service.hpp"  // gzip (libdeflate)

namespace tsunagi::server {

namespace {

constexpr std::uintmax_t kMaxFileBytes = 64ull * 1024 * 1024;

constexpr std::string_view kBuiltInIndex = R"html(<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>つなぎ tsunagi</title>
<style>body{font-family:sans-serif;max-width:40em;margin:3em auto;padding:0 1em;line-height:1.6}
code{background:#eee;padding:0 .2em}</style>
</head>
<body>
<h1>つなぎ <small>tsunagi</small></h1>
<p>地域の社会資源（通いの場・居場所・拠点・参加支援の受入れ先）の地図は、これから作られます。
いまは API が使えます。</p>
<p>The map UI comes later. The API works now:</p>
<ul>
<li><a href="/api/resources">/api/resources</a> — resources as GeoJSON
(e.g. <a href="/api/resources?open=%E6%B0%B4%E6%9B%9C%E3%81%AE%E5%8D%88%E5%BE%8C">?open=水曜の午後</a>)</li>
<li><a href="/health">/health</a></li>
</ul>
</body>
</html>
)html";

bool is_inside(const std::filesystem::path& root, const std::filesystem::path& p) {
  auto r = root.begin();
  auto q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

}  // namespace

std::string_view content_type_for(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".geojson") return "application/geo+json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".webp") return "image/webp";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".pbf") return "application/x-protobuf";
  if (ext == ".wasm") return "application/wasm";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

StaticFiles::StaticFiles(const std::filesystem::path& root) {
  if (!root.empty()) {
    std::error_code ec;
    root_ = std::filesystem::canonical(root, ec);
    if (ec) root_.clear();
  }
}

std::filesystem::path StaticFiles::resolve_root(const std::filesystem::path& configured) {
  std::error_code ec;
  if (!configured.empty()) return configured;
  std::filesystem::path dist = std::filesystem::path("frontend") / "dist";
  if (std::filesystem::is_directory(dist, ec)) return dist;
  return {};
}

namespace {

bool compressible(std::string_view content_type) {
  return content_type.starts_with("text/") ||
         content_type.find("javascript") != std::string_view::npos ||
         content_type.find("json") != std::string_view::npos ||
         content_type.find("svg") != std::string_view::npos;
}

}  // namespace

std::optional<HttpResponse> StaticFiles::get(const std::vector<std::string>& path,
                                             bool gzip_ok) const {
  for (const auto& seg : path) {
    // Dot-files (.env, .git) and dot-segments are never served; a decoded '/' or '\' inside a
    // segment would let one segment climb several folders.
    if (seg.empty() || seg.front() == '.' || seg.find('/') != std::string::npos ||
        seg.find('\\') != std::string::npos) {
      return std::nullopt;
    }
  }
  if (root_.empty()) {
    if (!path.empty() && !(path.size() == 1 && path[0] == "index.html")) return std::nullopt;
    HttpResponse r;
    r.set_header("Content-Type", "text/html; charset=utf-8");
    r.set_header("Cache-Control", "no-cache");
    r.body = std::string(kBuiltInIndex);
    return r;
  }
  std::filesystem::path candidate = root_;
  for (const auto& seg : path) candidate /= seg;
  std::error_code ec;
  if (std::filesystem::is_directory(candidate, ec)) candidate /= "index.html";
  const std::filesystem::path real = std::filesystem::canonical(candidate, ec);
  if (ec || !is_inside(root_, real) || !std::filesystem::is_regular_file(real, ec)) {
    return std::nullopt;
  }
  const auto size = std::filesystem::file_size(real, ec);
  if (ec || size > kMaxFileBytes) return std::nullopt;
  std::ifstream in(real, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  HttpResponse r;
  r.set_header("Content-Type", std::string(content_type_for(real)));
  // Vite puts a content hash in asset names; index.html must be revalidated.
  r.set_header("Cache-Control",
               real.filename() == "index.html" ? "no-cache" : "public, max-age=3600");
  r.body = ss.str();
  const std::string_view type = content_type_for(real);
  if (compressible(type)) {
    r.set_header("Vary", "Accept-Encoding");
    if (gzip_ok && r.body.size() > 512) {
      const auto mtime = std::filesystem::last_write_time(real, ec);
      std::shared_ptr<const std::string> gz;
      {
        std::lock_guard lock(cache_->mu);
        const auto it = cache_->files.find(real);
        if (it != cache_->files.end() && !ec && it->second.mtime == mtime &&
            it->second.size == size) {
          gz = it->second.gzip;
        }
      }
      if (!gz) {
        gz = std::make_shared<const std::string>(tiles::gzip(r.body, 6));
        std::lock_guard lock(cache_->mu);
        if (!ec) cache_->files[real] = {mtime, size, gz};
      }
      r.set_header("Content-Encoding", "gzip");
      r.share_body(gz, *gz);
    }
  }
  return r;
}

}  // namespace tsunagi::server
