#include "geo/catalog/small_cell.hpp"

#include <algorithm>
#include <bit>
#include <boost/function_output_iterator.hpp>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "geo/core/error.hpp"
#include "geo/spatial/geometry.hpp"

namespace tsunagi::geo {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

std::vector<std::vector<std::string>> parse_breakdowns(std::string_view text) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> cur;
  std::string word;
  auto end_word = [&] {
    if (!word.empty()) cur.push_back(word);
    word.clear();
  };
  for (const char c : text) {
    if (c == '+') {
      end_word();
    } else if (c == ';') {
      end_word();
      if (!cur.empty()) out.push_back(std::move(cur));
      cur = {};
    } else if (c != ' ') {
      word.push_back(c);
    }
  }
  end_word();
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string format_breakdowns(const std::vector<std::vector<std::string>>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ';';
    for (std::size_t i = 0; i < p.size(); ++i) out += (i ? "+" : "") + p[i];
  }
  return out;
}

std::vector<Breakdown> detect_breakdowns(
    const std::vector<std::vector<std::optional<double>>>& rows, std::size_t columns) {
  constexpr std::size_t kMaxPerTotal = 8;
  constexpr std::size_t kMinRows = 3;
  std::vector<char> nonzero(columns, 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < columns && c < row.size(); ++c) {
      if (row[c] && *row[c] != 0) nonzero[c] = 1;
    }
  }
  auto holds = [&](std::size_t t, const std::vector<std::size_t>& parts) {
    std::size_t checked = 0;
    for (const auto& row : rows) {
      if (t >= row.size() || !row[t]) continue;
      double sum = 0;
      bool all = true;
      for (const auto p : parts) {
        if (p >= row.size() || !row[p]) {
          all = false;
          break;
        }
        sum += *row[p];
      }
      if (!all) continue;
      if (std::abs(sum - *row[t]) > 1e-9 * std::max(1.0, std::abs(*row[t]))) return false;
      ++checked;
    }
    return checked >= kMinRows;
  };
  std::vector<Breakdown> out;
  for (std::size_t t = 0; t < columns; ++t) {
    if (!nonzero[t]) continue;
    std::size_t found = 0;
    auto take = [&](std::vector<std::size_t> parts) {
      if (found >= kMaxPerTotal || parts.size() < 2) return;
      if (!holds(t, parts)) return;
      out.push_back(Breakdown{t, std::move(parts)});
      ++found;
    };
    if (columns <= 16) {
      std::vector<std::size_t> cand;
      for (std::size_t c = 0; c < columns; ++c) {
        if (c != t && nonzero[c]) cand.push_back(c);
      }
      const std::uint32_t n = static_cast<std::uint32_t>(cand.size());
      for (std::uint32_t mask = 1; mask < (1U << n) && found < kMaxPerTotal; ++mask) {
        if (std::popcount(mask) < 2) continue;
        std::vector<std::size_t> parts;
        for (std::uint32_t i = 0; i < n; ++i) {
          if ((mask >> i) & 1U) parts.push_back(cand[i]);
        }
        take(std::move(parts));
      }
    } else {
      for (std::size_t end = t + 2; end < columns; ++end) {  // runs right after the total
        std::vector<std::size_t> parts;
        for (std::size_t c = t + 1; c <= end; ++c) parts.push_back(c);
        take(std::move(parts));
      }
      for (std::size_t start = 0; start + 2 <= t; ++start) {  // runs right before it
        std::vector<std::size_t> parts;
        for (std::size_t c = start; c < t; ++c) parts.push_back(c);
        take(std::move(parts));
      }
    }
  }
  return out;
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = 1e-7;

bool is_mesh(AreaKind k) {
  return k == AreaKind::mesh1 || k == AreaKind::mesh2 || k == AreaKind::mesh3 ||
         k == AreaKind::mesh_half || k == AreaKind::mesh_quarter || k == AreaKind::mesh_eighth;
}

/// Areas whose parent's figure is not assumed public: the top of the tree.
bool top_level(AreaKind k) {
  return k == AreaKind::prefecture || k == AreaKind::municipality;
}

using Point2 = bg::model::point<double, 2, bg::cs::cartesian>;
using Box2 = bg::model::box<Point2>;
using Entry = std::pair<Box2, std::size_t>;

/// The nesting of areas: parent node → the children of one area type. Nodes are the areas'
/// indices, then virtual parents (a municipality whose total is public elsewhere).
struct Nesting {
  std::size_t nodes = 0;
  std::vector<std::pair<std::size_t, std::vector<std::size_t>>> groups;
};

