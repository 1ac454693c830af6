#include "datasets/layouts.hpp"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "datasets/text_encoding.hpp"
#include "geo/core/error.hpp"
#include "geo/core/json_input.hpp"

namespace tsunagi::datasets {

namespace {

constexpr std::array<std::string_view, kFieldCount> kFieldIds = {
    "source_id",   "name",          "name_kana",     "kind",
    "subtype",     "description",   "address",       "building",
    "lat",         "lon",           "wkt",           "lg_code",
    "phone",       "fax",           "email",         "url",
    "capacity",    "weekdays",      "start_time",    "end_time",
    "schedule",    "schedule_note", "fee_note",      "parking",
    "note",        "operator_type", "operator_name", "corporate_number",
    "official_id", "targets",       "activities",    "venue",
    "publish",     "status",        "verified_at",
};

struct LayoutName {
  LayoutKind kind;
  std::string_view id;
};
constexpr LayoutName kLayoutNames[] = {
    {LayoutKind::auto_detect, "auto"},          {LayoutKind::public_facility, "public-facility"},
    {LayoutKind::care_service, "care-service"}, {LayoutKind::childcare, "childcare"},
    {LayoutKind::mhlw_kaigo, "mhlw-kaigo"},     {LayoutKind::tsunagi_export, "tsunagi"},
    {LayoutKind::mapping, "mapping"},           {LayoutKind::generic, "generic"},
    {LayoutKind::boundary, "boundary"},
};

/// One field and the header names (as header_key) that may carry it, best first.
struct Candidates {
  Field field;
  std::vector<std::string_view> names;
};

// 自治体標準オープンデータセット: the 推奨 head and the 正式版 所在地_* head share most names.
const std::vector<Candidates>& standard_common() {
  static const std::vector<Candidates> c = {
      {Field::lg_code, {"全国地方公共団体コード", "都道府県コード又は市区町村コード"}},
      {Field::source_id, {"id", "no"}},
      {Field::name, {"名称"}},
      {Field::name_kana, {"名称_カナ"}},
      {Field::address, {"所在地_連結表記", "住所"}},
      {Field::building, {"建物名等(方書)", "方書"}},
      {Field::lat, {"緯度"}},
      {Field::lon, {"経度"}},
      {Field::phone, {"電話番号"}},
      {Field::fax, {"fax番号"}},
      {Field::email, {"連絡先メールアドレス", "メールアドレス"}},
      {Field::url, {"url"}},
      {Field::corporate_number, {"法人番号"}},
      {Field::operator_name, {"団体名", "法人の名称"}},
      {Field::weekdays, {"利用可能曜日"}},
      {Field::start_time, {"開始時間"}},
      {Field::end_time, {"終了時間"}},
      {Field::schedule_note,
       {"利用可能日時特記事項", "利用可能曜日特記事項", "利用可能時間特記事項"}},
      {Field::description, {"説明"}},
      {Field::parking, {"駐車場情報"}},
      {Field::fee_note, {"料金(基本)"}},
      {Field::note, {"備考"}},
  };
  return c;
}

const std::vector<Candidates>& care_extra() {
  static const std::vector<Candidates> c = {
      {Field::source_id, {"事業所番号"}},  // the official 10-character number is the stable key
      {Field::official_id, {"事業所番号"}},
      {Field::name, {"介護サービス事業所名称"}},
      {Field::name_kana, {"介護サービス事業所名称_カナ"}},
      {Field::subtype, {"実施サービス"}},
      {Field::capacity, {"定員"}},
  };
  return c;
}

const std::vector<Candidates>& childcare_extra() {
  static const std::vector<Candidates> c = {
      {Field::subtype, {"種別"}},
      {Field::capacity, {"収容定員"}},
  };
  return c;
}

const std::vector<Candidates>& mhlw_columns() {
  static const std::vector<Candidates> c = {
      {Field::lg_code, {"都道府県コード又は市町村コード", "都道府県コード又は市区町村コード"}},
      {Field::source_id, {"事業所番号"}},
      {Field::official_id, {"事業所番号"}},
      {Field::name, {"事業所名"}},
      {Field::name_kana, {"事業所名カナ"}},
      {Field::subtype, {"サービスの種類"}},
      {Field::address, {"住所"}},
      {Field::building, {"方書(ビル名等)", "方書"}},
      {Field::lat, {"緯度"}},
      {Field::lon, {"経度"}},
      {Field::phone, {"電話番号"}},
      {Field::fax, {"fax番号"}},
      {Field::corporate_number, {"法人番号"}},
      {Field::operator_name, {"法人の名称"}},
      {Field::weekdays, {"利用可能曜日"}},
      {Field::schedule_note, {"利用可能曜日特記事項"}},
      {Field::capacity, {"定員"}},
      {Field::url, {"url"}},
      {Field::note, {"備考"}},
  };
  return c;
}

const std::vector<Candidates>& generic_columns() {
  static const std::vector<Candidates> c = [] {
    // Columns that are not a field of a resource (its source id, its point, its schedule in parts).
    std::vector<Candidates> out = {
        {Field::source_id, {"id", "source_id", "#property", "no", "番号", "管理番号"}},
        {Field::lat, {"lat", "latitude", "緯度", "y"}},
        {Field::lon, {"lon", "lng", "long", "longitude", "経度", "x"}},
        {Field::wkt, {"wkt", "geometry", "geom", "the_geom", "wkt_geometry"}},
        {Field::weekdays, {"availabledate", "利用可能曜日", "曜日", "開催曜日"}},
        {Field::start_time, {"starttime", "開始時間", "開始時刻"}},
        {Field::end_time, {"endtime", "終了時間", "終了時刻"}},
        {Field::schedule, {"schedule", "開催日時", "開催日"}},
        {Field::schedule_note, {"availabledatenote", "利用可能日時特記事項"}},
    };
    // The resource's own fields: their import names from the field table.
    for (const auto& f : geo::resource_fields()) {
      const auto field = parse_field(f.key);
      if (field && !f.aliases.empty()) out.push_back({*field, f.aliases});
    }
    return out;
  }();
  return c;
}

const std::set<std::string>& sequence_names() {
  static const std::set<std::string> s = {"#property", "no", "id", "№", "番号", "連番"};
  return s;
}

std::string joined_header(const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& f : fields) {
    if (!out.empty()) out += ", ";
    out += f;
  }
  return out;
}

class Header {
 public:
  explicit Header(const std::vector<std::string>& fields) {
    for (const auto& f : fields) keys_.push_back(header_key(f));
  }
  [[nodiscard]] int find(std::string_view key) const {
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] == key) return static_cast<int>(i);
    }
    return -1;
  }
  [[nodiscard]] bool has(std::string_view key) const { return find(key) >= 0; }
  [[nodiscard]] std::size_t size() const { return keys_.size(); }
  [[nodiscard]] const std::string& key(std::size_t i) const { return keys_[i]; }

 private:
  std::vector<std::string> keys_;
};

