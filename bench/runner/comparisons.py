"""The comparisons of bench/run. Each has setup() (data made once, peers started) and
round(ours_first) returning {metric key: (ours, peer)}; bench/run alternates which side goes
first, takes the ratio per round and reports the median and range of the per-round ratios."""
import csv
import json
import math
import os
import random
import re
import sqlite3
import time

from infra import (SYSTEM_PYTHON, BenchError, Server, log, median, run, timed_rss, wrk, wrk_run,
                   wrk_paths_script, synth_scale)
import mvt

# ratio kinds: how a round's (ours, peer) becomes the reported ratio
SPEEDUP = "peer/ours"  # times: how many times faster we are
SHARE = "ours/peer"  # throughput against a ceiling, RSS against the peer's, value against a limit


class Metric:
    def __init__(self, key, label, unit, ratio, goal=None, op=">=", threshold=None,
                 peer_label=None):
        self.key = key
        self.label = label
        self.unit = unit
        self.ratio = ratio
        self.goal = goal  # text; None: report only
        self.op = op
        self.threshold = threshold
        self.peer_label = peer_label

    def ratio_of(self, ours, peer):
        if self.ratio == SPEEDUP:
            return peer / ours if ours > 0 else math.inf
        return ours / peer if peer > 0 else math.inf

    def met(self, r):
        if self.threshold is None:
            return None
        return r >= self.threshold if self.op == ">=" else r <= self.threshold


class Comparison:
    name = ""
    title = ""
    peer = ""
    requirements = ()
    binaries = ()

    def __init__(self, ctx):
        self.ctx = ctx
        self.metrics = []
        self.notes = []

    def setup(self):
        pass

    def round(self, ours_first):
        raise NotImplementedError


def both(ours_first, ours, peer):
    """Runs ours() and peer() in the round's order; returns (ours result, peer result)."""
    if ours_first:
        a = ours()
        return a, peer()
    b = peer()
    return ours(), b


# ---- tiles: sampling, decoding and a PostGIS table with exactly the tile's properties ----

def lonlat_tile(lon, lat, z):
    n = 2 ** z
    lat = max(min(lat, 85.0511), -85.0511)
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi)
            / 2 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def sample_tiles(points, zooms, per_zoom, densest):
    """For each zoom: the `densest` tiles holding the most points (where the worst tile is), then
    distinct tiles under a seeded sample of the points, up to per_zoom + densest in all."""
    rnd = random.Random(7)
    pick = rnd.sample(points, min(len(points), 4000))
    out = []
    for z in zooms:
        counts = {}
        for lon, lat in points:
            t = lonlat_tile(lon, lat, z)
            counts[t] = counts.get(t, 0) + 1
        chosen = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:densest]]
        for lon, lat in pick:
            if len(chosen) >= per_zoom + densest:
                break
            t = lonlat_tile(lon, lat, z)
            if t not in chosen:
                chosen.append(t)
        out += [(z, x, y) for x, y in chosen]
    return out


def write_tiles(path, tiles):
    with open(path, "w") as f:
        for z, x, y in tiles:
            f.write(f"{z} {x} {y}\n")
    return path


def fnv1a_id(s):
    h = 14695981039346656037
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h & ((1 << 53) - 1)


def pg_type(values):
    kinds = {type(v) for v in values}
    if kinds <= {bool}:
        return "boolean"
    if kinds <= {int}:
        return "bigint"
    if kinds <= {int, float}:
        return "double precision"
    return "text"


def copy_text(v):
    if v is None:
        return r"\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, float):
        return repr(v)
    s = str(v)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def decode_layer(server, layer, tiles, query=""):
    """Our tiles as the server sends them: {(z,x,y): [feature, ...]} of the layer."""
    out = {}
    sizes = {}
    for z, x, y in tiles:
        status, body = server.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt{query}",
                                  {"Accept-Encoding": "gzip"})
        sizes[(z, x, y)] = len(body) if status == 200 else 0
        if status == 204 or not body:
            out[(z, x, y)] = []
            continue
        if status != 200:
            raise BenchError(f"/tiles/{layer}/{z}/{x}/{y}.mvt: {status} {body[:200]!r}")
        out[(z, x, y)] = mvt.decode(body).get(layer, [])
    decode_layer.sizes = sizes
    return out


def same_tiles_note(decoded, sizes, ours):
    """Whether tsunagi_tile_timing built the tiles the server sent (and we decoded): features
    and gzip bytes per tile."""
    feats = sum(1 for t in decoded if t in ours and ours[t][0] == len(decoded[t]))
    size = sum(1 for t in decoded if t in ours and ours[t][1] == sizes.get(t))
    return (f"tsunagi_tile_timing's tiles against the server's: same feature count in "
            f"{feats}/{len(decoded)}, same gzip bytes in {size}/{len(decoded)}.")


def count_differences(tiles, decoded, counts):
    differ = [t for t in tiles if counts.get(t) != len(decoded[t])]
    text = f"Same feature count in {len(tiles) - len(differ)}/{len(tiles)} tiles"
    if differ:
        text += " (ours/PostGIS: " + ", ".join(
            f"{'/'.join(map(str, t))}: {len(decoded[t])}/{counts.get(t)}" for t in differ[:5]) + \
            (", …" if len(differ) > 5 else "") + ")"
    return text + "."


