// tsunagi report: the 事業報告 of one commissioning town for one year (geo/cases/annual_report),
// as CSV (UTF-8 with a BOM, for Excel) or as an A4 PDF with the town's name (cairo, pango with
// Noto CJK, as the confirmation letters). Every count under k = 5 is suppressed, and the file says
// so. Reading the cases is written to the audit log (actor cli:report).
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "cli/commands.hpp"
#include "geo/analysis/town_coverage.hpp"
#include "geo/cases/annual_report.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/core/error.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::cli {

namespace {

constexpr const char* kUsage =
    "usage: tsunagi report --db FILE --municipality CODE --year YYYY --format csv|pdf\n"
    "                      [--out FILE]\n"
    "\n"
    "The annual report (事業報告) of one town of the store: referrals of the year (JST) whose\n"
    "person lives in the town (the town of the case's home area), by status and by kind of\n"
    "placement, decline reasons, median days to the host's answer, new and closed resources,\n"
    "listings confirmed in the year and the coverage of 75歳以上 (通いの場 within a 15-minute\n"
    "walk). Every count under 5 is suppressed (秘匿), with the counts that would give it away.\n"
    "CODE is the 6-digit 全国地方公共団体コード of a municipality whose boundary is imported.\n"
    "csv goes to stdout without --out; pdf needs --out (A4, one page per 40 rows).\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tsunagi report: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

constexpr double kWidth = 595.276;  // A4 in points
constexpr double kHeight = 841.89;
constexpr double kMargin = 56;
constexpr const char* kFont = "Noto Sans CJK JP";

struct LayoutDeleter {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};

double draw_text(cairo_t* cr, double x, double y, double width, const std::string& s, double size,
                 bool bold = false, bool right = false) {
  std::unique_ptr<PangoLayout, LayoutDeleter> layout(pango_cairo_create_layout(cr));
  PangoFontDescription* font = pango_font_description_new();
  pango_font_description_set_family(font, kFont);
  pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
  pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description(layout.get(), font);
  pango_font_description_free(font);
  pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  if (right) pango_layout_set_alignment(layout.get(), PANGO_ALIGN_RIGHT);
  pango_layout_set_text(layout.get(), s.c_str(), -1);
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout.get());
  int w = 0;
  int h = 0;
  pango_layout_get_size(layout.get(), &w, &h);
  return static_cast<double>(h) / PANGO_SCALE;
}

const char* section_title(const std::string& s) {
  if (s == "referrals") return "紹介（つなぎ）";
  if (s == "referrals_by_status") return "段階別（年末時点）";
  if (s == "referrals_by_kind") return "受入れ先の種類別";
  if (s == "decline_reasons") return "辞退・受入れ不可の理由";
  if (s == "resources") return "社会資源";
  if (s == "coverage") return "75歳以上のカバー率";
  return "";
}

void write_pdf(const geo::AnnualReport& r, const std::string& path) {
  cairo_surface_t* surface = cairo_pdf_surface_create(path.c_str(), kWidth, kHeight);
  cairo_t* cr = cairo_create(surface);
  const double w = kWidth - 2 * kMargin;
  double y = kMargin;
  const auto new_page = [&] {
    cairo_show_page(cr);
    y = kMargin;
  };
  const std::string title = r.town + " 参加支援事業 事業報告（" + std::to_string(r.year) + "年）";
  cairo_set_source_rgb(cr, 0, 0, 0);
  y += draw_text(cr, kMargin, y, w, title, 18, true) + 4;
  y += draw_text(cr, kMargin, y, w,
                 r.town_full + "（全国地方公共団体コード " + r.lg_code + "）　作成 " +
                     r.generated_at.substr(0, 10),
                 9) +
       14;
  std::string section;
  for (const auto& c : r.counts) {
    if (y > kHeight - kMargin - 60) new_page();
    if (c.section != section) {
      section = c.section;
      y += 6;
      y += draw_text(cr, kMargin, y, w, section_title(section), 12, true) + 4;
    }
    draw_text(cr, kMargin + 12, y, w - 112, c.label, 10);
    y += draw_text(cr, kMargin + w - 100, y, 100,
                   c.value ? std::to_string(*c.value) : std::string("秘匿"), 10, false, true) +
         3;
  }
  if (y > kHeight - kMargin - 120) new_page();
  y += 8;
  char median[64];
  if (r.median_days_to_answer) {
    std::snprintf(median, sizeof median, "%.1f日", *r.median_days_to_answer);
  } else {
    std::snprintf(median, sizeof median, "秘匿");
  }
  y += draw_text(cr, kMargin, y, w, std::string("受入れ先の回答までの日数（中央値）: ") + median,
                 10) +
       4;
  y += draw_text(cr, kMargin, y, w, "カバー率の条件: " + r.coverage_note, 10) + 10;
  draw_text(cr, kMargin, y, w,
            "秘匿について: " + std::to_string(r.k) +
                "件未満の件数は、個人が特定されないよう数を示していません（秘匿）。合計などから"
                "逆算されないよう、ほかの件数も秘匿することがあります。この報告の秘匿は " +
                std::to_string(r.suppressed) + " 件（うち逆算防止 " +
                std::to_string(r.suppressed_secondary) + " 件）。",
            9);
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error("writing " + path + " failed: " + cairo_status_to_string(status));
  }
}

}  // namespace