Nesting nest(const std::vector<Area>& areas, const std::vector<char>& takes_part) {
  const std::size_t n = areas.size();
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < n; ++i) index.emplace(areas[i].id, i);
  std::map<std::pair<std::size_t, int>, std::set<std::size_t>> groups;
  std::map<std::string, std::size_t> virtual_node;
  Nesting out;
  out.nodes = n;
  for (std::size_t a = 0; a < n; ++a) {
    if (!takes_part[a]) continue;
    const Area& ar = areas[a];
    const auto p = ar.parent_id.empty() ? index.end() : index.find(ar.parent_id);
    if (p != index.end() && takes_part[p->second] && p->second != a) {
      groups[{p->second, static_cast<int>(ar.kind)}].insert(a);
    } else if (!top_level(ar.kind)) {
      const std::string key = ar.parent_id.empty() ? ar.lg_code : ar.parent_id;
      auto [it, added] = virtual_node.try_emplace(key, out.nodes);
      if (added) ++out.nodes;
      groups[{it->second, static_cast<int>(ar.kind)}].insert(a);
    }
  }
  // Areas of another type whose representative point lies inside a larger area.
  struct Shape {
    std::optional<PreparedGeometry> prepared;
    double size = 0;
    std::optional<std::pair<double, double>> point;
  };
  std::vector<Shape> shapes(n);
  std::vector<Entry> entries;
  for (std::size_t a = 0; a < n; ++a) {
    if (!takes_part[a]) continue;
    const Area& ar = areas[a];
    if (ar.label_lon != 0 || ar.label_lat != 0) shapes[a].point = {ar.label_lon, ar.label_lat};
    if (ar.wkb.empty()) continue;
    try {
      Geometry g = Geometry::from_wkb(ar.wkb);
      if (!shapes[a].point) shapes[a].point = g.point_on_surface();
      shapes[a].size = g.area();
      const auto e = g.envelope();
      entries.emplace_back(Box2{Point2{e.min_x, e.min_y}, Point2{e.max_x, e.max_y}}, a);
      shapes[a].prepared.emplace(std::move(g));
    } catch (const GeometryError&) {  // NOLINT(bugprone-empty-catch)
      // A damaged boundary holds nothing; the area keeps its parent_id relation.
    }
  }
  const bgi::rtree<Entry, bgi::rstar<16>> tree(entries);
  for (std::size_t b = 0; b < n; ++b) {
    if (!takes_part[b] || !shapes[b].point) continue;
    const double x = shapes[b].point->first;
    const double y = shapes[b].point->second;
    tree.query(bgi::intersects(Point2{x, y}),
               boost::make_function_output_iterator([&](const Entry& e) {
                 const std::size_t a = e.second;
                 if (a == b || areas[a].kind == areas[b].kind) return;
                 if (is_mesh(areas[a].kind) != is_mesh(areas[b].kind)) return;
                 if (shapes[a].size <= shapes[b].size) return;
                 if (shapes[a].prepared->contains_point(x, y)) {
                   groups[{a, static_cast<int>(areas[b].kind)}].insert(b);
                 }
               }));
  }
  for (auto& [key, children] : groups) {
    out.groups.emplace_back(key.first, std::vector<std::size_t>(children.begin(), children.end()));
  }
  return out;
}

/// One relation: Σ coef·x = rhs.
struct Relation {
  std::vector<std::pair<std::size_t, double>> terms;
  double rhs = 0;
};

class Audit {
 public:
  Audit(std::size_t vars, std::vector<Relation> rel)
      : rel_(std::move(rel)), of_var_(vars), known_(vars, 0), lo_(vars, 0), hi_(vars, kInf) {
    for (std::size_t r = 0; r < rel_.size(); ++r) {
      for (const auto& t : rel_[r].terms) of_var_[t.first].push_back(r);
    }
  }
  void set_known(std::size_t v, bool known) { known_[v] = known ? 1 : 0; }
  [[nodiscard]] bool known(std::size_t v) const { return known_[v] != 0; }
  [[nodiscard]] double width(std::size_t v) const { return hi_[v] - lo_[v]; }
  [[nodiscard]] const std::vector<std::size_t>& relations_of(std::size_t v) const {
    return of_var_[v];
  }
  [[nodiscard]] const Relation& relation(std::size_t r) const { return rel_[r]; }
  /// How wide relation `r` alone, with the current bounds of its other cells, leaves cell `v`.
  [[nodiscard]] double width_from(std::size_t r, std::size_t v) const {
    double lo = rel_[r].rhs;
    double hi = rel_[r].rhs;
    double coef = 1;
    for (const auto& [w, c] : rel_[r].terms) {
      if (w == v) {
        coef = c;
        continue;
      }
      const double a = c * lo_[w];
      const double b = c * hi_[w];
      lo -= std::max(a, b);
      hi -= std::min(a, b);
    }
    if (coef < 0) {
      const double flipped = -hi;
      hi = -lo;
      lo = flipped;
    }
    return hi - std::max(lo, 0.0);
  }