void apply(ResolvedLayout& out, const Header& h, const std::vector<Candidates>& table,
           bool override_existing) {
  for (const auto& c : table) {
    auto& slot = out.column[static_cast<std::size_t>(c.field)];
    if (slot >= 0 && !override_existing) continue;
    for (const auto name : c.names) {
      const int i = h.find(name);
      if (i >= 0) {
        slot = i;
        break;
      }
    }
  }
}

template <typename E>
E parse_code_or_throw(const nlohmann::json& v, std::string_view key,
                      const std::filesystem::path& origin) {
  if (!v.is_string()) {
    throw SourceError(origin.filename().string() + ": \"" + std::string(key) +
                      "\" must be a string");
  }
  const auto s = v.get<std::string>();
  if (auto c = geo::parse_code<E>(s)) return *c;
  throw SourceError(origin.filename().string() + ": \"" + std::string(key) + "\" is '" + s +
                    "', expected one of " + geo::code_ids_joined<E>());
}

template <typename E>
geo::EnumSet<E> parse_code_set(const nlohmann::json& v, std::string_view key,
                               const std::filesystem::path& origin) {
  geo::EnumSet<E> out;
  if (!v.is_array()) {
    throw SourceError(origin.filename().string() + ": \"" + std::string(key) +
                      "\" must be a list of ids");
  }
  for (const auto& e : v) out.insert(parse_code_or_throw<E>(e, key, origin));
  return out;
}

}  // namespace

