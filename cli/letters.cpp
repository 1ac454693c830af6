#include "cli/letters.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include <memory>
#include <stdexcept>

#include "geo/catalog/visibility.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/resource_json.hpp"

namespace tsunagi::cli {

namespace {

constexpr double kWidth = 595.276;  // A4 in points
constexpr double kHeight = 841.89;
constexpr double kMargin = 48;
constexpr const char* kFont = "Noto Sans CJK JP";

struct QrDeleter {
  void operator()(QRcode* q) const { QRcode_free(q); }
};
struct LayoutDeleter {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};

/// Draws `text` at (x, y) within `width`; returns the height it took.
double text(cairo_t* cr, double x, double y, double width, const std::string& markup_free_text,
            double size, bool bold = false) {
  std::unique_ptr<PangoLayout, LayoutDeleter> layout(pango_cairo_create_layout(cr));
  PangoFontDescription* font = pango_font_description_new();
  pango_font_description_set_family(font, kFont);
  pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
  pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description(layout.get(), font);
  pango_font_description_free(font);
  pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text(layout.get(), markup_free_text.c_str(), -1);
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout.get());
  int w = 0;
  int h = 0;
  pango_layout_get_size(layout.get(), &w, &h);
  return static_cast<double>(h) / PANGO_SCALE;
}

/// The QR code of `url` with its quiet zone, `size` points square, top left at (x, y).
void qr_code(cairo_t* cr, double x, double y, double size, const std::string& url) {
  std::unique_ptr<QRcode, QrDeleter> q(
      QRcode_encodeString(url.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!q) throw std::runtime_error("the QR code of a link could not be made");
  const int n = q->width;
  const double module = size / (n + 8);  // 4 modules of quiet zone each side
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, size, size);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int row = 0; row < n; ++row) {
    for (int col = 0; col < n; ++col) {
      if ((q->data[static_cast<std::size_t>(row * n + col)] & 1) == 0) continue;
      cairo_rectangle(cr, x + (col + 4) * module, y + (row + 4) * module, module, module);
    }
  }
  cairo_fill(cr);
}

std::string japanese_date(const std::string& iso) {
  if (iso.size() < 10) return iso;
  return iso.substr(0, 4) + "年" + std::to_string(std::stoi(iso.substr(5, 2))) + "月" +
         std::to_string(std::stoi(iso.substr(8, 2))) + "日";
}

/// The listing as the map shows it (the public's view of its properties).
std::vector<std::pair<std::string, std::string>> shown(const geo::Resource& r) {
  const auto j = geo::to_json(r, geo::Audience::public_);
  auto str = [&](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string schedule;
  if (const auto it = j.find("schedules"); it != j.end() && it->is_array()) {
    for (const auto& s : *it) {
      if (s.contains("text") && s["text"].is_string()) {
        schedule += (schedule.empty() ? "" : "\n") + s["text"].get<std::string>();
      }
    }
  }
  std::vector<std::pair<std::string, std::string>> rows = {
      {"種類", std::string(geo::code_ja(r.kind))},
      {"場所", str("address") + (str("building").empty() ? "" : " " + str("building"))},
      {"日時", schedule},
      {"参加費", str("fee_note")},
      {"電話", str("phone")},
      {"ホームページ", str("url")},
      {"紹介文", str("description")},
      {"最終確認日", r.verified_at.empty() ? "未確認" : japanese_date(r.verified_at)},
  };
  std::erase_if(rows, [](const auto& row) { return row.second.empty(); });
  return rows;
}

void page(cairo_t* cr, const Letter& l) {
  const double inner = kWidth - 2 * kMargin;
  double y = kMargin;
  y += text(cr, kMargin, y, inner, "地域の社会資源マップ　掲載内容のご確認のお願い", 17, true) + 10;
  y += text(cr, kMargin, y, inner - 150,
            "いつもありがとうございます。下記の内容で地域の社会資源マップに掲載しています。"
            "変わりがないか、ご確認ください。\n"
            "スマートフォンで右のQRコードを読み取るか、" +
                l.code_url +
                " を開いて確認コードを入力してください。"
                "機器がない場合は、下の回答欄にご記入のうえ、ご返送ください。",
            11);
  qr_code(cr, kWidth - kMargin - 130, kMargin + 30, 130, l.url);
  y = std::max(y, kMargin + 170.0) + 6;
  y += text(cr, kMargin, y, inner, "確認コード　" + l.code, 20, true) + 2;
  y += text(cr, kMargin, y, inner, "有効期限　" + japanese_date(l.expires_at), 11) + 14;
  y += text(cr, kMargin, y, inner, l.listing.name, 15, true) + 6;
  for (const auto& [label, value] : shown(l.listing)) {
    text(cr, kMargin, y, 90, label, 11, true);
    y += std::max(16.0, text(cr, kMargin + 95, y, inner - 95, value, 11)) + 4;
    if (y > kHeight - 300) break;  // the reply form keeps its place
  }
  // The reply form, to fill in by hand.
  y = kHeight - kMargin - 250;
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.8);
  cairo_rectangle(cr, kMargin, y, inner, 250);
  cairo_stroke(cr);
  y += 8;
  y += text(cr, kMargin + 10, y, inner - 20, "回答欄（当てはまるものに✓をつけてください）", 12,
            true) +
       8;
  for (const char* choice :
       {"変わりありません", "変更があります（下にお書きください）", "活動を休止・終了しました"}) {
    cairo_rectangle(cr, kMargin + 14, y + 2, 12, 12);
    cairo_stroke(cr);
    y += text(cr, kMargin + 34, y, inner - 50, choice, 12) + 6;
  }
  y +=
      text(cr, kMargin + 10, y, inner - 20, "変更の内容（曜日・時間・参加費・連絡先など）", 11) + 4;
  for (int i = 0; i < 5 && y < kHeight - kMargin - 14; ++i) {
    y += 22;
    cairo_move_to(cr, kMargin + 14, y);
    cairo_line_to(cr, kWidth - kMargin - 14, y);
    cairo_stroke(cr);
  }
}

}  // namespace

void write_letters_pdf(const std::filesystem::path& path, const std::vector<Letter>& letters) {
  cairo_surface_t* surface = cairo_pdf_surface_create(path.c_str(), kWidth, kHeight);
  cairo_t* cr = cairo_create(surface);
  for (const auto& l : letters) {
    page(cr, l);
    cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error("writing the letters to " + path.string() +
                             " failed: " + cairo_status_to_string(status));
  }
}

}  // namespace tsunagi::cli
