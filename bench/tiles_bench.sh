#!/usr/bin/env bash
# Vector tile benchmark (see bench/TILES.md for how to read it).
#
#   bench/tiles_bench.sh [WORK_DIR]
#
# 1. Cold tiles (cache off): server time per tile, per zoom, on the demo town and on the `city`
#    and `japan` scales of ../shared/tools/gen_synth.py (build/release/bench/tsunagi_tile_timing:
#    TileService::build, as on a cache miss). Beside it, in the same run, a throwaway PostGIS
#    computes the same tiles with ST_AsMVT(ST_AsMVTGeom(...)) — the query Martin and pg_tileserv
#    wait on — over the same public resources (GIST index on a 3857 column; best of 3 per tile,
#    timed inside the server with clock_timestamp()), and the demo town's area polygons.
# 2. Warm tiles: `tsunagi serve` (cache on) under wrk -c64 with keep-alive cycling over the tile
#    list, against the same server's /health; p50/p99 and peak RSS with the cache full.
# Needs: the release build (tsunagi, tsunagi_tile_timing), wrk, postgresql-15-postgis-3,
# gdal-bin, python3-numpy. Environment: SHORT (wrk seconds, default 10), SCALES (default
# "demo city japan").
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
BIN=${TSUNAGI_BINARY:-$here/build/release/cli/tsunagi}
TIMING=${TSUNAGI_TILE_TIMING:-$here/build/release/bench/tsunagi_tile_timing}
SHORT=${SHORT:-10}
SCALES=${SCALES:-demo city japan}
THREADS=${THREADS:-1}
PGBIN=/usr/lib/postgresql/15/bin
[ -x "$TIMING" ] || { echo "no $TIMING: build the release preset (target tsunagi_tile_timing)" >&2; exit 2; }
[ -x "$PGBIN/initdb" ] || { echo "PostGIS missing: apt-get install --no-install-recommends postgresql-15-postgis-3" >&2; exit 2; }
command -v ogr2ogr >/dev/null || { echo "ogr2ogr missing (gdal-bin)" >&2; exit 2; }
/usr/bin/python3 -c 'import numpy' 2>/dev/null || { echo "gen_synth.py needs python3-numpy" >&2; exit 2; }
# shellcheck source=bench/lib.sh
source "$here/bench/lib.sh"
bench_setup "$BIN"
KEEP=""
if [ -n "${1:-}" ]; then  # a work folder of the caller's: kept (stores are reused next time)
  rm -rf "$WORK"
  mkdir -p "$1"
  WORK=$(cd "$1" && pwd)
  KEEP=1
fi

# ---- a throwaway PostGIS (postgres user), reached only by a Unix socket in its own folder: no
# TCP port, so it never collides with another cluster ----
PGDATA=$(mktemp -d)
chown postgres "$PGDATA"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/log" \
  -o "-c listen_addresses='' -k $PGDATA -c shared_buffers=256MB -c jit=off" start >/dev/null
cleanup() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PGDATA"
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  [ -z "$KEEP" ] && rm -rf "$WORK"
  return 0
}
trap cleanup EXIT
PG="host=$PGDATA user=postgres dbname=postgres"
psql -q "$PG" -c "CREATE EXTENSION postgis" >/dev/null
psql -q "$PG" >/dev/null <<'SQL'
CREATE TABLE tile_list (z int, x int, y int);
CREATE TABLE tile_times (z int, x int, y int, bytes int, us double precision);
-- Each tile three times, the best kept, timed inside the server.
CREATE FUNCTION time_tiles(layer text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t record; t0 timestamptz; best double precision; n int; k int;
BEGIN
  DELETE FROM tile_times;
  FOR t IN SELECT * FROM tile_list LOOP
    best := 1e18;
    FOR k IN 1..3 LOOP
      t0 := clock_timestamp();
      IF layer = 'resources' THEN
        SELECT length(ST_AsMVT(q, 'resources', 4096, 'geom', 'fid')) INTO n FROM (
          SELECT r.fid, r.id, r.kind, r.name,
                 ST_AsMVTGeom(r.geom3857, ST_TileEnvelope(t.z, t.x, t.y), 4096, 64, true) AS geom
          FROM resources r
          WHERE r.geom3857 && ST_TileEnvelope(t.z, t.x, t.y, margin => 64.0 / 4096)) q;
      ELSE
        SELECT length(ST_AsMVT(q, 'areas', 4096, 'geom', 'fid')) INTO n FROM (
          SELECT a.fid, a.id, a.kind, a.code, a.name,
                 ST_AsMVTGeom(a.geom3857, ST_TileEnvelope(t.z, t.x, t.y), 4096, 64, true) AS geom
          FROM areas a
          WHERE a.geom3857 && ST_TileEnvelope(t.z, t.x, t.y, margin => 64.0 / 4096)) q;
      END IF;
      best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1e6);
    END LOOP;
    INSERT INTO tile_times VALUES (t.z, t.x, t.y, coalesce(n, 0), best);
  END LOOP;
