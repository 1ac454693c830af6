#include "geo/spatial/crs.hpp"

#include <proj.h>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "geo/core/error.hpp"

namespace tsunagi::geo {
namespace {

// PJ objects per thread and transformer, most recently used first. Bounded, so transformers that
// were used once on a long-lived worker thread do not pile up.
constexpr std::size_t kPerThreadCache = 16;

thread_local bool t_proj_thread_gone = false;

struct ProjThread {
  struct Entry {
    std::uint64_t transformer_id;
    PJ* pj;
  };
  PJ_CONTEXT* ctx = nullptr;
  std::string last_error;
  std::vector<Entry> cache;

  ProjThread() {
    ctx = proj_context_create();
    // Libraries never log: PROJ's messages are kept and put into our exceptions instead.
    proj_log_func(ctx, this, [](void* self, int level, const char* message) {
      if (level == PJ_LOG_ERROR && message != nullptr) {
        static_cast<ProjThread*>(self)->last_error = message;
      }
    });
    proj_log_level(ctx, PJ_LOG_ERROR);
    proj_context_set_enable_network(ctx, 0);
  }
  ProjThread(const ProjThread&) = delete;
  ProjThread& operator=(const ProjThread&) = delete;
  ~ProjThread() {
    for (const Entry& e : cache) proj_destroy(e.pj);
    proj_context_destroy(ctx);
    t_proj_thread_gone = true;
  }

  // PROJ's own words for the last failure, or a fallback when it said nothing.
  std::string take_error(int err = 0) {
    std::string message = std::move(last_error);
    last_error.clear();
    if (message.empty() && err != 0) {
      const char* s = proj_context_errno_string(ctx, err);
      if (s != nullptr) message = s;
    }
    if (message.empty()) message = "PROJ gave no reason";
    return message;
  }
};

ProjThread& proj_thread() {
  thread_local ProjThread t;
  return t;
}

struct PjDeleter {
  void operator()(PJ* p) const { proj_destroy(p); }
};
using PjPtr = std::unique_ptr<PJ, PjDeleter>;

// PROJ also takes a bare name and matches it loosely ("foo" finds Amersfoort), so a typo would
// silently pick some CRS; only explicit forms are accepted.
bool explicit_definition(std::string_view d) {
  while (!d.empty() && (d.front() == ' ' || d.front() == '\n' || d.front() == '\t')) {
    d.remove_prefix(1);
  }
  if (d.empty()) return false;
  if (d.front() == '+' || d.front() == '{' || d.find('[') != std::string_view::npos) return true;
  if (d.starts_with("urn:") || d.starts_with("http://") || d.starts_with("https://")) return true;
  const std::size_t colon = d.find(':');  // AUTHORITY:CODE
  return colon != std::string_view::npos && colon > 0 && colon + 1 < d.size() &&
         d.find_first_of(" \t") == std::string_view::npos;
}

PjPtr create_crs(ProjThread& t, const std::string& definition) {
  if (!explicit_definition(definition)) {
    throw CrsError("\"" + definition +
                   "\" is not a CRS definition: write AUTHORITY:CODE (e.g. EPSG:6668), WKT, "
                   "PROJJSON or a PROJ string");
  }
  t.last_error.clear();
  PjPtr crs(proj_create(t.ctx, definition.c_str()));
  if (!crs) {
    throw CrsError("unknown CRS \"" + definition +
                   "\": " + t.take_error(proj_context_errno(t.ctx)));
  }
  if (proj_is_crs(crs.get()) == 0) {
    throw CrsError("\"" + definition + "\" is not a coordinate reference system" +
                   (definition.starts_with("+") ? " (a PROJ string needs +type=crs)" : ""));
  }
  return crs;
}

// The normalised (lon/lat, E/N) transformation between two CRS, created in this thread's context.
PjPtr create_transformation(ProjThread& t, const std::string& from, const std::string& to) {
  const PjPtr src = create_crs(t, from);
  const PjPtr dst = create_crs(t, to);
  t.last_error.clear();
  const PjPtr op(proj_create_crs_to_crs_from_pj(t.ctx, src.get(), dst.get(), nullptr, nullptr));
  if (!op) {
    throw CrsError("no transformation from " + from + " to " + to + ": " +
                   t.take_error(proj_context_errno(t.ctx)));
  }
  PjPtr normalized(proj_normalize_for_visualization(t.ctx, op.get()));
  if (!normalized) {
    throw CrsError("cannot normalise the axis order of " + from + " → " + to + ": " +
                   t.take_error(proj_context_errno(t.ctx)));
  }
  return normalized;
}

// True when one of the operations PROJ chooses between (operations needing grids that are not
// installed are discarded, as proj_create_crs_to_crs does) is a ballpark one: somewhere in the
// area, points would be moved by no real datum shift.
bool may_be_ballpark(ProjThread& t, const std::string& from, const std::string& to) {
  const PjPtr src = create_crs(t, from);
  const PjPtr dst = create_crs(t, to);
  PJ_OPERATION_FACTORY_CONTEXT* factory = proj_create_operation_factory_context(t.ctx, nullptr);
  if (factory == nullptr) throw CrsError("PROJ: " + t.take_error(proj_context_errno(t.ctx)));
  proj_operation_factory_context_set_grid_availability_use(
      t.ctx, factory, PROJ_GRID_AVAILABILITY_DISCARD_OPERATION_IF_MISSING_GRID);
  proj_operation_factory_context_set_spatial_criterion(t.ctx, factory,
                                                       PROJ_SPATIAL_CRITERION_PARTIAL_INTERSECTION);
  PJ_OBJ_LIST* ops = proj_create_operations(t.ctx, src.get(), dst.get(), factory);
  proj_operation_factory_context_destroy(factory);
  if (ops == nullptr) throw CrsError("PROJ: " + t.take_error(proj_context_errno(t.ctx)));
  const int count = proj_list_get_count(ops);
  bool ballpark = false;
  for (int i = 0; i < count && !ballpark; ++i) {
    const PjPtr op(proj_list_get(t.ctx, ops, i));
    ballpark = op && proj_coordoperation_has_ballpark_transformation(t.ctx, op.get()) != 0;
  }
  proj_list_destroy(ops);
  return ballpark;
}

std::atomic<std::uint64_t> g_next_transformer_id{1};

}  // namespace

// A transformer keeps only the CRS definitions; each thread that uses it builds its own PJ in its
// own context on first use (PROJ objects must not cross threads), so one Transformer can be shared.
struct Transformer::Impl {
  std::uint64_t id = 0;
  std::string from;
  std::string to;
  bool ballpark = false;

