#include "datasets/import_report.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace tsunagi::datasets {

std::string clip(std::string_view value) {
  constexpr std::size_t kMax = 60;
  if (value.size() <= kMax) return std::string(value);
  std::size_t cut = kMax;  // on a character boundary
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return std::string(value.substr(0, cut)) + "…";
}

std::string quote(std::string_view value) {
  return "'" + clip(value) + "'";
}

int ImportReport::exit_code() const {
  int code = 0;
  for (const auto& f : files) {
    if (!f.error.empty()) return 2;
    if (f.strict_failed || !f.rejected.empty()) code = 1;
  }
  return code;
}

namespace {

std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string summary_line(const FileReport& f, bool rolled_back) {
  const std::string name = base_name(f.file);
  if (!f.error.empty()) return "not imported: " + f.error;
  if (rolled_back && !f.strict_failed) {
    // Read without fault, but another file failed: nothing of this one is in the store either.
    std::string s = summary_line(f);
    if (s.starts_with("imported ")) s.replace(0, 8, "read");
    return s + " — not kept: the import was rolled back";
  }
  if (!f.area_id.empty()) {
    return "imported the boundary " + f.area_id + " from " + name + " (" +
           plural(f.polygons, "polygon", "polygons") + " dissolved)";
  }
  std::string s;
  if (f.strict_failed) {
    s = "rejected " + name + " under --strict: " +
        plural(static_cast<std::int64_t>(f.rejected.size()), "row was", "rows were") +
        " rejected, so nothing was imported";
  } else {
    s = "imported " + plural(f.imported(), "resource", "resources") + " from " + name + " (" +
        std::to_string(f.inserted) + " new, " + std::to_string(f.updated) + " updated, " +
        std::to_string(f.unchanged) + " unchanged); rejected " + std::to_string(f.rejected.size());
  }
  if (!f.empty_rows.empty()) {
    s += "; skipped " +
         plural(static_cast<std::int64_t>(f.empty_rows.size()), "empty row", "empty rows");
  }
  const auto closed = std::count_if(f.missing.begin(), f.missing.end(),
                                    [](const MissingRow& m) { return m.closed; });
  if (!f.missing.empty()) {
    s += "; " + std::to_string(f.missing.size()) + " from the previous import missing";
    if (closed > 0) s += " (" + std::to_string(closed) + " closed)";
  }
  return s;
}

std::string render_text(const ImportReport& r, std::size_t max_listed) {
  std::string out;
  for (const auto& f : r.files) {
    out += summary_line(f, r.rolled_back) + "\n";
    const std::string name = base_name(f.file);
    auto list = [&](const std::vector<RowIssue>& issues, std::string_view what) {
      std::size_t n = 0;
      for (const auto& i : issues) {
        if (max_listed != 0 && n == max_listed) {
          out += "  … and " + std::to_string(issues.size() - n) + " more " + std::string(what) +
                 " (see --report FILE.json)\n";
          break;
        }
        out += "  " + std::string(what) + " " + name;
        if (i.row > 0) out += " " + f.row_word + " " + std::to_string(i.row);
        out += ": " + i.message + "\n";
        ++n;
      }
    };
    list(f.rejected, "rejected");
    list(f.warnings, "warning");
    if (!f.empty_rows.empty()) {
      out += "  skipped empty " +
             std::string(f.empty_rows.size() == 1 ? f.row_word : f.row_word + "s") + ":";
      std::size_t n = 0;
      for (const auto row : f.empty_rows) {
        if (max_listed != 0 && n++ == max_listed) {
          out += " …";
          break;
        }
        out += ' ';
        out += std::to_string(row);
      }
      out += "\n";
    }
    std::size_t n = 0;
    for (const auto& m : f.missing) {
      if (max_listed != 0 && n++ == max_listed) {
        out += "  … and more missing rows (see --report FILE.json)\n";
        break;
      }
      out += "  missing from " + name + " now: " + m.name + " (id " + m.source_id + ")" +
             (m.closed ? ", closed" : ", kept; pass --close-missing to close it") + "\n";
    }
  }
  if (r.rolled_back) out += "the store was left unchanged\n";
  return out;
}

nlohmann::json to_json(const FileReport& f, bool rolled_back) {
  nlohmann::json j;
  j["file"] = f.file;
  j["format"] = f.format;
  j["encoding"] = f.encoding;
  j["layout"] = f.layout;
  j["source_key"] = f.source_key;
  j["row_numbering"] = f.row_word == "row" ? "spreadsheet rows, header = row 1" : "feature order";
  j["rows_read"] = f.rows_read;
  j["imported"] = {{"total", f.imported()},
                   {"new", f.inserted},
                   {"updated", f.updated},
                   {"unchanged", f.unchanged}};
  auto issues = [](const std::vector<RowIssue>& v) {
    auto a = nlohmann::json::array();
    for (const auto& i : v) a.push_back({{"row", i.row}, {"reason", i.message}});
    return a;
  };
  j["rejected"] = issues(f.rejected);
  j["warnings"] = issues(f.warnings);
  j["skipped_empty_rows"] = f.empty_rows;
  auto missing = nlohmann::json::array();
  for (const auto& m : f.missing) {
    missing.push_back({{"source_id", m.source_id},
                       {"resource_id", m.resource_id},
                       {"name", m.name},
                       {"closed", m.closed}});
  }
  j["missing_since_last_import"] = missing;
  j["strict_failed"] = f.strict_failed;
  j["error"] = f.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.error);
  if (!f.area_id.empty()) {
    j["area_id"] = f.area_id;
    j["polygons"] = f.polygons;
  }
  j["summary"] = summary_line(f, rolled_back);
  return j;
}

nlohmann::json to_json(const ImportReport& r) {
  nlohmann::json j;
  j["files"] = nlohmann::json::array();
  for (const auto& f : r.files) j["files"].push_back(to_json(f, r.rolled_back));
  j["exit_code"] = r.exit_code();
  j["store_unchanged"] = r.rolled_back;
  return j;
}

}  // namespace tsunagi::datasets