END $$;
SQL

# tiles.txt: for each zoom 5..16, up to 25 distinct tiles holding resources (seeded sample).
make_tiles() {  # GEOJSON OUT
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, math, random, sys
pts = [f["geometry"]["coordinates"] for f in json.load(open(sys.argv[1]))["features"] if f["geometry"]]
random.seed(7)
out = open(sys.argv[2], "w")
for z in range(5, 17):
    n = 2 ** z
    seen = []
    for lon, lat in random.sample(pts, min(len(pts), 4000)):
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * n)
        if (x, y) not in seen:
            seen.append((x, y))
        if len(seen) == 25:
            break
    for x, y in seen:
        out.write(f"{z} {x} {y}\n")
PY
}

summary() {  # OURS PG LABEL: per zoom medians and the ratio
  /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import statistics, sys
def load(p, us_col):
    d = {}
    for line in open(p):
        f = line.split()
        if len(f) < 4: continue
        d.setdefault(int(f[0]), []).append((float(f[us_col]), f))
    return d
ours = load(sys.argv[1], 5)
pg = load(sys.argv[2], 4) if sys.argv[2] != "-" else {}
print(f"-- {sys.argv[3]}")
print(f"{'z':>3} {'tiles':>5} {'feat.med':>8} {'ours med µs':>11} {'ours max µs':>11} {'PostGIS med µs':>14} {'ratio':>6}")
for z in sorted(ours):
    o = [u for u, _ in ours[z]]
    feats = statistics.median(int(f[3]) for _, f in ours[z])
    line = f"{z:>3} {len(o):>5} {feats:>8.0f} {statistics.median(o):>11.1f} {max(o):>11.1f}"
    if z in pg:
        p = statistics.median(u for u, _ in pg[z])
        line += f" {p:>14.1f} {p / statistics.median(o):>6.1f}"
    print(line)
PY
}

load_resources_pg() {  # GEOJSON
  psql -q "$PG" -c "DROP TABLE IF EXISTS resources" >/dev/null
  ogr2ogr -f PostgreSQL "PG:$PG" "$1" -nln resources -lco GEOMETRY_NAME=geom -lco FID=fid \
    -select id,kind,name -gt 65536
  psql -q "$PG" >/dev/null <<'SQL'
ALTER TABLE resources ADD COLUMN geom3857 geometry(Point, 3857);
UPDATE resources SET geom3857 = ST_Transform(geom, 3857);
CREATE INDEX ON resources USING gist (geom3857);
ANALYZE resources;
SQL
}