std::string_view field_id(Field f) {
  return kFieldIds[static_cast<std::size_t>(f)];
}

std::optional<Field> parse_field(std::string_view id) {
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    if (kFieldIds[i] == id) return static_cast<Field>(i);
  }
  return std::nullopt;
}

std::string_view layout_id(LayoutKind k) {
  for (const auto& n : kLayoutNames) {
    if (n.kind == k) return n.id;
  }
  return "?";
}

std::optional<LayoutKind> parse_layout(std::string_view id) {
  for (const auto& n : kLayoutNames) {
    if (n.id == id) return n.kind;
  }
  return std::nullopt;
}

std::string layout_ids_joined() {
  std::string out;
  for (const auto& n : kLayoutNames) {
    if (!out.empty()) out += ", ";
    out += n.id;
  }
  return out;
}

MappingFile parse_mapping(const nlohmann::json& j, const std::filesystem::path& origin) {
  const std::string file = origin.filename().string();
  if (!j.is_object()) throw SourceError(file + ": a mapping file is one JSON object");
  MappingFile m;
  m.origin = origin;
  auto str = [&](const nlohmann::json& v, std::string_view key) {
    if (!v.is_string()) {
      throw SourceError(file + ": \"" + std::string(key) + "\" must be a string");
    }
    return v.get<std::string>();
  };
  for (const auto& [key, v] : j.items()) {
    if (key == "$comment" || key == "description") continue;
    if (key == "title") {
      m.title = str(v, key);
    } else if (key == "publisher") {
      m.publisher = str(v, key);
    } else if (key == "license") {
      m.license = str(v, key);
    } else if (key == "attribution") {
      m.attribution = str(v, key);
    } else if (key == "url") {
      m.url = str(v, key);
    } else if (key == "vintage") {
      m.vintage = str(v, key);
    } else if (key == "source_key") {
      m.source_key = str(v, key);
    } else if (key == "encoding") {
      const auto e = parse_encoding(str(v, key));
      if (!e) throw SourceError(file + ": \"encoding\" must be UTF-8 or CP932");
      m.encoding = e;
    } else if (key == "kind") {
      m.kind = parse_code_or_throw<geo::ResourceKind>(v, key, origin);
    } else if (key == "kind_column") {
      m.kind_column = str(v, key);
    } else if (key == "kind_values") {
      if (!v.is_object()) throw SourceError(file + ": \"kind_values\" must be an object");
      for (const auto& [text, kind] : v.items()) {
        m.kind_values.emplace_back(text, parse_code_or_throw<geo::ResourceKind>(kind, key, origin));
      }
    } else if (key == "columns") {
      if (!v.is_object()) throw SourceError(file + ": \"columns\" must be an object");
      for (const auto& [field, column] : v.items()) {
        const auto f = parse_field(field);
        if (!f) {
          std::string known;
          for (const auto id : kFieldIds) known += (known.empty() ? "" : ", ") + std::string(id);
          throw SourceError(file + ": unknown column role \"" + field + "\" (known: " + known +
                            ")");
        }
        m.columns[static_cast<std::size_t>(*f)] = str(column, field);
      }
    } else if (key == "defaults") {
      if (!v.is_object()) throw SourceError(file + ": \"defaults\" must be an object");
      for (const auto& [dk, dv] : v.items()) {
        if (dk == "subtype") {
          m.defaults.subtype = str(dv, dk);
        } else if (dk == "lg_code") {
          m.defaults.lg_code = str(dv, dk);
        } else if (dk == "venue") {
          m.defaults.venue = parse_code_or_throw<geo::VenueKind>(dv, dk, origin);
        } else if (dk == "operator_type") {
          m.defaults.operator_type = parse_code_or_throw<geo::OperatorType>(dv, dk, origin);
        } else if (dk == "operator_name") {
          m.defaults.operator_name = str(dv, dk);
        } else if (dk == "publish") {
          m.defaults.publish = parse_code_or_throw<geo::PublishLevel>(dv, dk, origin);
        } else if (dk == "accuracy") {
          m.defaults.accuracy = parse_code_or_throw<geo::PositionAccuracy>(dv, dk, origin);
        } else if (dk == "targets") {
          m.defaults.targets = parse_code_set<geo::TargetGroup>(dv, dk, origin);
        } else if (dk == "activities") {
          m.defaults.activities = parse_code_set<geo::Activity>(dv, dk, origin);
        } else {
          throw SourceError(file + ": unknown key \"defaults." + dk +
                            "\" (known: subtype, lg_code, venue, operator_type, operator_name, "
                            "publish, accuracy, targets, activities)");
        }
      }
    } else {
      throw SourceError(file + ": unknown key \"" + key +
                        "\" (known: title, publisher, license, attribution, url, vintage, "
                        "source_key, encoding, kind, kind_column, kind_values, columns, defaults)");
    }
  }
  if (m.columns[static_cast<std::size_t>(Field::name)].empty()) {
    throw SourceError(file + ": \"columns\" must name the column holding the name (\"name\")");
  }
  if (m.kind && !m.kind_column.empty()) {
    throw SourceError(file + ": give either \"kind\" or \"kind_column\", not both");
  }
  if (!m.kind && m.kind_column.empty()) {
    throw SourceError(file +
                      ": say which kind of resource the rows are: \"kind\": \"kominkan\" "
                      "or \"kind_column\" (+ \"kind_values\")");
  }
  return m;
}