def tile_properties(decoded):
    """The property keys the tiles' single features carry (clusters apart), in first-seen order,
    their PostgreSQL types, and each feature's values by its "id" property."""
    keys = []
    values = {}
    by_id = {}
    for feats in decoded.values():
        for f in feats:
            p = f["properties"]
            if p.get("cluster"):
                continue
            for k, v in p.items():
                if k not in values:
                    keys.append(k)
                    values[k] = []
                values[k].append(v)
            if "id" in p:
                by_id[str(p["id"])] = (f["id"], p)
    if "id" not in values:
        raise BenchError("our tiles' features carry no id property: cannot match PostGIS rows")
    return [(k, pg_type(values[k])) for k in keys], by_id


def load_layer_table(pg, table, geomtype, columns, features, by_id):
    """A PostGIS table `table` with fid, the tile's columns, geom (4326) and geom3857 (GIST):
    each feature's values are those our tile carried for it (when a sampled tile held it), else
    the GeoJSON property of the same name, else NULL."""
    cols = ", ".join(f'"{k}" {t}' for k, t in columns)
    pg.sql(f"DROP TABLE IF EXISTS {table}")
    pg.sql(f"CREATE TABLE {table} (fid bigint, {cols}, geom text)")  # GeoJSON, converted below
    lines = []
    for fid_id, props, geometry in features:
        fid, tile_props = by_id.get(fid_id, (None, None))
        if fid is None:
            fid = fnv1a_id(fid_id)
        row = [copy_text(fid)]
        for k, _ in columns:
            if tile_props is not None:
                v = tile_props.get(k)
            else:
                v = props.get(k) if k != "id" else fid_id
                if isinstance(v, (dict, list)):
                    v = None
            row.append(copy_text(v))
        row.append(copy_text(geometry))
        lines.append("\t".join(row))
    pg.sql(f"COPY {table} FROM STDIN", stdin="\n".join(lines) + "\n")
    multi = "ST_Multi(" if geomtype.startswith("Multi") else "("
    pg.script(f"""
ALTER TABLE {table} ALTER COLUMN geom TYPE geometry({geomtype}, 4326)
  USING ST_SetSRID({multi}ST_GeomFromGeoJSON(geom)), 4326);
ALTER TABLE {table} ADD COLUMN geom3857 geometry({geomtype}, 3857);
UPDATE {table} SET geom3857 = ST_Transform(geom, 3857);
CREATE INDEX ON {table} USING gist (geom3857);
VACUUM ANALYZE {table};
""")


def timing_function(pg, layer, table, columns):
    """time_<layer>(): each tile of tile_list three times, the best kept, timed inside the server
    with clock_timestamp() (as bench/tiles_bench.sh); results in tile_times."""
    sel = ", ".join(f'r."{k}"' for k, _ in columns)
    pg.script(f"""
CREATE TABLE IF NOT EXISTS tile_list (z int, x int, y int);
CREATE TABLE IF NOT EXISTS tile_times (z int, x int, y int, bytes int, us double precision);
CREATE OR REPLACE FUNCTION time_{layer}() RETURNS void LANGUAGE plpgsql AS $$
DECLARE t record; t0 timestamptz; best double precision; n int; k int;
BEGIN
  DELETE FROM tile_times;
  FOR t IN SELECT * FROM tile_list LOOP
    best := 1e18;
    FOR k IN 1..3 LOOP
      t0 := clock_timestamp();
      SELECT length(ST_AsMVT(q, '{layer}', 4096, 'geom', 'fid')) INTO n FROM (
        SELECT r.fid, {sel},
               ST_AsMVTGeom(r.geom3857, ST_TileEnvelope(t.z, t.x, t.y), 4096, 64, true) AS geom
        FROM {table} r
        WHERE r.geom3857 && ST_TileEnvelope(t.z, t.x, t.y, margin => 64.0 / 4096)) q;
      best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1e6);
    END LOOP;
    INSERT INTO tile_times VALUES (t.z, t.x, t.y, coalesce(n, 0), best);
  END LOOP;
END $$;
""")


def pg_feature_counts(pg, table, tiles):
    """How many features PostGIS puts in each tile (ST_AsMVTGeom non-null), untimed."""
    set_tile_list(pg, tiles)
    out = pg.sql(f"""SELECT t.z, t.x, t.y, (SELECT count(*) FROM {table} r
        WHERE r.geom3857 && ST_TileEnvelope(t.z, t.x, t.y, margin => 64.0 / 4096)
          AND ST_AsMVTGeom(r.geom3857, ST_TileEnvelope(t.z, t.x, t.y), 4096, 64, true) IS NOT NULL)
        FROM tile_list t""", tuples=True)
    counts = {}
    for line in out.split("\n"):
        if line.strip():
            z, x, y, n = map(int, line.split())
            counts[(z, x, y)] = n
    return counts


def set_tile_list(pg, tiles):
    pg.sql("CREATE TABLE IF NOT EXISTS tile_list (z int, x int, y int)")
    pg.sql("TRUNCATE tile_list")
    pg.sql("COPY tile_list FROM STDIN", stdin="".join(f"{z}\t{x}\t{y}\n" for z, x, y in tiles))


