// The letters of `tsunagi confirm request --out FILE.pdf`: one A4 page per listing, for hosts
// without e-mail — the listing as the map shows it, a QR code of the host's link, the short code
// to type in at /c, and a reply form to fill in by hand and send back. PDF through cairo, text
// through pango with Debian's Noto CJK fonts, the QR code by libqrencode.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "geo/core/resource.hpp"

namespace tsunagi::cli {

struct Letter {
  geo::Resource listing;
  std::string url;         ///< the host's link
  std::string code_url;    ///< where the code is typed in (…/c)
  std::string code;        ///< "XXXXX-XXXXX"
  std::string expires_at;  ///< ISO 8601 UTC
};

/// Writes one A4 page per letter to `path`. @throws std::runtime_error when the PDF or a QR code
/// cannot be made.
void write_letters_pdf(const std::filesystem::path& path, const std::vector<Letter>& letters);

}  // namespace tsunagi::cli
