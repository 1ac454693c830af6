#include "geo/core/resource_fields.hpp"

#include <bit>
#include <charconv>
#include <initializer_list>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>

#include "geo/core/code_lists.hpp"
#include "geo/core/error.hpp"

namespace tsunagi::geo {

namespace {

constexpr std::size_t kLine = 200;   // as validate(): names, codes, phone numbers, addresses
constexpr std::size_t kLong = 4000;  // descriptions, notes

template <typename T>
struct MemberType;
template <typename T>
struct MemberType<T Resource::*> {
  using type = T;
};
template <auto M>
using member_t = typename MemberType<decltype(M)>::type;

template <typename T>
struct SetOf;
template <typename E>
struct SetOf<EnumSet<E>> {
  using type = E;
};

template <auto M>
void copy_member(const Resource& from, Resource& to) {
  to.*M = from.*M;
}
template <auto M>
bool same_member(const Resource& a, const Resource& b) {
  return a.*M == b.*M;
}

template <typename E>
const CodeList& code_list() {
  static const CodeList list = [] {
    CodeList l;
    l.name = CodeTable<E>::name;
    for (const auto& c : CodeTable<E>::entries) {
      const auto v = static_cast<std::size_t>(c.value);
      if (l.by_value.size() <= v) l.by_value.resize(v + 1);
      l.by_value[v] = CodeValue{c.id, c.ja};
    }
    return l;
  }();
  return list;
}

/// A row being written: the field and the setters the table below reads well with.
struct Row {
  ResourceField f;
  Row& seen_by(Audience a) {
    f.least = a;
    return *this;
  }
  Row& edited_by(EnumSet<Role> roles) {
    f.editors = roles;
    return *this;
  }
  Row& aliases(std::initializer_list<std::string_view> names) {
    f.aliases.assign(names);
    return *this;
  }
  Row& ja() {
    f.ja_labels = true;
    return *this;
  }
  Row& required() {
    f.required = true;
    return *this;
  }
  Row& locates_home() {
    f.locates_home = true;
    return *this;
  }
  Row& on_pages() {
    f.on_pages = true;
    return *this;
  }
  Row& io() {
    f.table_io = true;
    return *this;
  }
  Row& chars(std::size_t n) {
    f.max_chars = n;
    return *this;
  }
  Row& unknown_reads_as(int v) {
    f.unknown_code = v;
    return *this;
  }
};

template <auto M>
Row row(std::string_view key, FieldKind kind, std::string_view label) {
  Row r;
  r.f.key = key;
  r.f.kind = kind;
  r.f.label = label;
  r.f.editors = kFieldEditors;
  r.f.copy = &copy_member<M>;
  r.f.same = &same_member<M>;
  return r;
}

/// A text (or date) column of its own.
template <auto M>
Row text(std::string_view key, std::string_view label, std::size_t max_chars = kLine) {
  Row r = row<M>(key, FieldKind::text, label);
  r.f.column = key;
  r.f.text = M;
  r.f.max_chars = max_chars;
  return r;
}
template <auto M>
Row date(std::string_view key, std::string_view label) {
  Row r = row<M>(key, FieldKind::date, label);
  r.f.column = key;
  r.f.text = M;
  return r;
}
template <auto M>
Row integer(std::string_view key, std::string_view label) {
  Row r = row<M>(key, FieldKind::integer, label);
  r.f.column = key;
  r.f.integer = M;
  return r;
}
template <auto M>
Row flag(std::string_view key, std::string_view label) {
  Row r = row<M>(key, FieldKind::boolean, label);
  r.f.column = key;
  r.f.boolean = M;
  return r;
}
template <auto M>
Row code(std::string_view key, std::string_view label) {
  using E = member_t<M>;
  Row r = row<M>(key, FieldKind::code, label);
  r.f.column = key;
  r.f.codes = &code_list<E>();
  r.f.get_code = [](const Resource& x) { return static_cast<int>(x.*M); };
  r.f.set_code = [](Resource& x, int v) { x.*M = static_cast<E>(v); };
  return r;
}
template <auto M>
Row code_set(std::string_view key, std::string_view label) {
  using E = typename SetOf<member_t<M>>::type;
  Row r = row<M>(key, FieldKind::code_set, label);
  r.f.column = key;
  r.f.codes = &code_list<E>();
  r.f.get_codes = [](const Resource& x) { return (x.*M).bits(); };
  r.f.set_codes = [](Resource& x, std::uint64_t bits) { x.*M = EnumSet<E>::from_bits(bits); };
  return r;
}
/// A hand-written field: resource_json and the store write it themselves.
template <auto M>
Row hand(std::string_view key, FieldKind kind, std::string_view label, HandField which) {
  Row r = row<M>(key, kind, label);
  r.f.hand = which;
  return r;
}

using R = Resource;
using K = FieldKind;
using H = HandField;
constexpr EnumSet<Role> kNobody{};
constexpr auto kPartners = Audience::partners;

// clang-format off
std::vector<ResourceField> build_table() {
  std::vector<Row> rows = {
      // identity and provenance: bookkeeping, nobody edits it through the API
      hand<&R::id>("id", K::text, "tsunagi資源ID", H::id).edited_by(kNobody),
      hand<&R::source_id>("source_id", K::integer, "出典", H::source_id).seen_by(kPartners).edited_by(kNobody),
      hand<&R::source_key>("source_key", K::text, "出典での番号", H::source_key).seen_by(kPartners).edited_by(kNobody),
      hand<&R::version>("version", K::integer, "版", H::version).seen_by(kPartners).edited_by(kNobody),
      hand<&R::created_at>("created_at", K::text, "登録日時", H::created_at).seen_by(kPartners).edited_by(kNobody),
      hand<&R::updated_at>("updated_at", K::text, "更新日時", H::updated_at).seen_by(kPartners).edited_by(kNobody),
      // what
      code<&R::kind>("kind", "種別").ja().required(),
      text<&R::subtype>("subtype", "種別詳細").aliases({"subtype", "service", "種別", "サービス種別", "category"}),
      text<&R::name>("name", "名称").aliases({"name", "名称", "施設名", "施設名称", "事業所名", "名前", "title"}),
      text<&R::name_kana>("name_kana", "名称_カナ").aliases({"name_kana", "名称_カナ", "カナ", "ふりがな", "よみがな"}),
      text<&R::description>("description", "説明", kLong).aliases({"description", "説明"}),
      // where
      hand<&R::lon>("lon", K::number, "経度", H::lon),
      hand<&R::lat>("lat", K::number, "緯度", H::lat),
      code<&R::accuracy>("accuracy", "位置の精度"),
      text<&R::lg_code>("lg_code", "全国地方公共団体コード").aliases({"lg_code", "全国地方公共団体コード", "都道府県コード又は市区町村コード"}),
      text<&R::address>("address", "住所").aliases({"address", "住所", "所在地", "所在地_連結表記"}).locates_home(),
      text<&R::building>("building", "方書").aliases({"building", "方書"}).locates_home(),
      text<&R::access_note>("access_note", "アクセス", kLong).aliases({"access_note", "アクセス", "交通", "交通アクセス", "access"}).edited_by(kFieldCoordinators).locates_home().io().on_pages(),
      code<&R::venue>("venue", "活動場所").ja(),
      // who runs it, how to reach them (the contact rule of geo/catalog/visibility decides per
      // resource what the public sees of operator_name, phone, fax and email)
      code<&R::operator_type>("operator_type", "運営主体").ja(),
      text<&R::operator_name>("operator_name", "運営団体名"),
      text<&R::corporate_number>("corporate_number", "法人番号"),
      text<&R::official_id>("official_id", "事業所番号等"),
      text<&R::phone>("phone", "電話番号").aliases({"phone", "tel", "telephone", "telephonenumber", "電話番号", "電話"}),
      text<&R::fax>("fax", "FAX番号").aliases({"fax", "fax番号"}),
      text<&R::email>("email", "メールアドレス").aliases({"email", "e-mail", "mail", "メールアドレス"}),
      text<&R::url>("url", "URL").aliases({"url", "website", "referenceobject", "ホームページ"}).chars(0),  // check_url
      flag<&R::contact_public>("contact_public", "連絡先の公開に同意").seen_by(kPartners),
      // for whom, what, when
      code_set<&R::activities>("activities", "活動内容").ja(),
      hand<&R::main_activity>("main_activity", K::code, "主な活動", H::main_activity),
      code_set<&R::targets>("targets", "対象").ja(),
      integer<&R::age_min>("age_min", "対象年齢（下限）"),
      integer<&R::age_max>("age_max", "対象年齢（上限）"),
      text<&R::residency_restriction>("residency_restriction", "居住地の条件", kLong),
      hand<&R::schedules>("schedules", K::list, "開催日時", H::schedules),
      hand<&R::fees>("fees", K::list, "参加費（金額）", H::fees),
      text<&R::fee_note>("fee_note", "参加費", kLong),
      flag<&R::meal_provided>("meal_provided", "食事の提供"),
      flag<&R::reservation_required>("reservation_required", "予約が必要"),
      hand<&R::barrier_free>("barrier_free", K::object, "バリアフリー", H::barrier_free),
      text<&R::parking>("parking", "駐車場", kLong),
      // capacity
      integer<&R::capacity>("capacity", "定員").aliases({"capacity", "定員", "収容定員"}),
      code<&R::capacity_unit>("capacity_unit", "定員の単位"),
      integer<&R::vacancy>("vacancy", "空き"),
      date<&R::vacancy_as_of>("vacancy_as_of", "空きの確認日"),
      // 参加支援
      hand<&R::offer>("offer", K::object, "参加支援の受入れ", H::offer).seen_by(kPartners),
      // lifecycle
      code<&R::publish>("publish", "公開範囲").ja().seen_by(kPartners)
          .unknown_reads_as(static_cast<int>(PublishLevel::internal)),  // a damaged level hides
      code<&R::status>("status", "状況").ja(),
      date<&R::verified_at>("verified_at", "確認日"),
      text<&R::note>("note", "備考", kLong).seen_by(Audience::internal).aliases({"note", "備考"}),
  };
  std::vector<ResourceField> out;
  out.reserve(rows.size());
  for (auto& r : rows) {
    r.f.index = out.size();
    out.push_back(std::move(r.f));
  }
  if (out.size() > kMaxResourceFields) {
    throw std::logic_error("resource_fields: more fields than FieldMask holds");
  }
  return out;
}
// clang-format on

const std::vector<ResourceField>& table() {
  static const std::vector<ResourceField> t = build_table();
  return t;
}

}  // namespace

std::string_view field_kind_id(FieldKind k) {
  switch (k) {
    case FieldKind::text:
      return "text";
    case FieldKind::date:
      return "date";
    case FieldKind::integer:
      return "int";
    case FieldKind::boolean:
      return "bool";
    case FieldKind::number:
      return "number";
    case FieldKind::code:
      return "enum";
    case FieldKind::code_set:
      return "enum_set";
    case FieldKind::object:
      return "object";
    case FieldKind::list:
      return "list";
  }
  return "text";
}

std::optional<int> CodeList::parse(std::string_view id_or_ja) const {
  for (std::size_t v = 0; v < by_value.size(); ++v) {
    const auto& c = by_value[v];
    if (!c.id.empty() && (c.id == id_or_ja || c.ja == id_or_ja)) return static_cast<int>(v);
  }
  return std::nullopt;
}

std::string CodeList::ids_joined() const {
  std::string out;
  for (const auto& c : by_value) {
    if (c.id.empty()) continue;
    if (!out.empty()) out += ", ";
    out += c.id;
  }
  return out;
}

std::span<const ResourceField> resource_fields() {
  return table();
}

const ResourceField* find_resource_field(std::string_view key) {
  static const std::unordered_map<std::string_view, const ResourceField*> by_key = [] {
    std::unordered_map<std::string_view, const ResourceField*> m;
    for (const auto& f : table()) m.emplace(f.key, &f);
    return m;
  }();
  auto it = by_key.find(key);
  if (it == by_key.end() && key.size() > 3 && key.ends_with("_ja")) {
    it = by_key.find(key.substr(0, key.size() - 3));
  }
  return it == by_key.end() ? nullptr : it->second;
}

std::string field_text(const ResourceField& f, const Resource& r) {
  switch (f.kind) {
    case FieldKind::text:
    case FieldKind::date:
      return f.text != nullptr ? (r.*f.text).str() : std::string();
    case FieldKind::integer:
      return f.integer != nullptr && (r.*f.integer) ? std::to_string(*(r.*f.integer))
                                                    : std::string();
    case FieldKind::boolean:
      if (f.boolean == nullptr || !(r.*f.boolean)) return {};
      return *(r.*f.boolean) ? "はい" : "いいえ";
    case FieldKind::code:
      if (f.get_code == nullptr) return {};
      return std::string(f.codes->by_value.at(static_cast<std::size_t>(f.get_code(r))).ja);
    case FieldKind::code_set: {
      if (f.get_codes == nullptr) return {};
      std::string out;
      for (std::uint64_t b = f.get_codes(r); b != 0; b &= b - 1) {
        if (!out.empty()) out += "、";
        out += f.codes->by_value.at(static_cast<std::size_t>(std::countr_zero(b))).ja;
      }
      return out;
    }
    case FieldKind::number:
    case FieldKind::object:
    case FieldKind::list:
      break;
  }
  return {};
}

void set_field_text(const ResourceField& f, Resource& r, std::string_view text) {
  const std::string key(f.key);
  switch (f.kind) {
    case FieldKind::text:
    case FieldKind::date:
      if (f.text != nullptr) r.*f.text = std::string(text);
      return;
    case FieldKind::integer: {
      if (f.integer == nullptr) return;
      if (text.empty()) {
        r.*f.integer = std::nullopt;
        return;
      }
      int v = 0;
      const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || p != text.data() + text.size()) {
        throw InvalidArgument(key + " must be a whole number, got \"" + std::string(text) + "\"");
      }
      r.*f.integer = v;
      return;
    }
    case FieldKind::boolean:
      if (f.boolean == nullptr) return;
      if (text.empty()) {
        r.*f.boolean = std::nullopt;
      } else if (text == "はい" || text == "true" || text == "1" || text == "有") {
        r.*f.boolean = true;
      } else if (text == "いいえ" || text == "false" || text == "0" || text == "無") {
        r.*f.boolean = false;
      } else {
        throw InvalidArgument(key + " must be はい or いいえ, got \"" + std::string(text) + "\"");
      }
      return;
    case FieldKind::code: {
      if (f.set_code == nullptr || text.empty()) return;
      const auto v = f.codes->parse(text);
      if (!v) {
        throw InvalidArgument(key + " must be one of: " + f.codes->ids_joined() + " (got \"" +
                              std::string(text) + "\")");
      }
      f.set_code(r, *v);
      return;
    }
    case FieldKind::code_set: {
      if (f.set_codes == nullptr) return;
      std::uint64_t bits = 0;
      std::size_t start = 0;
      while (start <= text.size()) {
        // Either separator: the export's 、 or a comma.
        std::size_t end = text.find(',', start);
        const std::size_t ten = text.find("、", start);
        std::size_t skip = 1;
        if (ten != std::string_view::npos && (end == std::string_view::npos || ten < end)) {
          end = ten;
          skip = std::string_view("、").size();
        }
        const auto item =
            text.substr(start, end == std::string_view::npos ? text.size() - start : end - start);
        if (!item.empty()) {
          const auto v = f.codes->parse(item);
          if (!v) {
            throw InvalidArgument(key + " must be of: " + f.codes->ids_joined() + " (got \"" +
                                  std::string(item) + "\")");
          }
          bits |= std::uint64_t{1} << *v;
        }
        if (end == std::string_view::npos) break;
        start = end + skip;
      }
      f.set_codes(r, bits);
      return;
    }
    case FieldKind::number:
    case FieldKind::object:
    case FieldKind::list:
      return;
  }
}

std::string fields_not_editable(Role role, const Resource& stored, const Resource& incoming) {
  std::string out;
  for (const auto& f : table()) {
    if (f.editors.contains(role) || f.editors.empty()) continue;  // bookkeeping: the store's
    if (f.same(stored, incoming)) continue;
    if (!out.empty()) out += ", ";
    out += f.key;
  }
  return out;
}

}  // namespace tsunagi::geo