def ours_tile_times(ctx, db, layer, tiles_file, extra=()):
    """{(z,x,y): (features, gzip bytes, µs raw MVT, µs as served)} from tsunagi_tile_timing (best
    of 3, core 0). Raw: the MVT bytes alone, what ST_AsMVT returns (PostGIS does not compress);
    as served: with the gzip and entity tag the server adds on a cache miss."""
    with open(tiles_file) as f:
        out = run(["taskset", "-c", "0", ctx.bin("tile_timing"), "--db", db, "--layer", layer,
                   "--repeat", "3", *extra], stdin=f).stdout
    res = {}
    for line in out.split("\n"):
        p = line.split()
        if len(p) >= 7:
            res[(int(p[0]), int(p[1]), int(p[2]))] = (int(p[3]), int(p[4]), float(p[6]),
                                                      float(p[5]))
    if not res:
        raise BenchError(f"tsunagi_tile_timing printed nothing:\n{out[:2000]}")
    return res


def pg_tile_times(pg, layer):
    pg.sql(f"SELECT time_{layer}()")
    out = pg.sql("SELECT z, x, y, bytes, us FROM tile_times", tuples=True)
    res = {}
    for line in out.split("\n"):
        p = line.split()
        if len(p) == 5:
            res[(int(p[0]), int(p[1]), int(p[2]))] = (int(p[3]), float(p[4]))
    return res


def public_features(server):
    """Every public resource (the audience of the public tiles): (id, properties, geometry)."""
    out = []
    for page in server.pages("/api/resources?limit=1000"):
        for f in page["features"]:
            fid = f.get("id", f.get("properties", {}).get("id"))
            if f.get("geometry"):
                out.append((str(fid), f.get("properties", {}), json.dumps(f["geometry"])))
    if not out:
        raise BenchError("/api/resources returned no features")
    return out


class ResourceTiles(Comparison):
    name = "tiles-resources"
    title = "resource tiles, cold"
    peer = "PostGIS ST_AsMVT"
    requirements = ("postgis", "runuser", "taskset", "numpy")
    binaries = ("tsunagi", "tile_timing")

    def setup(self):
        ctx = self.ctx
        self.db = ctx.store(ctx.scale)
        server = Server(ctx, self.db, "tiles-resources")
        features = public_features(server)
        points = [tuple(json.loads(g)["coordinates"][:2]) for _, _, g in features]
        zooms = list(range(12, 17)) if ctx.quick else list(range(5, 17))
        per_zoom, densest = (5, 2) if ctx.quick else (20, 5)
        self.tiles = sample_tiles(points, zooms, per_zoom, densest)
        self.tiles_file = write_tiles(ctx.path("tiles", "resources.txt"), self.tiles)
        log(f"{self.name}: {len(features)} public resources, {len(self.tiles)} tiles; decoding ours")
        decoded = decode_layer(server, "resources", self.tiles)
        server.stop()
        # Deep tiles where we cluster (over the per-tile budget) hold different features: apart.
        self.clustered = {t for t, feats in decoded.items()
                          if any(f["properties"].get("cluster") for f in feats)}
        columns, by_id = tile_properties({t: f for t, f in decoded.items() if t[0] >= 12})
        self.columns = columns
        pg = self.pg = ctx.postgis()
        load_layer_table(pg, "resources", "Point", columns, features, by_id)
        timing_function(pg, "resources", "resources", columns)
        same = [t for t in self.tiles if t[0] >= 12 and t not in self.clustered]
        counts = pg_feature_counts(pg, "resources", same)
        self.notes.append(
            f"PostGIS gets the {len(columns)} properties our tiles carry "
            f"({', '.join(k for k, _ in columns)}), with the values our tiles carry. At z12–16: "
            + count_differences(same, decoded, counts))
        self.decoded, self.sizes = decoded, decode_layer.sizes
        deep_clustered = [t for t in self.clustered if t[0] >= 12]
        if deep_clustered:
            self.notes.append(
                f"{len(deep_clustered)} sampled tiles at z ≥ 12 are "
                "clustered by tsunagi (over its per-tile budget): left out of the z12–16 ratios, "
                "kept in the worst tile.")
        set_tile_list(pg, self.tiles)
        self.same = same
        for z in sorted({t[0] for t in same}):
            self.metrics.append(Metric(f"z{z}", f"z{z} median per tile", "µs", SPEEDUP, "≥ 3×",
                                       ">=", 3.0))
        self.metrics.append(Metric("z12-16", "z12–16 median per tile (same features)", "µs",
                                   SPEEDUP, "≥ 3×", ">=", 3.0))
        self.metrics.append(Metric("z12-16-served", "z12–16, ours with its gzip (as served on a "
                                   "miss) against PostGIS's raw MVT", "µs", SPEEDUP))
        self.notes.append("Tile times are the raw MVT on both sides (ST_AsMVT does not compress); "
                          "the row 'with its gzip' adds tsunagi's libdeflate level 1 and entity tag "
                          "to its side only, and the worst tile is timed as served.")
        if not ctx.quick:
            self.metrics.append(Metric("z5-11", "z5–11 median (ours clusters: different features)",
                                       "µs", SPEEDUP))
        goal = "≤ 10 ms" + ("" if ctx.scale == "japan" else " (goal at japan scale)")
        self.metrics.append(Metric("worst", f"worst tile, any sampled zoom ({ctx.scale})", "ms",
                                   SHARE, goal, "<=", 1.0, peer_label="limit 10 ms"))

    def round(self, ours_first):
        ours, pg = both(ours_first,
                        lambda: ours_tile_times(self.ctx, self.db, "resources", self.tiles_file),
                        lambda: pg_tile_times(self.pg, "resources"))
        if not any(b for b, _ in pg.values()):
            raise BenchError("PostGIS produced only empty tiles")
        if self.decoded is not None:
            self.notes.append(same_tiles_note(self.decoded, self.sizes, ours))
            self.decoded = None
        out = {}
        for z in sorted({t[0] for t in self.same}):
            ts = [t for t in self.same if t[0] == z]
            out[f"z{z}"] = (median(ours[t][2] for t in ts), median(pg[t][1] for t in ts))
        out["z12-16"] = (median(ours[t][2] for t in self.same), median(pg[t][1] for t in self.same))
        low = [t for t in self.tiles if t[0] < 12]
        if low and not self.ctx.quick:
            out["z5-11"] = (median(ours[t][2] for t in low), median(pg[t][1] for t in low))
        out["z12-16-served"] = (median(ours[t][3] for t in self.same),
                                median(pg[t][1] for t in self.same))
        out["worst"] = (max(v[3] for v in ours.values()) / 1000, 10.0)
        return out