MappingFile load_mapping(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw SourceError("cannot read the mapping file " + path.string());
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  nlohmann::json j;
  try {
    j = geo::parse_untrusted_json(text, path.filename().string());
  } catch (const geo::InvalidArgument& e) {
    throw SourceError(e.what());
  }
  return parse_mapping(j, path);
}

const std::vector<std::pair<std::string_view, Field>>& tsunagi_export_columns() {
  static const std::vector<std::pair<std::string_view, Field>> c = {
      {"tsunagi資源ID", Field::source_id},
      {"種別", Field::kind},
      {"種別詳細", Field::subtype},
      {"名称", Field::name},
      {"名称_カナ", Field::name_kana},
      {"説明", Field::description},
      {"住所", Field::address},
      {"方書", Field::building},
      {"緯度", Field::lat},
      {"経度", Field::lon},
      {"全国地方公共団体コード", Field::lg_code},
      {"活動場所", Field::venue},
      {"運営主体", Field::operator_type},
      {"運営団体名", Field::operator_name},
      {"法人番号", Field::corporate_number},
      {"事業所番号等", Field::official_id},
      {"電話番号", Field::phone},
      {"FAX番号", Field::fax},
      {"メールアドレス", Field::email},
      {"URL", Field::url},
      {"対象", Field::targets},
      {"活動内容", Field::activities},
      {"開催日時", Field::schedule},
      {"定員", Field::capacity},
      {"参加費", Field::fee_note},
      {"駐車場", Field::parking},
      {"公開範囲", Field::publish},
      {"状況", Field::status},
      {"確認日", Field::verified_at},
      {"備考", Field::note},
  };
  return c;
}

