#include "tiles/clip.hpp"

#include <algorithm>
#include <array>

namespace tsunagi::tiles {

namespace {

struct Pt {
  std::int64_t x = 0;
  std::int64_t y = 0;
  bool rounded = false;  ///< a crossing point moved to the grid
  friend bool operator==(const Pt& a, const Pt& b) { return a.x == b.x && a.y == b.y; }
};
using Ring = std::vector<Pt>;

/// num / den rounded to the nearest integer, halves away from zero; den ≠ 0.
std::int64_t round_div(std::int64_t num, std::int64_t den, bool& inexact) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  inexact = num % den != 0;
  const std::int64_t twice = 2 * num;
  if (twice >= 0) return (twice + den) / (2 * den);
  return -((-twice + den) / (2 * den));
}

enum class Side : std::uint8_t { min_x, max_x, min_y, max_y };

bool inside(const Pt& p, Side s, const ClipBox& b) {
  switch (s) {
    case Side::min_x:
      return p.x >= b.min_x;
    case Side::max_x:
      return p.x <= b.max_x;
    case Side::min_y:
      return p.y >= b.min_y;
    case Side::max_y:
      return p.y <= b.max_y;
  }
  return false;
}

/// Where segment a–b crosses the line of side s (a and b on either side of it).
Pt crossing(const Pt& a, const Pt& b, Side s, const ClipBox& box) {
  Pt out;
  bool inexact = false;
  if (s == Side::min_x || s == Side::max_x) {
    const std::int64_t x = s == Side::min_x ? box.min_x : box.max_x;
    out.x = x;
    out.y = a.y + round_div((x - a.x) * (b.y - a.y), b.x - a.x, inexact);
  } else {
    const std::int64_t y = s == Side::min_y ? box.min_y : box.max_y;
    out.y = y;
    out.x = a.x + round_div((y - a.y) * (b.x - a.x), b.y - a.y, inexact);
  }
  out.rounded = inexact;
  return out;
}

/// One Sutherland–Hodgman pass.
Ring clip_side(const Ring& in, Side s, const ClipBox& box) {
  Ring out;
  if (in.empty()) return out;
  out.reserve(in.size() + 4);
  const Pt* prev = &in.back();
  for (const Pt& cur : in) {
    const bool cur_in = inside(cur, s, box);
    const bool prev_in = inside(*prev, s, box);
    if (cur_in) {
      if (!prev_in) out.push_back(crossing(*prev, cur, s, box));
      out.push_back(cur);
    } else if (prev_in) {
      out.push_back(crossing(*prev, cur, s, box));
    }
    prev = &cur;
  }
  return out;
}

/// Which box line a point lies on (a bit per side).
unsigned lines_of(const Pt& p, const ClipBox& b) {
  unsigned m = 0;
  if (p.x == b.min_x) m |= 1U;
  if (p.x == b.max_x) m |= 2U;
  if (p.y == b.min_y) m |= 4U;
  if (p.y == b.max_y) m |= 8U;
  return m;
}

std::int64_t cross(const Pt& o, const Pt& a, const Pt& b) {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

int sign(std::int64_t v) {
  return (v > 0) - (v < 0);
}

bool on_segment(const Pt& p, const Pt& a, const Pt& b) {
  return std::min(a.x, b.x) <= p.x && p.x <= std::max(a.x, b.x) && std::min(a.y, b.y) <= p.y &&
         p.y <= std::max(a.y, b.y);
}

/// Segments a–b and c–d share at least one point.
bool meet(const Pt& a, const Pt& b, const Pt& c, const Pt& d) {
  if (std::max(a.x, b.x) < std::min(c.x, d.x) || std::max(c.x, d.x) < std::min(a.x, b.x) ||
      std::max(a.y, b.y) < std::min(c.y, d.y) || std::max(c.y, d.y) < std::min(a.y, b.y)) {
    return false;
  }
  const int d1 = sign(cross(a, b, c));
  const int d2 = sign(cross(a, b, d));
  const int d3 = sign(cross(c, d, a));
  const int d4 = sign(cross(c, d, b));
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;
  return (d1 == 0 && on_segment(c, a, b)) || (d2 == 0 && on_segment(d, a, b)) ||
         (d3 == 0 && on_segment(a, c, d)) || (d4 == 0 && on_segment(b, c, d));
}

/// A spike at b: a–b–c on one line with c turning back over a–b.
bool spike(const Pt& a, const Pt& b, const Pt& c) {
  if (cross(a, b, c) != 0) return false;
  return (a.x - b.x) * (c.x - b.x) + (a.y - b.y) * (c.y - b.y) > 0;
}

/// Drops repeated points, and points between two neighbours on the same box line (the runs
/// Sutherland–Hodgman leaves along an edge). False when a run turns back on itself.
bool tidy(Ring& r, const ClipBox& box) {
  bool changed = true;
  while (changed && r.size() >= 3) {
    changed = false;
    Ring out;
    out.reserve(r.size());
    for (const Pt& p : r) {
      if (out.empty() || !(out.back() == p)) out.push_back(p);
    }
    while (out.size() > 1 && out.front() == out.back()) out.pop_back();
    if (out.size() != r.size()) changed = true;
    r = std::move(out);
    const std::size_t n = r.size();
    if (n < 3) break;
    for (std::size_t i = 0; i < n; ++i) {
      const Pt& a = r[(i + n - 1) % n];
      const Pt& b = r[i];
      const Pt& c = r[(i + 1) % n];
      if ((lines_of(a, box) & lines_of(b, box) & lines_of(c, box)) == 0) continue;
      if (spike(a, b, c)) return false;
      r.erase(r.begin() + static_cast<std::ptrdiff_t>(i));  // b lies between a and c
      changed = true;
      break;
    }
  }
  return true;
}

/// Twice the signed area, from the first point (the clipped points lie in the box: the products
/// stay small whatever the world coordinates).
std::int64_t twice_area(const Ring& r) {
  std::int64_t a = 0;
  const Pt& o = r.front();
  for (std::size_t i = 1; i + 1 < r.size(); ++i) a += cross(o, r[i], r[i + 1]);
  return a;
}

struct Interval {
  std::int64_t lo;
  std::int64_t hi;
};

}  // namespace

std::optional<std::vector<TilePolygon>> clip_polygons(const std::vector<TilePolygon>& polygons,
                                                      const ClipBox& box, std::int64_t dx,
                                                      std::int64_t dy) {
  std::vector<std::vector<Ring>> kept;  // per polygon: shell, holes
  for (const auto& polygon : polygons) {
    std::vector<Ring> rings;
    for (std::size_t k = 0; k < polygon.size(); ++k) {
      Ring r;
      r.reserve(polygon[k].size());
      for (const auto& p : polygon[k]) r.push_back({p.x, p.y, false});
      for (const Side s : {Side::min_x, Side::max_x, Side::min_y, Side::max_y}) {
        r = clip_side(r, s, box);
      }
      if (!tidy(r, box)) return std::nullopt;
      if (r.size() < 3 || twice_area(r) == 0) {
        if (k == 0) break;  // the shell is gone: so are its holes
        continue;
      }
      rings.push_back(std::move(r));
    }
    if (!rings.empty()) kept.push_back(std::move(rings));
  }

  // Edges along the box: any two that meet come from a ring leaving and re-entering the box, or
  // from a hole and its shell both cut there.
  std::array<std::vector<Interval>, 4> along;
  struct Edge {
    const Pt* a;
    const Pt* b;
  };
  std::vector<Edge> edges;
  for (const auto& rings : kept) {
    for (const Ring& r : rings) {
      for (std::size_t i = 0; i < r.size(); ++i) {
        const Pt& a = r[i];
        const Pt& b = r[(i + 1) % r.size()];
        edges.push_back({&a, &b});
        const unsigned both = lines_of(a, box) & lines_of(b, box);
        if ((both & 3U) != 0)
          along[(both & 1U) != 0 ? 0 : 1].push_back({std::min(a.y, b.y), std::max(a.y, b.y)});
        if ((both & 12U) != 0)
          along[(both & 4U) != 0 ? 2 : 3].push_back({std::min(a.x, b.x), std::max(a.x, b.x)});
      }
    }
  }
  for (auto& line : along) {
    std::sort(line.begin(), line.end(),
              [](const Interval& a, const Interval& b) { return a.lo < b.lo; });
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i].lo <= line[i - 1].hi) return std::nullopt;
    }
  }

  // A crossing point moved to the grid: its two edges must meet no other edge.
  for (const auto& rings : kept) {
    for (const Ring& r : rings) {
      const std::size_t n = r.size();
      for (std::size_t i = 0; i < n; ++i) {
        if (!r[i].rounded) continue;
        const Pt& prev = r[(i + n - 1) % n];
        const Pt& v = r[i];
        const Pt& next = r[(i + 1) % n];
        if (spike(prev, v, next) || spike(r[(i + n - 2) % n], prev, v) ||
            spike(v, next, r[(i + 2) % n])) {
          return std::nullopt;
        }
        for (const Edge& e : edges) {
          for (const auto& [a, b] : {std::pair{&prev, &v}, std::pair{&v, &next}}) {
            // Edges sharing a vertex of this one (its neighbours, itself) are not other edges.
            if (e.a == a || e.a == b || e.b == a || e.b == b) continue;
            if (meet(*a, *b, *e.a, *e.b)) return std::nullopt;
          }
        }
      }
    }
  }

  std::vector<TilePolygon> out;
  out.reserve(kept.size());
  for (const auto& rings : kept) {
    TilePolygon polygon;
    polygon.reserve(rings.size());
    for (const Ring& r : rings) {
      TileRing ring;
      ring.reserve(r.size());
      for (const Pt& p : r) {
        ring.push_back({static_cast<std::int32_t>(p.x - dx), static_cast<std::int32_t>(p.y - dy)});
      }
      polygon.push_back(std::move(ring));
    }
    out.push_back(std::move(polygon));
  }
  return out;
}

}  // namespace tsunagi::tiles