class AreaTiles(Comparison):
    name = "tiles-areas"
    title = "area tiles with every figure (fields=all; demo town's areas)"
    peer = "PostGIS ST_AsMVT"
    requirements = ("postgis", "runuser", "taskset")
    binaries = ("tsunagi", "tile_timing")
    # The figures the tiles carry (the tile URL's fields=): every one, as an export or a style
    # that colours by any figure asks.
    fields_param = "all"

    def setup(self):
        ctx = self.ctx
        self.db = ctx.store("demo")
        server = Server(ctx, self.db, "tiles-areas")
        areas = []
        for page in server.pages("/ogc/collections/areas/items?limit=1000"):
            for f in page["features"]:
                if f.get("geometry"):
                    fid = f.get("id", f.get("properties", {}).get("id"))
                    areas.append((str(fid), f.get("properties", {}), json.dumps(f["geometry"])))
        if not areas:
            raise BenchError("the demo store's /ogc/collections/areas/items returned no areas")
        # Tiles over the town: the sampled points are the resources and the areas' vertices.
        points = [tuple(json.loads(g)["coordinates"][:2]) for _, _, g in public_features(server)]
        for _, _, g in areas:
            geom = json.loads(g)
            rings = geom["coordinates"] if geom["type"] == "Polygon" else [
                r for poly in geom["coordinates"] for r in poly]
            points += [tuple(p[:2]) for r in rings for p in r[::25]]
        per_zoom = 4 if ctx.quick else 20
        self.tiles = sample_tiles(points, range(8, 17), per_zoom, 1)
        self.tiles_file = write_tiles(ctx.path("tiles", "areas.txt"), self.tiles)
        log(f"{self.name}: {len(areas)} areas, {len(self.tiles)} tiles; decoding ours")
        # The same figures on both sides (fields= on the tile URL, tsunagi_tile_timing --fields).
        # A server that does not know fields= answers 400: plain tiles.
        query = f"?fields={self.fields_param}"
        status, _ = server.get(f"/tiles/areas/0/0/0.mvt{query}")
        self.fields = status in (200, 204)
        decoded = decode_layer(server, "areas", self.tiles, query if self.fields else "")
        try:
            server_fields = list(server.get_json("/tiles/areas.json")["vector_layers"][0]["fields"])
        except (BenchError, KeyError, IndexError):
            server_fields = None
        server.stop()
        columns, by_id = tile_properties(decoded)
        self.columns = columns
        pg = self.pg = ctx.postgis()
        load_layer_table(pg, "areas", "MultiPolygon", columns, areas, by_id)
        timing_function(pg, "areas", "areas", columns)
        counts = pg_feature_counts(pg, "areas", self.tiles)
        self.notes.append(
            f"{len(areas)} areas; PostGIS gets the {len(columns)} properties our area tiles carry "
            f"({', '.join(k for k, _ in columns)}), with our tiles' values. "
            + count_differences(self.tiles, decoded, counts))
        advertised = server_fields
        if advertised and set(advertised) != {k for k, _ in columns}:
            self.notes.append(
                f"/tiles/areas.json advertises {len(advertised)} fields, the area tiles "
                f"{'with ' + query[1:] + ' ' if self.fields else ''}carry {len(columns)}: "
                "PostGIS gets what the tiles carry.")
        self.decoded, self.sizes = decoded, decode_layer.sizes
        self.notes.append("Tile times are the raw MVT on both sides (ST_AsMVT does not compress; "
                          "the server gzips a tile once, when it caches it).")
        set_tile_list(pg, self.tiles)
        for z in range(8, 17):
            self.metrics.append(Metric(f"z{z}", f"z{z} median per tile", "µs", SPEEDUP, "≥ 2×",
                                       ">=", 2.0))
        self.metrics.append(Metric("min", "every zoom z8–16: the worst zoom (lowest ratio)", "µs",
                                   SPEEDUP, "≥ 2×", ">=", 2.0))

    def round(self, ours_first):
        ours, pg = both(ours_first,
                        lambda: ours_tile_times(self.ctx, self.db, "areas", self.tiles_file,
                                                ("--fields", self.fields_param)
                                                if self.fields else ()),
                        lambda: pg_tile_times(self.pg, "areas"))
        if self.decoded is not None:
            self.notes.append(same_tiles_note(self.decoded, self.sizes, ours))
            self.decoded = None
        out = {}
        worst = None
        for z in range(8, 17):
            ts = [t for t in self.tiles if t[0] == z]
            o, p = median(ours[t][2] for t in ts), median(pg[t][1] for t in ts)
            out[f"z{z}"] = (o, p)
            if worst is None or p / o < worst[1] / worst[0]:
                worst = (o, p)
        out["min"] = worst
        return out


