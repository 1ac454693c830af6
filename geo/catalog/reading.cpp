#include "geo/catalog/reading.hpp"

#include <mecab.h>

#include <memory>
#include <mutex>
#include <string>

#include "geo/core/error.hpp"
#include "geo/core/text_normalize.hpp"

namespace tsunagi::geo {

namespace {

/// The dictionary, loaded once and shared: a MeCab model is thread-safe; taggers and lattices
/// are not, so each thread has its own (below).
MeCab::Model* model() {
  static std::once_flag once;
  static std::unique_ptr<MeCab::Model> m;
  std::call_once(once, [] {
    const std::string args = "-d " + std::string(kReadingDictionary);
    m.reset(MeCab::createModel(args.c_str()));
  });
  return m.get();
}

struct ThreadTagger {
  std::unique_ptr<MeCab::Tagger> tagger;
  std::unique_ptr<MeCab::Lattice> lattice;
};

ThreadTagger* thread_tagger() {
  thread_local ThreadTagger t;
  if (!t.tagger) {
    MeCab::Model* m = model();
    if (m == nullptr) return nullptr;
    t.tagger.reset(m->createTagger());
    t.lattice.reset(m->createLattice());
    if (!t.tagger || !t.lattice) return nullptr;
  }
  return &t;
}

/// The IPA dictionary's reading is the 8th field of a word's features (品詞,…,原形,読み,発音);
/// an unknown word has fewer fields.
std::string_view reading_field(const char* feature) {
  std::string_view f(feature);
  for (int field = 0; field < 7; ++field) {
    const auto comma = f.find(',');
    if (comma == std::string_view::npos) return {};
    f.remove_prefix(comma + 1);
  }
  const auto comma = f.find(',');
  f = f.substr(0, comma);
  return f == "*" ? std::string_view{} : f;
}

/// True when `surface` holds a kana or kanji (anything from U+3000 on but full-width ASCII):
/// latin letters and digits are searched as written, not as the dictionary spells them (ＡＢＣ is
/// not えいびーしー).
bool has_japanese(std::string_view surface) {
  std::size_t pos = 0;
  while (pos < surface.size()) {
    const auto cp = next_code_point(surface, pos);
    if (!cp) return false;
    if (*cp >= 0x3000 && !(*cp >= 0xFF01 && *cp <= 0xFF5E)) return true;
  }
  return false;
}

}  // namespace

bool reading_dictionary_available() {
  return model() != nullptr;
}

std::string reading_of(std::string_view text) {
  if (text.empty() || !is_valid_utf8(text)) return {};
  ThreadTagger* t = thread_tagger();
  if (t == nullptr) return {};
  const std::string sentence(text);  // the lattice points into it
  t->lattice->set_sentence(sentence.c_str());
  if (!t->tagger->parse(t->lattice.get())) return {};
  std::string reading;
  for (const MeCab::Node* n = t->lattice->bos_node(); n != nullptr; n = n->next) {
    if (n->stat != MECAB_NOR_NODE && n->stat != MECAB_UNK_NODE) continue;
    const std::string_view surface(n->surface, n->length);
    const std::string_view r = n->stat == MECAB_NOR_NODE && has_japanese(surface)
                                   ? reading_field(n->feature)
                                   : std::string_view();
    reading += r.empty() ? surface : r;
  }
  t->lattice->clear();
  try {
    return normalize_for_search(reading);
  } catch (const InvalidArgument&) {
    return {};
  }
}

const std::string& ReadingMemo::of(const std::string& text) {
  auto it = memo_.find(text);
  if (it == memo_.end()) it = memo_.emplace(text, reading_of(text)).first;
  return it->second;
}

}  // namespace tsunagi::geo