  /// Bounds of every unknown cell from the known ones, propagated through every relation until
  /// nothing narrows. `truth` gives the known cells' values.
  void run(const std::vector<double>& truth) {
    for (std::size_t v = 0; v < known_.size(); ++v) {
      lo_[v] = known_[v] ? truth[v] : 0;
      hi_[v] = known_[v] ? truth[v] : kInf;
    }
    for (int pass = 0; pass < 500; ++pass) {
      bool changed = false;
      for (const auto& r : rel_) changed = tighten(r) || changed;
      if (!changed) break;
    }
  }

 private:
  bool tighten(const Relation& r) {
    double min_sum = 0;
    double max_sum = 0;
    int min_inf = 0;
    int max_inf = 0;
    auto range = [&](const std::pair<std::size_t, double>& t) {
      const double a = t.second * lo_[t.first];
      const double b = t.second * hi_[t.first];
      return std::pair<double, double>{std::min(a, b), std::max(a, b)};
    };
    for (const auto& t : r.terms) {
      const auto [mn, mx] = range(t);
      if (std::isinf(mn)) {
        ++min_inf;
      } else {
        min_sum += mn;
      }
      if (std::isinf(mx)) {
        ++max_inf;
      } else {
        max_sum += mx;
      }
    }
    bool changed = false;
    for (const auto& t : r.terms) {
      const std::size_t v = t.first;
      if (known_[v]) continue;
      const auto [mn, mx] = range(t);
      const double others_min =
          (min_inf - (std::isinf(mn) ? 1 : 0)) > 0 ? -kInf : min_sum - (std::isinf(mn) ? 0 : mn);
      const double others_max =
          (max_inf - (std::isinf(mx) ? 1 : 0)) > 0 ? kInf : max_sum - (std::isinf(mx) ? 0 : mx);
      // coef·x = rhs − others
      double new_lo = r.rhs - others_max;
      double new_hi = r.rhs - others_min;
      if (t.second < 0) {
        const double flipped_lo = -new_hi;
        new_hi = -new_lo;
        new_lo = flipped_lo;
      }
      if (new_lo > lo_[v] + kEps) {
        lo_[v] = new_lo;
        changed = true;
      }
      if (new_hi < hi_[v] - kEps) {
        hi_[v] = new_hi;
        changed = true;
      }
    }
    return changed;
  }

  std::vector<Relation> rel_;
  std::vector<std::vector<std::size_t>> of_var_;
  std::vector<char> known_;
  std::vector<double> lo_, hi_;
};

}  // namespace