class AreaTilesChoropleth(AreaTiles):
    """The area tiles the planner's map asks for: one figure (its choropleth's)."""
    name = "tiles-areas-choropleth"
    title = "area tiles as the planner's map asks (fields=aging_rate; demo town's areas)"
    fields_param = "aging_rate"


class WarmTiles(Comparison):
    name = "warm-tiles"
    title = "warm tiles vs /health (wrk -c64, keep-alive)"
    peer = "/health"
    requirements = ("wrk", "taskset")
    binaries = ("tsunagi",)

    def setup(self):
        ctx = self.ctx
        self.seconds = 3 if ctx.quick else 10
        self.server = Server(ctx, ctx.store(ctx.scale), "warm")
        points = [tuple(json.loads(g)["coordinates"][:2]) for _, _, g in public_features(self.server)]
        tiles = sample_tiles(points, range(5, 17), 5 if ctx.quick else 20, 1)
        full = [f"/tiles/resources/{z}/{x}/{y}.mvt" for z, x, y in tiles]
        # The map's tiles: it asks for points with their id and kind alone (frontend mapview's
        # resourcesUrl); a GIS without fields= gets every property.
        lean = [p + "?fields=" for p in full]
        sizes = {}
        self.scripts = {}
        for name, paths in (("map", lean), ("full", full)):
            sizes[name] = []
            for p in paths:  # fill the cache
                status, body = self.server.get(p, {"Accept-Encoding": "gzip"})
                if status not in (200, 204):
                    raise BenchError(f"{p}: {status}")
                sizes[name].append(len(body))
            paths_file = ctx.path("tiles", f"warm-{name}-paths.txt")
            with open(paths_file, "w") as f:
                f.write("\n".join(paths) + "\n")
            self.scripts[name] = wrk_paths_script(paths_file, ctx.path("tiles", f"warm-{name}.lua"))
        # /health through the same script and headers: wrk's Lua request() costs the client
        # (one core) time that its fixed request does not, and that must not count against tiles.
        health_file = ctx.path("tiles", "health-paths.txt")
        with open(health_file, "w") as f:
            f.write("/health\n")
        self.health_lua = wrk_paths_script(health_file, ctx.path("tiles", "health.lua"))
        wrk(self.server.url + "/health", 2)  # warm-up
        _, health_body = self.server.get("/health", {"Accept-Encoding": "gzip"})

        def size(name):
            s = sizes[name]
            return f"{sum(s) / len(s) / 1024:,.1f} KiB a tile on average, up to {max(s) / 1024:,.0f} KiB"

        self.notes.append(f"{len(full)} tiles (z5–16, {ctx.scale} scale) cycled, gzip accepted: the "
                          f"map's (fields=: id and kind) {size('map')}; with every property (no "
                          f"fields=, as a GIS asks) {size('full')}; /health {len(health_body)} "
                          f"bytes. Server on core 0 (1 reactor thread), wrk on core 1 with the same "
                          f"Lua request script for all, {self.seconds} s per run. Server CPU per "
                          "request from /proc: what the server spends, whichever side (server or "
                          "wrk) limits the rate.")
        self.metrics.append(Metric("rps", "req/s, the map's tiles ÷ /health", "req/s", SHARE,
                                   "≥ 1.0", ">=", 1.0))
        self.metrics.append(Metric("cpu", "requests per server CPU-second, the map's tiles ÷ "
                                   "/health", "req/CPU-s", SHARE, "≥ 1.0", ">=", 1.0))
        self.metrics.append(Metric("rps-full", "req/s, tiles with every property ÷ /health",
                                   "req/s", SHARE))
        self.metrics.append(Metric("cpu-full", "requests per server CPU-second, tiles with every "
                                   "property ÷ /health", "req/CPU-s", SHARE))

    def _run(self, script):
        cpu0 = self.server.cpu_seconds()
        rps, n = wrk_run(self.server.url, self.seconds, script=script)
        return rps, n / max(self.server.cpu_seconds() - cpu0, 1e-3)

    def round(self, ours_first):
        def tiles():
            return self._run(self.scripts["map"]), self._run(self.scripts["full"])

        (lean, full), health = both(ours_first, tiles, lambda: self._run(self.health_lua))
        return {"rps": (lean[0], health[0]), "cpu": (lean[1], health[1]),
                "rps-full": (full[0], health[0]), "cpu-full": (full[1], health[1])}


