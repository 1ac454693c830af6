#include "datasets/gdal_source.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>

#include "datasets/text_encoding.hpp"

namespace tsunagi::datasets {

namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

SourceFormat format_from_extension(const std::filesystem::path& path) {
  const std::string ext = lower_ascii(path.extension().string());
  if (ext == ".csv" || ext == ".txt" || ext == ".tsv") return SourceFormat::csv;
  if (ext == ".geojson" || ext == ".json") return SourceFormat::geojson;
  if (ext == ".shp" || ext == ".dbf") return SourceFormat::shapefile;
  if (ext == ".gpkg") return SourceFormat::gpkg;
  if (ext == ".kml") return SourceFormat::kml;
  return SourceFormat::other;
}

std::string_view driver_for(SourceFormat f) {
  switch (f) {
    case SourceFormat::csv:
      return "CSV";
    case SourceFormat::geojson:
      return "GeoJSON";
    case SourceFormat::shapefile:
      return "ESRI Shapefile";
    case SourceFormat::gpkg:
      return "GPKG";
    case SourceFormat::kml:
      return "KML";  // LIBKML is tried too, see open()
    case SourceFormat::other:
      break;
  }
  return {};
}

std::optional<std::filesystem::path> sibling_with_extension(const std::filesystem::path& path,
                                                            std::string_view ext_lower) {
  std::string upper(ext_lower);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  for (const std::string& ext : {std::string(ext_lower), upper}) {
    auto p = path;
    p.replace_extension(ext);
    if (std::filesystem::exists(p)) return p;
  }
  return std::nullopt;
}

std::string read_small_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return s;
}

std::atomic<unsigned> g_vsimem_counter{0};

/// GDAL's CSV reader splits a header cell holding a line break
/// (「都道府県コード又は\n市区町村コード」, as Excel writes it) into two records. Removes line
/// breaks inside the quoted cells of the first record; returns false when there were none.
bool flatten_multiline_header(std::string& csv) {
  bool in_quotes = false;
  bool changed = false;
  std::size_t i = csv.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  for (; i < csv.size(); ++i) {
    const char c = csv[i];
    if (c == '"') {
      in_quotes = !in_quotes;
    } else if ((c == '\n' || c == '\r') && in_quotes) {
      csv.erase(i, 1);
      --i;
      changed = true;
    } else if (c == '\n') {
      break;
    }
  }
  return changed;
}

/// True when the first record of the file at `path` has a quoted line break.
bool header_spans_lines(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::string head(64 * 1024, '\0');
  f.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(f.gcount()));
  bool in_quotes = false;
  for (const char c : head) {
    if (c == '"') in_quotes = !in_quotes;
    if (c == '\n') return in_quotes;
  }
  return false;
}

}  // namespace

std::optional<Encoding> parse_encoding(std::string_view text) {
  const std::string k = lower_ascii(trim(text));
  if (k == "cp932" || k == "sjis" || k == "shift_jis" || k == "shift-jis" || k == "932" ||
      k == "windows-31j" || k == "ms932" || k == "ansi 932") {
    return Encoding::cp932;
  }
  if (k == "utf-8" || k == "utf8" || k == "65001") return Encoding::utf8;
  if (k == "auto" || k.empty()) return Encoding::auto_detect;
  return std::nullopt;
}

std::string_view format_name(SourceFormat f) {
  switch (f) {
    case SourceFormat::csv:
      return "CSV";
    case SourceFormat::geojson:
      return "GeoJSON";
    case SourceFormat::shapefile:
      return "Shapefile";
    case SourceFormat::gpkg:
      return "GeoPackage";
    case SourceFormat::kml:
      return "KML";
    case SourceFormat::other:
      break;
  }
  return "GDAL vector";
}

void ensure_gdal_registered() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