int report(Args args) {
  std::optional<std::string> db;
  std::optional<std::string> code;
  std::optional<std::string> format;
  std::optional<std::string> out;
  std::optional<int> year;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a != "--db" && a != "--municipality" && a != "--year" && a != "--format" && a != "--out") {
      return usage_error("unknown option '" + std::string(a) + "'");
    }
    if (i + 1 >= args.size()) return usage_error(std::string(a) + " needs a value");
    const std::string v(args[++i]);
    if (a == "--db") db = v;
    if (a == "--municipality") code = v;
    if (a == "--format") format = v;
    if (a == "--out") out = v;
    if (a == "--year") {
      if (v.size() != 4 || v.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(v) < 2000 || std::stoi(v) > 2100) {
        return usage_error("--year must be a year such as 2026, not '" + v + "'");
      }
      year = std::stoi(v);
    }
  }
  if (!db) return usage_error("--db FILE is required");
  if (!code) return usage_error("--municipality CODE is required (e.g. 023612)");
  if (!year) return usage_error("--year YYYY is required");
  if (!format || (*format != "csv" && *format != "pdf")) {
    return usage_error("--format must be csv or pdf");
  }
  if (*format == "pdf" && !out) return usage_error("--format pdf needs --out FILE.pdf");
  try {
    auto store = geo::Store::open(*db, geo::Store::Mode::open_existing);
    const auto snapshot = geo::Snapshot::build(store);
    if (!snapshot->area_layer()) {
      std::fprintf(stderr, "tsunagi report: the store has no municipality boundary\n");
      return 2;
    }
    const auto found = geo::find_municipality(*snapshot->area_layer(), *code);
    if (!found.town) {
      std::fprintf(stderr, "tsunagi report: %s\n", found.message.c_str());
      return 2;
    }
    geo::AnnualReportRequest req;
    req.lg_code = found.town->lg_code;
    req.year = *year;
    const auto cover = geo::town_coverage(*snapshot, geo::Audience::partners, found.town->area_id,
                                          {geo::ResourceKind::kayoi_no_ba}, 15, store.sources());
    if (cover.figures) {
      req.coverage = geo::ReportCoverage{cover.figures->target, cover.figures->covered,
                                         cover.figures->uncovered};
    }
    req.coverage_note = cover.note;
    const auto report = geo::annual_report(store, *snapshot, *found.town, req, {0, "cli:report"});
    if (*format == "pdf") {
      write_pdf(report, *out);
      std::printf("wrote %s (%s %d年, %zu counts suppressed)\n", out->c_str(), report.town.c_str(),
                  report.year, report.suppressed);
      return 0;
    }
    const std::string text = geo::annual_report_csv(report);
    if (!out) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      return 0;
    }
    std::ofstream f(*out, std::ios::binary);
    f << text;
    if (!f.flush()) {
      std::fprintf(stderr, "tsunagi report: cannot write %s\n", out->c_str());
      return 1;
    }
    return 0;
  } catch (const geo::Error& e) {
    std::fprintf(stderr, "tsunagi report: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tsunagi report: %s\n", e.what());
    return 1;
  }
}

}  // namespace tsunagi::cli