class Import(Comparison):
    name = "import"
    title = "import vs ogr2ogr → SpatiaLite"
    peer = "ogr2ogr"
    requirements = ("ogr2ogr", "numpy", "time")
    binaries = ("tsunagi",)

    def setup(self):
        ctx = self.ctx
        scale = synth_scale(ctx.scale)
        self.csv = os.path.join(ctx.synth(scale), "resources.csv")
        with open(self.csv) as f:
            self.rows = sum(1 for _ in f) - 1
        self.dir = ctx.path("import", "x")[:-2]
        self.metrics = [
            Metric("time", f"{self.rows:,} rows ({scale}), wall time", "s", SPEEDUP, "≥ 1.5×",
                   ">=", 1.5),
            Metric("rss", "peak RSS, ours ÷ ogr2ogr", "MiB", SHARE, "≤ 1.5×", "<=", 1.5),
        ]
        self.checked = False

    def _clean(self):
        for name in os.listdir(self.dir):
            os.remove(os.path.join(self.dir, name))

    def _ours(self):
        self._clean()
        db = os.path.join(self.dir, "out.tsunagi")
        t, kib = timed_rss([self.ctx.bin("tsunagi"), "import", "--db", db, "--layout", "generic",
                            "--kind", "public_facility", "--quiet", self.csv])
        if not self.checked:
            try:
                n = sqlite3.connect(db).execute("SELECT count(*) FROM resource").fetchone()[0]
                self.notes.append(f"resources in our store after the import: {n:,} of "
                                  f"{self.rows:,} rows.")
            except sqlite3.Error as e:
                self.notes.append(f"could not count the imported resources ({e}).")
            self.checked = True
        return t, kib / 1024

    def _peer(self):
        self._clean()
        return timed_rss(["ogr2ogr", "-f", "SQLite", "-dsco", "SPATIALITE=YES",
                          os.path.join(self.dir, "out.sqlite"), self.csv,
                          "-oo", "GEOM_POSSIBLE_NAMES=wkt", "-gt", "65536"])

    def round(self, ours_first):
        (t, rss), (pt, pkib) = both(ours_first, self._ours, self._peer)
        return {"time": (t, pt), "rss": (rss, pkib / 1024)}


class ServerRSS(Comparison):
    name = "server-rss"
    title = "server RSS"
    peer = "limit"
    requirements = ()
    binaries = ("tsunagi",)

    def setup(self):
        ctx = self.ctx
        self.db = ctx.store(ctx.scale)
        server = Server(ctx, self.db, "rss-setup")
        points = [tuple(json.loads(g)["coordinates"][:2]) for _, _, g in public_features(server)]
        self.collections = [c["id"] for c in server.get_json("/ogc/collections")["collections"]]
        server.stop()
        self.count = len(points)
        # Every tile holding a resource from z0 to z12 (from z12 each point is drawn on its own):
        # every feature is served in a tile, in both layers.
        self.tiles = sorted({(z, *lonlat_tile(lon, lat, z)) for z in range(0, 13)
                             for lon, lat in points})
        self.notes.append(f"{ctx.scale} store, {self.count:,} public resources. Serving: every "
                          f"page of /api/resources and of the OGC items of "
                          f"{', '.join(self.collections)} (limit 1000), and the {len(self.tiles):,} "
                          "tiles z0–12 holding a resource in the resources and areas layers; "
                          "serving RSS is the peak (VmHWM). A fresh server each round.")
        self.metrics = [
            Metric("idle", "idle (after start and /health)", "MiB", SHARE, "≤ 500 MiB", "<=", 1.0,
                   peer_label="limit 500 MiB"),
            Metric("serving", "peak after serving every feature", "MiB", SHARE, "≤ 700 MiB", "<=",
                   1.0, peer_label="limit 700 MiB"),
        ]

    def round(self, ours_first):
        server = Server(self.ctx, self.db, "rss")
        time.sleep(1)
        idle = server.status_kib("VmRSS") / 1024
        n = 0
        for page in server.pages("/api/resources?limit=1000"):
            n += len(page["features"])
        if n != self.count:
            raise BenchError(f"/api/resources listed {n} features, expected {self.count}")
        for c in self.collections:
            for _ in server.pages(f"/ogc/collections/{c}/items?limit=1000"):
                pass
        for layer in ("resources", "areas"):
            for z, x, y in self.tiles:
                status, _ = server.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt",
                                       {"Accept-Encoding": "gzip"})
                if status not in (200, 204):
                    raise BenchError(f"/tiles/{layer}/{z}/{x}/{y}.mvt: {status}")
        serving = server.status_kib("VmHWM") / 1024
        server.stop()
        return {"idle": (idle, 500.0), "serving": (serving, 700.0)}