for scale in $SCALES; do
  db="$WORK/$scale.db"
  if [ ! -s "$db" ]; then
    if [ "$scale" = demo ]; then
      "$BIN" demo --db "$db" >/dev/null
    else
      # gen_synth draws the resources first: fewer meshes leave resources.csv the same.
      mkdir -p "$WORK/$scale"
      /usr/bin/python3 -c "import sys; sys.path.insert(0, '$here/../shared/tools'); import gen_synth as g; s = g.SCALES['$scale']; g.SCALES['$scale'] = (s[0], 1000) + tuple(s[2:]); sys.argv = ['g', '--scale', '$scale', '--out', '$WORK/$scale']; g.main()"
      "$BIN" import --db "$db" --layout generic --kind public_facility --quiet "$WORK/$scale/resources.csv" >/dev/null
    fi
  fi
  "$BIN" export --db "$db" --format geojson --out "$WORK/$scale.geojson" >/dev/null
  make_tiles "$WORK/$scale.geojson" "$WORK/$scale.tiles"
  taskset -c 0 "$TIMING" --db "$db" --layer resources < "$WORK/$scale.tiles" > "$WORK/$scale.ours"
  load_resources_pg "$WORK/$scale.geojson"
  psql -q "$PG" -c "TRUNCATE tile_list" -c "\\copy tile_list FROM '$WORK/$scale.tiles' (DELIMITER ' ')" >/dev/null
  psql -q "$PG" -c "SELECT time_tiles('resources')" >/dev/null
  psql -qAt -F ' ' "$PG" -c "SELECT z, x, y, bytes, us FROM tile_times ORDER BY z, x, y" > "$WORK/$scale.pg"
  summary "$WORK/$scale.ours" "$WORK/$scale.pg" "resources, $scale scale ($(grep -c . "$WORK/$scale.tiles") tiles; z ≤ 11 ours clustered, PostGIS not)"
done

# ---- areas: the demo town's polygons, through the OGC API into PostGIS ----
start_server "$WORK/demo.db"
curl -sf "$URL/ogc/collections/areas/items?limit=10000" -o "$WORK/areas.geojson"
psql -q "$PG" -c "DROP TABLE IF EXISTS areas" >/dev/null
ogr2ogr -f PostgreSQL "PG:$PG" "$WORK/areas.geojson" -nln areas -lco GEOMETRY_NAME=geom -lco FID=fid \
  -select id,kind,code,name -nlt MULTIPOLYGON
psql -q "$PG" >/dev/null <<'SQL'
ALTER TABLE areas ADD COLUMN geom3857 geometry(MultiPolygon, 3857);
UPDATE areas SET geom3857 = ST_Transform(geom, 3857);
CREATE INDEX ON areas USING gist (geom3857);
ANALYZE areas;
SQL
make_tiles "$WORK/demo.geojson" "$WORK/areas.tiles"
taskset -c 0 "$TIMING" --db "$WORK/demo.db" --layer areas < "$WORK/areas.tiles" > "$WORK/areas.ours"
psql -q "$PG" -c "TRUNCATE tile_list" -c "\\copy tile_list FROM '$WORK/areas.tiles' (DELIMITER ' ')" >/dev/null
psql -q "$PG" -c "SELECT time_tiles('areas')" >/dev/null
psql -qAt -F ' ' "$PG" -c "SELECT z, x, y, bytes, us FROM tile_times ORDER BY z, x, y" > "$WORK/areas.pg"
summary "$WORK/areas.ours" "$WORK/areas.pg" "areas (demo town's $(grep -o '"Feature"' "$WORK/areas.geojson" | wc -l) polygons)"

# ---- warm tiles under load (cache on), against /health ----
awk '{printf "/tiles/resources/%s/%s/%s.mvt\n", $1, $2, $3}' "$WORK/demo.tiles" > "$WORK/paths.txt"
tiles_script "$WORK/paths.txt" "$WORK/tiles.lua"
echo
echo "-- warm tiles (demo town, $(wc -l < "$WORK/paths.txt") tiles cycled, wrk -c64 ${SHORT}s, keep-alive)"
run "warm-up" "$URL/health" 2 64 >/dev/null
run "/health" "$URL/health" "$SHORT" 64
HEALTH=$(cat "$WORK/last_rps")
out=$(taskset -c 1 wrk -t1 -c64 -d"${SHORT}"s --latency -s "$WORK/tiles.lua" "$URL")
TILES_RPS=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
printf '%-34s %10s req/s  p50 %8s  p99 %8s  non-2xx %s\n' "tiles (warm)" "$TILES_RPS" \
  "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")" \
  "$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
echo "ratio tiles/health: $(awk -v a="$TILES_RPS" -v b="$HEALTH" 'BEGIN {printf "%.2f", a / b}')"
echo "server RSS with the cache full: $(( $(rss) / 1024 )) MiB ($(wc -l < "$WORK/paths.txt") tiles cached)"