struct GdalMessageSink {
  static void CPL_STDCALL handle(CPLErr err_class, CPLErrorNum /*err_no*/, const char* msg) {
    auto* self = static_cast<GdalMessageCapture*>(CPLGetErrorHandlerUserData());
    if (self == nullptr || msg == nullptr || err_class == CE_Debug) return;
    self->messages_.push_back(std::string(err_class >= CE_Failure ? "GDAL error: " : "GDAL: ") +
                              msg);
    if (err_class >= CE_Failure) self->last_error_ = msg;
  }
};

GdalMessageCapture::GdalMessageCapture() {
  CPLPushErrorHandlerEx(&GdalMessageSink::handle, this);
}
GdalMessageCapture::~GdalMessageCapture() {
  CPLPopErrorHandler();
}

std::string not_utf8_message(const std::filesystem::path& path, std::string_view where) {
  return path.filename().string() + " is not valid UTF-8 (" + std::string(where) +
         ") and declares no encoding; if it is Shift_JIS (as files saved by Excel or an older GIS "
         "often are), import it again with --encoding CP932";
}

struct GdalSource::Impl {
  std::filesystem::path path;
  SourceFormat format = SourceFormat::other;
  GDALDatasetUniquePtr ds;
  OGRLayer* layer = nullptr;
  std::vector<std::string> fields;
  bool check_utf8 = false;
  std::string encoding_note;
  std::int64_t expected = 0;
  std::vector<std::string> warnings;
  std::string vsimem_path;
  std::string recoded;  // the buffer behind vsimem_path (VSIFileFromMemBuffer does not copy)
  std::filesystem::path temp_dir;  // holds a decoded copy of a CP932 file; removed with this

  ~Impl() {
    ds.reset();
    if (!vsimem_path.empty()) VSIUnlink(vsimem_path.c_str());
    if (!temp_dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(temp_dir, ec);
    }
  }
};

GdalSource::GdalSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GdalSource::GdalSource(GdalSource&&) noexcept = default;
GdalSource& GdalSource::operator=(GdalSource&&) noexcept = default;
GdalSource::~GdalSource() = default;

const std::filesystem::path& GdalSource::path() const {
  return impl_->path;
}
SourceFormat GdalSource::format() const {
  return impl_->format;
}
OGRLayer& GdalSource::layer() const {
  return *impl_->layer;
}
GDALDataset& GdalSource::dataset() const {
  return *impl_->ds;
}
const std::vector<std::string>& GdalSource::field_names() const {
  return impl_->fields;
}
const OGRSpatialReference* GdalSource::spatial_ref() const {
  return impl_->layer->GetSpatialRef();
}
bool GdalSource::must_check_utf8() const {
  return impl_->check_utf8;
}
const std::string& GdalSource::encoding_note() const {
  return impl_->encoding_note;
}
std::int64_t GdalSource::expected_rows() const {
  return impl_->expected;
}
const std::vector<std::string>& GdalSource::warnings() const {
  return impl_->warnings;
}