class Gap(Comparison):
    name = "gap"
    title = "gap, straight line (coverage: nearest within 1 km)"
    peer = "scipy cKDTree"
    requirements = ("scipy", "numpy")
    binaries = ("gap_timing",)

    def setup(self):
        ctx = self.ctx
        scale = "city" if ctx.quick else synth_scale(ctx.scale)
        self.data = ctx.synth(scale)
        self.points = ctx.path("gap", "points", "x")[:-2]
        self.out_ours = ctx.path("gap", "ours", "x")[:-2]
        self.out_scipy = ctx.path("gap", "scipy", "x")[:-2]
        self._ours(self.points)  # the points every side reads
        self.metrics = [
            Metric("coverage", f"coverage ({scale} scale), analysis time", "s", SPEEDUP,
                   "≥ 5×" + ("" if scale == "japan" else " (goal at japan scale)"), ">=", 5.0),
            Metric("access", f"2SFCA within 1 km ({scale} scale), analysis time", "s", SPEEDUP,
                   "≥ 5×" + ("" if scale == "japan" else " (goal at japan scale)"), ">=", 5.0),
        ]
        self.checked = False

    def _ours(self, out):
        text = run([self.ctx.bin("gap_timing"), "--data", self.data, "--out", out, "--max-m",
                    "1000", "--threads", "2"]).stdout
        m = re.search(r"coverage_s ([0-9.]+) access_s ([0-9.]+)", text)
        d = re.search(r"demand (\d+) supply (\d+)", text)
        if not m:
            raise BenchError(f"tsunagi_gap_scale_timing printed no times:\n{text}")
        if d and not getattr(self, "sizes", None):
            self.sizes = (int(d.group(1)), int(d.group(2)))
        return float(m.group(1)), float(m.group(2))

    def _scipy(self):
        text = run([SYSTEM_PYTHON, os.path.join(self.ctx.root, "bench", "gap_scale_scipy.py"),
                    self.points, "1000", self.out_scipy]).stdout
        m = re.search(r"coverage_s ([0-9.]+) access_s ([0-9.]+)", text)
        if not m:
            raise BenchError(f"gap_scale_scipy.py printed no times:\n{text}")
        return float(m.group(1)), float(m.group(2))

    def round(self, ours_first):
        ours, peer = both(ours_first, lambda: self._ours(self.out_ours), self._scipy)
        if not self.checked:
            a = open(os.path.join(self.out_ours, "coverage.csv")).read().split()
            b = open(os.path.join(self.out_scipy, "coverage.csv")).read().split()
            differ = sum(x != y for x, y in zip(a[1:], b[1:])) + abs(len(a) - len(b))
            if differ:
                raise BenchError(f"coverage differs from scipy's in {differ} points")
            dn, sn = getattr(self, "sizes", (len(a) - 1, 0))
            self.notes.append(f"{dn:,} demand cells, {sn:,} places; coverage flags identical to "
                              "scipy's; both sides 2 threads.")
            self.checked = True
        return {"coverage": (ours[0], peer[0]), "access": (ours[1], peer[1])}


SPATIALITE_PEER = r"""
import sqlite3, sys, time
db_path, origins_path, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
db = sqlite3.connect(db_path)
db.enable_load_extension(True)
db.load_extension("mod_spatialite")
for line in open(origins_path):
    o = int(line)
    best = 1e18
    for _ in range(3):
        t = time.perf_counter()
        n = db.execute("SELECT count(*) FROM net WHERE NodeFrom = ? AND Cost <= ?", (o, limit)).fetchone()[0]
        best = min(best, (time.perf_counter() - t) * 1e6)
    print(o, n + 1, f"{best:.1f}")
"""

SPATIALITE_BUILD = r"""
import csv, sqlite3, sys
d, db_path = sys.argv[1], sys.argv[2]
db = sqlite3.connect(db_path)
db.enable_load_extension(True)
db.load_extension("mod_spatialite")
db.execute("SELECT InitSpatialMetadata(1)")
db.execute("CREATE TABLE edges (id INTEGER PRIMARY KEY, node_from INTEGER, node_to INTEGER, cost DOUBLE)")
with open(f"{d}/edges.csv") as f:
    r = csv.reader(f); next(r)
    db.executemany("INSERT INTO edges VALUES (?, ?, ?, ?)", ((int(a), int(b), int(c), float(l)) for a, b, c, l, *_ in r))
db.execute("SELECT CreateRouting('net_data', 'net', 'edges', 'node_from', 'node_to', NULL, 'cost', NULL, 0, 1)")
db.commit()
"""


