// The frontend's built files, served from "/" for paths no API route claims: frontend/dist when it
// exists (or the configured folder), otherwise a small built-in page. Every path is checked to
// stay inside the folder after canonicalisation (no "..", no symlink escapes, no dot-files).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_message.hpp"

namespace tsunagi::server {

class StaticFiles {
 public:
  /// `root` empty = the built-in page only.
  explicit StaticFiles(const std::filesystem::path& root = {});

  /// The folder actually served (empty when none): `configured`, else ./frontend/dist if present.
  static std::filesystem::path resolve_root(const std::filesystem::path& configured);

  /// The response for a GET of `path` (decoded segments); nullopt when there is no such file.
  /// Text, scripts, styles, JSON and SVG go out gzip-compressed when `gzip_ok` (the client's
  /// Accept-Encoding allows it), compressed once per file version and kept.
  [[nodiscard]] std::optional<HttpResponse> get(const std::vector<std::string>& path,
                                                bool gzip_ok = false) const;
  [[nodiscard]] const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;  ///< canonical
  /// Files gzip-compressed once per version (mtime, size), shared by copies of this object.
  struct Compressed {
    std::filesystem::file_time_type mtime;
    std::uintmax_t size = 0;
    std::shared_ptr<const std::string> gzip;
  };
  struct Cache {
    std::mutex mu;
    std::map<std::filesystem::path, Compressed> files;
  };
  std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

/// "text/javascript; charset=utf-8" for .mjs and .js, and so on.
std::string_view content_type_for(const std::filesystem::path& file);

}  // namespace tsunagi::server