SmallCellResult apply_small_cell_rule(const SmallCellInput& in) {
  const auto& areas = *in.areas;
  const std::size_t n = areas.size();
  const std::size_t cols = in.columns;
  SmallCellResult res;
  res.suppressed.assign(n * cols, 0);
  if (cols == 0 || n == 0) return res;

  std::vector<char> takes_part(n, 0);
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t c = 0; c < cols; ++c) {
      if (in.value[a * cols + c]) takes_part[a] = 1;
    }
  }
  const Nesting nesting = nest(areas, takes_part);
  const std::size_t vars = nesting.nodes * cols;
  auto var = [&](std::size_t node, std::size_t c) { return node * cols + c; };

  // The true values (0 where there is none), and the virtual parents' totals (public elsewhere):
  // for each column, the largest sum over one type of their children.
  std::vector<double> truth(vars, 0);
  std::vector<char> has_truth(vars, 0);
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t c = 0; c < cols; ++c) {
      if (const auto& v = in.value[a * cols + c]) {
        truth[var(a, c)] = *v;
        has_truth[var(a, c)] = 1;
      }
    }
  }
  for (const auto& [parent, children] : nesting.groups) {
    if (parent < n) continue;
    for (std::size_t c = 0; c < cols; ++c) {
      double sum = 0;
      for (const auto ch : children) sum += truth[var(ch, c)];
      truth[var(parent, c)] = std::max(truth[var(parent, c)], sum);
      has_truth[var(parent, c)] = 1;
    }
  }

  // Relations; the right-hand side is what the true values give (0 when exact), as if known.
  std::vector<Relation> rel;
  auto close = [&](Relation r) {
    for (const auto& [v, coef] : r.terms) r.rhs += coef * truth[v];
    rel.push_back(std::move(r));
  };
  for (std::size_t node = 0; node < nesting.nodes; ++node) {
    if (node < n && !takes_part[node]) continue;
    for (const auto& b : in.breakdowns) {
      Relation r;
      r.terms.emplace_back(var(node, b.total), 1.0);
      for (const auto p : b.parts) r.terms.emplace_back(var(node, p), -1.0);
      close(std::move(r));
    }
  }
  for (const auto& [parent, children] : nesting.groups) {
    for (std::size_t c = 0; c < cols; ++c) {
      Relation r;
      r.terms.emplace_back(var(parent, c), 1.0);
      for (const auto ch : children) r.terms.emplace_back(var(ch, c), -1.0);
      close(std::move(r));
    }
  }

  Audit audit(vars, std::move(rel));
  std::vector<char> hidden(vars, 0);  // suppressed here: must be protected
  for (std::size_t v = 0; v < vars; ++v) {
    const std::size_t node = v / cols;
    const std::size_t c = v % cols;
    if (node >= n) {
      audit.set_known(v, true);  // a virtual parent's total
    } else if (has_truth[v]) {
      if (truth[v] < in.k[c]) {
        hidden[v] = 1;
        ++res.primary;
      }
      audit.set_known(v, !hidden[v]);
    }
  }

  auto needs_protection = [&](std::size_t v) {
    return hidden[v] && audit.width(v) < in.k[v % cols] - kEps;
  };
  // The published cell to suppress next for `x`: in a relation that alone leaves it narrower
  // than k, the smallest published cell of an area at least as large as the interval lacks (the
  // largest when none is); when such a relation holds no published cell, its narrowness comes
  // from hidden cells it holds, and their narrow relations are looked at next.
  auto partner_for = [&](std::size_t x) -> std::optional<std::size_t> {
    const double k = in.k[x % cols];
    const double need = k - audit.width(x);
    std::vector<std::size_t> frontier{x};
    std::set<std::size_t> seen{x};
    for (int depth = 0; depth < 8 && !frontier.empty(); ++depth) {
      std::optional<std::size_t> best_fit;
      std::optional<std::size_t> largest;
      std::vector<std::size_t> next;
      for (const auto u : frontier) {
        for (const auto r : audit.relations_of(u)) {
          if (audit.width_from(r, u) >= k - kEps) continue;  // not what narrows it
          for (const auto& [w, coef] : audit.relation(r).terms) {
            if (!audit.known(w)) {
              if (seen.insert(w).second) next.push_back(w);
              continue;
            }
            if (w / cols >= n || !has_truth[w]) continue;  // a virtual total is public
            if (truth[w] >= need && (!best_fit || truth[w] < truth[*best_fit])) best_fit = w;
            if (!largest || truth[w] > truth[*largest]) largest = w;
          }
        }
      }
      if (best_fit) return best_fit;
      if (largest) return largest;
      frontier = std::move(next);
    }
    return std::nullopt;
  };

  for (;;) {
    audit.run(truth);
    std::set<std::size_t> touched;  // relations widened in this round
    bool added = false;
    for (std::size_t x = 0; x < vars; ++x) {
      if (!needs_protection(x)) continue;
      const auto& rx = audit.relations_of(x);
      if (std::any_of(rx.begin(), rx.end(), [&](std::size_t r) { return touched.contains(r); })) {
        added = true;  // widened already: audit again before adding more
        continue;
      }
      const auto w = partner_for(x);
      if (!w) continue;
      hidden[*w] = 1;
      audit.set_known(*w, false);
      ++res.secondary;
      added = true;
      for (const auto r : audit.relations_of(*w)) touched.insert(r);
    }
    if (!added) break;
  }
  for (std::size_t v = 0; v < vars; ++v) {
    if (needs_protection(v)) ++res.unprotectable;
  }
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t c = 0; c < cols; ++c) res.suppressed[a * cols + c] = hidden[var(a, c)];
  }
  return res;
}

}  // namespace tsunagi::geo