class Catchment(Comparison):
    name = "catchment"
    title = "walking catchment 1.2 km"
    peer = "SpatiaLite / pgRouting"
    requirements = ("spatialite", "pgrouting", "postgis", "runuser", "taskset", "numpy")
    binaries = ("tsunagi", "network_timing")
    LIMIT = 1200

    def setup(self):
        ctx = self.ctx
        self.networks = []
        demo = ctx.path("network", "demo", "x")[:-2]
        run([ctx.bin("network_timing"), "--db", ctx.store("demo"), "--limit", "1", "--origins",
             "0", "--dump", demo])
        self.networks.append(("demo", demo, 50 if ctx.quick else 200, 50 if ctx.quick else 200, 3))
        if not ctx.quick and ctx.scale in ("city", "japan"):
            city = ctx.synth("city")
            if not os.path.exists(os.path.join(city, "edges.csv")):
                log("generating the city walking network (gen_network.py) …")
                run([SYSTEM_PYTHON, os.path.join(ctx.root, "..", "shared", "tools",
                                                 "gen_network.py"), city])
            self.networks.append(("city", city, 200, 20, 1))
        pg = self.pg = ctx.postgis()
        pg.sql("CREATE EXTENSION IF NOT EXISTS pgrouting")
        self.state = {}
        for name, d, n_origins, pg_origins, pg_repeat in self.networks:
            ours = self._ours(d, n_origins)
            origins = [o for o in ours]
            opath = ctx.path("network", f"{name}-origins.txt")
            with open(opath, "w") as f:
                f.write("\n".join(map(str, origins)) + "\n")
            sl = ctx.path("network", f"{name}.sqlite")
            if os.path.exists(sl):
                os.remove(sl)
            run([SYSTEM_PYTHON, "-c", SPATIALITE_BUILD, d, sl])
            table = f"edges_{name}"
            pg.sql(f"DROP TABLE IF EXISTS {table}")
            pg.sql(f"CREATE TABLE {table} (id bigint, source bigint, target bigint, "
                   "cost double precision)")
            with open(os.path.join(d, "edges.csv")) as f:
                r = csv.reader(f)
                next(r)
                pg.sql(f"COPY {table} FROM STDIN",
                       stdin="".join(f"{a}\t{b}\t{c}\t{l}\n" for a, b, c, l, *_ in r))
            pg.sql(f"DROP TABLE IF EXISTS origins_{name}")
            pg.sql(f"CREATE TABLE origins_{name} (node bigint)")
            pg.sql(f"COPY origins_{name} FROM STDIN",
                   stdin="".join(f"{o}\n" for o in origins[:pg_origins]))
            self.state[name] = (d, n_origins, opath, sl, table, pg_repeat)
            with open(os.path.join(d, "nodes.csv")) as f:
                nodes = sum(1 for _ in f) - 1
            with open(os.path.join(d, "edges.csv")) as f:
                edges = sum(1 for _ in f) - 1
            self.notes.append(f"{name} network: {nodes:,} nodes, {edges:,} edges; {n_origins} "
                              f"origins (pgRouting: the first {pg_origins}, best of {pg_repeat}; "
                              "it reads the whole edge table per call); best of 3 per origin "
                              "elsewhere; each engine timed inside itself.")
            for key, label in (("spatialite", "vs SpatiaLite VirtualRouting"),
                               ("pgrouting", "vs pgRouting pgr_drivingDistance"),
                               ("boost", "vs Boost.Graph dijkstra (early stop)")):
                self.metrics.append(Metric(f"{name}-{key}", f"{name}: {label}, median per "
                                           "origin", "µs", SPEEDUP, peer_label=None))
        self.checked = set()

    def _ours(self, d, n):
        out = run(["taskset", "-c", "0", self.ctx.bin("network_timing"), "--nodes",
                   os.path.join(d, "nodes.csv"), "--edges", os.path.join(d, "edges.csv"),
                   "--limit", str(self.LIMIT), "--origins", str(n)]).stdout
        res = {}
        for line in out.split("\n"):
            p = line.split()
            if len(p) >= 5:
                res[int(p[0])] = (int(p[1]), int(p[2]), float(p[3]), float(p[4]))
        if not res:
            raise BenchError(f"tsunagi_network_timing printed nothing:\n{out[:2000]}")
        return res

    def _spatialite(self, opath, sl):
        out = run(["taskset", "-c", "0", SYSTEM_PYTHON, "-c", SPATIALITE_PEER, sl, opath,
                   str(self.LIMIT)]).stdout
        return {int(p[0]): (int(p[1]), float(p[2])) for p in map(str.split, out.split("\n"))
                if len(p) == 3}

    def _pgrouting(self, name, table, repeat):
        self.pg.script(f"""
CREATE TABLE IF NOT EXISTS times (node bigint, reached int, us double precision);
TRUNCATE times;
DO $$
DECLARE o record; t0 timestamptz; best double precision; n int;
BEGIN
  FOR o IN SELECT node FROM origins_{name} LOOP
    best := 1e18;
    FOR k IN 1..{repeat} LOOP
      t0 := clock_timestamp();
      SELECT count(*) INTO n FROM pgr_drivingDistance(
        'SELECT id, source, target, cost, cost AS reverse_cost FROM {table}', o.node, {self.LIMIT});
      best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1e6);
    END LOOP;
    INSERT INTO times VALUES (o.node, n, best);
  END LOOP;
END $$;
""")
        out = self.pg.sql("SELECT node, reached, us FROM times", tuples=True)
        return {int(p[0]): (int(p[1]), float(p[2])) for p in map(str.split, out.split("\n"))
                if len(p) == 3}

    def round(self, ours_first):
        out = {}
        for name, (d, n, opath, sl, table, repeat) in self.state.items():
            def peers():
                return self._spatialite(opath, sl), self._pgrouting(name, table, repeat)
            ours, (sl_res, pg_res) = both(ours_first, lambda: self._ours(d, n), peers)
            if name not in self.checked:
                same_b = sum(v[0] == v[1] for v in ours.values())
                same_s = sum(ours[k][0] == sl_res[k][0] for k in ours if k in sl_res)
                same_p = sum(ours[k][0] == pg_res[k][0] for k in ours if k in pg_res)
                self.notes.append(f"{name}: same reached nodes as Boost {same_b}/{len(ours)}, "
                                  f"SpatiaLite {same_s}/{len(sl_res)}, pgRouting "
                                  f"{same_p}/{len(pg_res)} origins.")
                self.checked.add(name)
            o = median(v[2] for v in ours.values())
            o_pg = median(ours[k][2] for k in pg_res if k in ours)
            out[f"{name}-spatialite"] = (o, median(v[1] for v in sl_res.values()))
            out[f"{name}-pgrouting"] = (o_pg, median(v[1] for v in pg_res.values()))
            out[f"{name}-boost"] = (o, median(v[3] for v in ours.values()))
        return out


ALL = [ResourceTiles, AreaTiles, AreaTilesChoropleth, WarmTiles, Import, ServerRSS, Gap, Catchment]