GdalSource GdalSource::open(const std::filesystem::path& path, Encoding encoding) {
  ensure_gdal_registered();
  const std::string name = path.filename().string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw SourceError(path.string() + ": no such file");
  if (std::filesystem::is_directory(path, ec)) {
    throw SourceError(path.string() + " is a folder; give the file itself (.csv, .geojson, .shp…)");
  }
  if (std::filesystem::file_size(path, ec) == 0) {
    throw SourceError(name + " is empty: it has no header row and no data");
  }

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->format = format_from_extension(path);
  std::string open_path = path.string();
  std::vector<std::string> options;

  if (impl->format == SourceFormat::csv) {
    if (encoding == Encoding::cp932) {
      // Decoded in 1 MiB chunks into a temporary UTF-8 copy that GDAL reads: memory stays small
      // whatever the file's size (it was read and decoded whole: 2.6 times its size).
      std::ifstream f(path, std::ios::binary);
      if (!f) throw SourceError("cannot read " + path.string());
      // In a folder of its own, under the file's own name (GDAL names the layer after it).
      impl->temp_dir =
          std::filesystem::temp_directory_path() / ("tsunagi-import-" + std::to_string(::getpid()) +
                                                    "-" + std::to_string(++g_vsimem_counter));
      std::filesystem::create_directories(impl->temp_dir, ec);
      const auto temp_path = impl->temp_dir / (path.stem().string() + ".csv");
      std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
      if (!out) throw SourceError("cannot write a temporary copy of " + name + " in /tmp");
      Cp932Decoder decoder;
      std::vector<char> buf(1 << 20);
      std::string utf8;
      std::string head;  // the start, until the header row is complete (it may span lines)
      bool head_done = false;
      std::int64_t lines = 0;
      for (;;) {
        f.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = static_cast<std::size_t>(f.gcount());
        const bool last = n < buf.size();
        utf8.clear();
        try {
          decoder.feed(std::string_view(buf.data(), n), last, utf8);
        } catch (const geo::InvalidArgument& e) {
          throw SourceError(name + " was declared CP932 (--encoding CP932) but " + e.what() +
                            "; check the file's encoding");
        }
        if (!head_done) {
          head += utf8;
          utf8.clear();
          // The header row is complete once a line break outside quotes follows it.
          bool in_quotes = false;
          for (const char c : head) {
            if (c == '"') in_quotes = !in_quotes;
            if (c == '\n' && !in_quotes) {
              head_done = true;
              break;
            }
          }
          if (head_done || last) {
            flatten_multiline_header(head);
            utf8 = std::move(head);
            head.clear();
            head_done = true;
          }
        }
        lines += std::count(utf8.begin(), utf8.end(), '\n');
        out.write(utf8.data(), static_cast<std::streamsize>(utf8.size()));
        if (!out) throw SourceError("cannot write a temporary copy of " + name + " in /tmp");
        if (last) break;
      }
      out.close();
      impl->encoding_note = "CP932 (--encoding)";
      open_path = temp_path.string();
      impl->expected = lines - 1;
    } else {
      // Check UTF-8 while streaming (files can be large) and count lines for the progress bar.
      std::ifstream f(path, std::ios::binary);
      if (!f) throw SourceError("cannot read " + path.string());
      Utf8Checker checker;
      std::vector<char> buf(1 << 20);
      std::int64_t lines = 0;
      bool first = true;
      while (f) {
        f.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = static_cast<std::size_t>(f.gcount());
        if (n == 0) break;
        std::string_view chunk(buf.data(), n);
        if (first) {
          chunk = strip_bom(chunk);
          first = false;
        }
        if (!checker.feed(chunk)) {
          // Line of the bad byte: lines counted so far plus those in this chunk before it.
          throw SourceError(
              not_utf8_message(path, "first invalid byte on line " + std::to_string(lines + 1)));
        }
        lines += std::count(chunk.begin(), chunk.end(), '\n');
      }
      if (!checker.finish()) {
        throw SourceError(not_utf8_message(path, "the file ends inside a character"));
      }
      impl->encoding_note = encoding == Encoding::utf8 ? "UTF-8 (--encoding)" : "UTF-8";
      impl->expected = std::max<std::int64_t>(lines - 1, 0);
      if (header_spans_lines(path)) {
        impl->recoded = read_small_file(path);
        flatten_multiline_header(impl->recoded);
        impl->vsimem_path = "/vsimem/tsunagi-import-" + std::to_string(++g_vsimem_counter) + "/" +
                            path.stem().string() + ".csv";
        VSILFILE* mem = VSIFileFromMemBuffer(
            impl->vsimem_path.c_str(), reinterpret_cast<GByte*>(impl->recoded.data()),
            static_cast<vsi_l_offset>(impl->recoded.size()), FALSE);
        if (mem == nullptr) throw SourceError("cannot stage " + name + " in memory for GDAL");
        VSIFCloseL(mem);
        open_path = impl->vsimem_path;
      }
    }
    open_path = "CSV:" + open_path;
    options = {"HEADERS=YES", "AUTODETECT_TYPE=NO", "EMPTY_STRING_AS_NULL=NO",
               "KEEP_GEOM_COLUMNS=YES"};
  } else if (impl->format == SourceFormat::shapefile) {
    if (encoding == Encoding::cp932) {
      options.emplace_back("ENCODING=CP932");
      impl->encoding_note = "CP932 (--encoding)";
    } else if (encoding == Encoding::utf8) {
      options.emplace_back("ENCODING=UTF-8");
      impl->encoding_note = "UTF-8 (--encoding)";
    } else if (auto cpg = sibling_with_extension(path, ".cpg")) {
      const std::string declared(trim(read_small_file(*cpg)));
      const auto enc = parse_encoding(declared);
      if (enc == Encoding::cp932) {
        // GDAL's SHIFT_JIS drops 髙 and ①; CP932 keeps them.
        options.emplace_back("ENCODING=CP932");
        impl->encoding_note = "CP932 (from .cpg '" + declared + "')";
      } else {
        impl->encoding_note = "from .cpg '" + declared + "'";
      }
    } else {
      // No .cpg: the DBF header's language driver id (byte 29) may still declare the code page.
      unsigned char ldid = 0;
      if (auto dbf = sibling_with_extension(path, ".dbf")) {
        std::ifstream f(*dbf, std::ios::binary);
        f.seekg(29);
        char c = 0;
        if (f.get(c)) ldid = static_cast<unsigned char>(c);
      }
      if (ldid == 0x13 || ldid == 0x7B) {  // 0x13 = CP932, 0x7B = Japanese Shift-JIS (ESRI)
        options.emplace_back("ENCODING=CP932");
        impl->encoding_note = "CP932 (from the DBF language id)";
      } else if (ldid == 0) {
        options.emplace_back("ENCODING=");  // pass bytes through, then check them row by row
        impl->check_utf8 = true;
        impl->encoding_note = "undeclared (checked as UTF-8)";
      } else {
        impl->encoding_note = "from the DBF language id";
      }
    }
  } else {
    impl->encoding_note = "UTF-8";
    impl->check_utf8 = true;  // GeoJSON/KML/GPKG must be UTF-8; say so if one is not
  }

  GdalMessageCapture capture;
  std::vector<const char*> opt_ptrs;
  opt_ptrs.reserve(options.size() + 1);
  for (const auto& o : options) opt_ptrs.push_back(o.c_str());
  opt_ptrs.push_back(nullptr);
  std::vector<const char*> drivers;
  const std::string_view drv = driver_for(impl->format);
  std::string drv_s(drv);
  if (!drv.empty()) {
    drivers.push_back(drv_s.c_str());
    if (impl->format == SourceFormat::kml) drivers.push_back("LIBKML");
    drivers.push_back(nullptr);
  }
  GDALDataset* raw = GDALDataset::Open(open_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                       drivers.empty() ? nullptr : drivers.data(), opt_ptrs.data());
  if (raw == nullptr) {
    std::string why = capture.last_error();
    if (why.empty()) why = "GDAL does not recognise it";
    throw SourceError("cannot read " + name + " as " + std::string(format_name(impl->format)) +
                      ": " + why);
  }
  impl->ds.reset(raw);
  if (impl->ds->GetLayerCount() < 1) throw SourceError(name + " holds no layer of features");
  impl->layer = impl->ds->GetLayer(0);
  if (impl->ds->GetLayerCount() > 1) {
    impl->warnings.push_back(name + " holds " + std::to_string(impl->ds->GetLayerCount()) +
                             " layers; only the first, '" + impl->layer->GetName() + "', was read");
  }
  OGRFeatureDefn* defn = impl->layer->GetLayerDefn();
  for (int i = 0; i < defn->GetFieldCount(); ++i) {
    impl->fields.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
  }
  if (impl->format == SourceFormat::csv) {
    for (const auto& f : impl->fields) {
      if (!is_valid_utf8(f)) throw SourceError(not_utf8_message(path, "in the header row"));
    }
  } else if (impl->layer->TestCapability(OLCFastFeatureCount)) {
    impl->expected = impl->layer->GetFeatureCount(TRUE);
  }
  for (const auto& m : capture.messages()) impl->warnings.push_back(m);
  return GdalSource(std::move(impl));
}

}  // namespace tsunagi::datasets