const std::vector<const geo::ResourceField*>& table_io_fields() {
  static const std::vector<const geo::ResourceField*> fields = [] {
    std::vector<const geo::ResourceField*> out;
    for (const auto& f : geo::resource_fields()) {
      if (f.table_io && f.plain()) out.push_back(&f);
    }
    return out;
  }();
  return fields;
}

ResolvedLayout resolve_layout(const std::vector<std::string>& field_names, bool has_geometry,
                              const LayoutRequest& request, std::string_view file_name) {
  const Header h(field_names);
  ResolvedLayout out;
  out.column.fill(-1);
  out.sequence_column.assign(field_names.size(), false);
  for (std::size_t i = 0; i < h.size(); ++i) {
    out.sequence_column[i] = sequence_names().contains(h.key(i));
  }
  const std::string file(file_name);

  LayoutKind kind = request.layout;
  if (request.mapping != nullptr) kind = LayoutKind::mapping;
  bool official_head = h.has("所在地_連結表記");
  if (kind == LayoutKind::auto_detect) {
    const bool lg = h.has("都道府県コード又は市区町村コード") || h.has("全国地方公共団体コード");
    if (h.has("tsunagi資源id")) {
      kind = LayoutKind::tsunagi_export;
    } else if (h.has("事業所名") && h.has("サービスの種類") && h.has("事業所番号")) {
      kind = LayoutKind::mhlw_kaigo;
    } else if (h.has("介護サービス事業所名称")) {
      kind = LayoutKind::care_service;
    } else if (lg && h.has("名称") && h.has("種別") && (h.has("収容定員") || h.has("受入年齢"))) {
      kind = LayoutKind::childcare;
    } else if (lg && h.has("名称") && h.has("緯度") && h.has("経度")) {
      kind = LayoutKind::public_facility;
    } else {
      kind = LayoutKind::generic;
    }
  }
  out.kind = kind;

  switch (kind) {
    case LayoutKind::public_facility:
    case LayoutKind::care_service:
    case LayoutKind::childcare: {
      apply(out, h, standard_common(), false);
      std::string what = "公共施設一覧";
      out.fixed_kind = geo::ResourceKind::public_facility;
      if (kind == LayoutKind::care_service) {
        apply(out, h, care_extra(), true);
        what = "介護サービス事業所一覧";
        out.fixed_kind = geo::ResourceKind::kaigo_jigyosho;
      } else if (kind == LayoutKind::childcare) {
        apply(out, h, childcare_extra(), true);
        what = "子育て施設一覧";
        out.fixed_kind = geo::ResourceKind::kosodate_shisetsu;
      }
      out.description = "自治体標準オープンデータセット " + what +
                        (official_head ? " (正式版 所在地_* head)" : " (推奨データセット head)");
      break;
    }
    case LayoutKind::mhlw_kaigo:
      apply(out, h, mhlw_columns(), false);
      out.fixed_kind = geo::ResourceKind::kaigo_jigyosho;
      out.capacity_zero_unknown = true;
      out.description = "介護サービス情報公表システム オープンデータ";
      break;
    case LayoutKind::tsunagi_export:
      for (const auto& [header, field] : tsunagi_export_columns()) {
        out.column[static_cast<std::size_t>(field)] = h.find(header_key(header));
      }
      out.description = "tsunagi CSV export";
      break;
    case LayoutKind::mapping: {
      if (request.mapping == nullptr) {
        throw SourceError("--layout mapping needs --mapping FILE");
      }
      const MappingFile& m = *request.mapping;
      for (std::size_t f = 0; f < kFieldCount; ++f) {
        if (m.columns[f].empty()) continue;
        const int i = h.find(header_key(m.columns[f]));
        const auto field = static_cast<Field>(f);
        if (i < 0 && has_geometry &&
            (field == Field::lat || field == Field::lon || field == Field::wkt)) {
          continue;  // the GeoJSON twin of a CSV: the layer's geometry holds the point
        }
        if (i < 0) {
          throw SourceError(m.origin.filename().string() + " maps " + std::string(kFieldIds[f]) +
                            " to the column '" + m.columns[f] + "', but " + file +
                            " has no such column (its columns: " + joined_header(field_names) +
                            ")");
        }
        out.column[f] = i;
      }
      out.fixed_kind = m.kind;
      out.kind_values = m.kind_values;
      if (!m.kind_column.empty()) {
        const int i = h.find(header_key(m.kind_column));
        if (i < 0) {
          throw SourceError(m.origin.filename().string() + " takes the kind from the column '" +
                            m.kind_column + "', but " + file + " has no such column");
        }
        out.column[static_cast<std::size_t>(Field::kind)] = i;
      }
      out.defaults = m.defaults;
      out.description = "mapping " + m.origin.filename().string();
      break;
    }
    case LayoutKind::generic:
      apply(out, h, generic_columns(), false);
      out.description = "generic (columns recognised by name)";
      break;
    case LayoutKind::boundary:
    case LayoutKind::auto_detect:
      throw SourceError(file + ": the boundary layout is imported with --boundary");
  }

  // The fields whose import and export the field table gives (table_io): by their export label
  // in tsunagi's own CSV, else by their label or an alias. A mapping file names its columns.
  if (kind != LayoutKind::mapping) {
    for (const auto* f : table_io_fields()) {
      int i = h.find(header_key(f->label));
      for (std::size_t a = 0; i < 0 && kind != LayoutKind::tsunagi_export && a < f->aliases.size();
           ++a) {
        i = h.find(f->aliases[a]);
      }
      if (i >= 0) out.table_columns.emplace_back(f, i);
    }
  }

  // --kind / --kind-column override what the layout implies.
  if (request.kind) {
    out.fixed_kind = request.kind;
    out.column[static_cast<std::size_t>(Field::kind)] = -1;
  }
  if (!request.kind_column.empty()) {
    const int i = h.find(header_key(request.kind_column));
    if (i < 0) {
      throw SourceError("--kind-column " + request.kind_column + ": " + file +
                        " has no such column (its columns: " + joined_header(field_names) + ")");
    }
    out.column[static_cast<std::size_t>(Field::kind)] = i;
    out.fixed_kind.reset();
  }
  if (!out.fixed_kind && !out.has(Field::kind)) {
    throw SourceError(file + " (" + out.description +
                      "): cannot tell what kind of resource its rows are; pass --kind KIND (one "
                      "of " +
                      geo::code_ids_joined<geo::ResourceKind>() +
                      "), --kind-column COLUMN, or --mapping FILE");
  }

  if (!out.has(Field::name)) {
    throw SourceError(file + " (" + out.description +
                      "): no column holds the name; expected one of name, 名称, 施設名, 事業所名 "
                      "(its columns: " +
                      joined_header(field_names) + "), or name it in a --mapping file");
  }
  const bool has_latlon = out.has(Field::lat) && out.has(Field::lon);
  if (has_latlon != (out.has(Field::lat) || out.has(Field::lon))) {
    throw SourceError(
        file + ": found a " + std::string(out.has(Field::lat) ? "latitude" : "longitude") +
        " column but no " + (out.has(Field::lat) ? "longitude" : "latitude") + " column");
  }
  if (!has_latlon && !out.has(Field::wkt)) {
    if (!has_geometry) {
      throw SourceError(file + " (" + out.description +
                        "): no coordinate columns; expected lon/lat, longitude/latitude, x/y, "
                        "経度/緯度, or a WKT column (wkt, geometry) (its columns: " +
                        joined_header(field_names) + ")");
    }
    out.coordinates_from_geometry = true;
  }
  return out;
}

}  // namespace tsunagi::datasets