  [[nodiscard]] PJ* pj() const {
    ProjThread& t = proj_thread();
    auto& cache = t.cache;
    for (std::size_t i = 0; i < cache.size(); ++i) {
      if (cache[i].transformer_id != id) continue;
      if (i != 0) std::swap(cache[i], cache[0]);
      return cache[0].pj;
    }
    PjPtr created = create_transformation(t, from, to);
    if (cache.size() == kPerThreadCache) {
      proj_destroy(cache.back().pj);
      cache.pop_back();
    }
    cache.insert(cache.begin(), {id, created.release()});
    return cache[0].pj;
  }

  [[nodiscard]] XY apply(XY p, PJ_DIRECTION direction) const {
    PJ* op = pj();
    proj_errno_reset(op);
    const PJ_COORD out = proj_trans(op, direction, proj_coord(p.x, p.y, 0, HUGE_VAL));
    if (!std::isfinite(out.xy.x) || !std::isfinite(out.xy.y)) {
      ProjThread& t = proj_thread();
      const std::string from_crs = direction == PJ_FWD ? from : to;
      const std::string to_crs = direction == PJ_FWD ? to : from;
      throw CrsError("cannot transform (" + std::to_string(p.x) + ", " + std::to_string(p.y) +
                     ") from " + from_crs + " to " + to_crs + ": " + t.take_error(proj_errno(op)));
    }
    return {out.xy.x, out.xy.y};
  }
};

Transformer::Transformer(std::string_view from, std::string_view to)
    : impl_(std::make_unique<Impl>()) {
  impl_->id = g_next_transformer_id.fetch_add(1);
  impl_->from = std::string(from);
  impl_->to = std::string(to);
  (void)impl_->pj();  // fail here, not on the first point, when a CRS is unknown
  impl_->ballpark = may_be_ballpark(proj_thread(), impl_->from, impl_->to);
}

Transformer::Transformer(Transformer&&) noexcept = default;
Transformer& Transformer::operator=(Transformer&&) noexcept = default;

Transformer::~Transformer() {
  // Free this thread's PJ now; other threads' copies age out of their bounded caches.
  if (!impl_ || t_proj_thread_gone) return;
  auto& cache = proj_thread().cache;
  for (auto it = cache.begin(); it != cache.end(); ++it) {
    if (it->transformer_id == impl_->id) {
      proj_destroy(it->pj);
      cache.erase(it);
      break;
    }
  }
}

XY Transformer::forward(XY p) const {
  if (!impl_) throw CrsError("use of a moved-from Transformer");
  return impl_->apply(p, PJ_FWD);
}

XY Transformer::inverse(XY p) const {
  if (!impl_) throw CrsError("use of a moved-from Transformer");
  return impl_->apply(p, PJ_INV);
}

bool Transformer::is_ballpark() const {
  return impl_ && impl_->ballpark;
}

std::string jgd2011_plane_zone_epsg(int zone) {
  if (zone < 1 || zone > 19) {
    throw InvalidArgument("平面直角座標系 zone " + std::to_string(zone) + " does not exist (1–19)");
  }
  return "EPSG:" + std::to_string(6668 + zone);
}

}  // namespace tsunagi::geo
