#!/usr/bin/env bash
# Walking-catchment benchmark (see bench/NETWORK.md for how to read it).
#
#   bench/network_bench.sh [WORK_DIR]
#
# A 1.2 km catchment (every node within 1,200 m on foot) from the same 200 origins, on the demo
# town's network and on the `city` network of ../shared/tools/gen_network.py, in one run:
#   - tsunagi's bounded CSR Dijkstra (geo::WalkGraph::reach) and Boost.Graph's
#     dijkstra_shortest_paths with an early stop (build/release/bench/tsunagi_network_timing);
#   - SpatiaLite VirtualRouting: SELECT NodeTo FROM net WHERE NodeFrom=? AND Cost<=1200;
#   - pgRouting pgr_drivingDistance(edges, origin, 1200) in a throwaway PostgreSQL,
# best of 3 per origin (pgRouting on the city: the first 20 origins, once each — every call reads
# and builds the whole edge table), timed inside each engine; and the number of nodes each reaches.
# Then the import of the Liechtenstein extract: tsunagi import --network vs ogr2ogr of its lines.
# Needs: the release build, python3-numpy, libsqlite3-mod-spatialite, postgresql-15-pgrouting.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
BIN=${TSUNAGI_BINARY:-$here/build/release/cli/tsunagi}
TIMING=${TSUNAGI_NETWORK_TIMING:-$here/build/release/bench/tsunagi_network_timing}
PGBIN=/usr/lib/postgresql/15/bin
LIMIT=1200
[ -x "$TIMING" ] || { echo "no $TIMING: build the release preset (target tsunagi_network_timing)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "no $BIN: build the release preset" >&2; exit 2; }
[ -f /usr/share/postgresql/15/extension/pgrouting.control ] ||
  { echo "pgRouting missing: apt-get install --no-install-recommends postgresql-15-pgrouting" >&2; exit 2; }
/usr/bin/python3 -c 'import numpy' 2>/dev/null || { echo "gen_network.py needs python3-numpy" >&2; exit 2; }

WORK=${1:-$(mktemp -d)}
mkdir -p "$WORK"
PGDATA=$(mktemp -d)
chown postgres "$PGDATA"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
# Reached only by a Unix socket in its own folder (no TCP port: no collision with another cluster).
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/log" \
  -o "-c listen_addresses='' -k $PGDATA -c jit=off" start >/dev/null
trap 'runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true; rm -rf "$PGDATA"' EXIT
PG="host=$PGDATA user=postgres dbname=postgres"
psql -q "$PG" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION pgrouting" >/dev/null

# ---- the graphs ----
mkdir -p "$WORK/demo" "$WORK/city"
[ -s "$WORK/demo.db" ] || "$BIN" demo --db "$WORK/demo.db" >/dev/null
"$TIMING" --db "$WORK/demo.db" --limit 1 --origins 0 --dump "$WORK/demo"
if [ ! -s "$WORK/city/edges.csv" ]; then
  /usr/bin/python3 "$here/../shared/tools/gen_synth.py" --scale city --out "$WORK/city" 2>/dev/null
  /usr/bin/python3 "$here/../shared/tools/gen_network.py" "$WORK/city"
fi

run_scale() {  # NAME DIR PG_ORIGINS PG_REPEAT (pgRouting reads the whole edge table per call)
  local name=$1 dir=$2
  PG_ORIGINS=$3
  PG_REPEAT=$4
  echo
  echo "-- $name: $(($(wc -l < "$dir/nodes.csv") - 1)) nodes, $(($(wc -l < "$dir/edges.csv") - 1)) edges; catchment ${LIMIT} m, 200 origins"
  taskset -c 0 "$TIMING" --nodes "$dir/nodes.csv" --edges "$dir/edges.csv" --limit "$LIMIT" \
    --origins 200 > "$dir/ours.txt"
  cut -d' ' -f1 "$dir/ours.txt" > "$dir/origins.txt"

  # SpatiaLite VirtualRouting (the origin itself is not returned: +1 to compare).
  taskset -c 0 /usr/bin/python3 - "$dir" "$LIMIT" > "$dir/spatialite.txt" <<'PY'
import csv, sqlite3, sys, time
d, limit = sys.argv[1], float(sys.argv[2])
db = sqlite3.connect(":memory:")
db.enable_load_extension(True)
db.load_extension("mod_spatialite")
db.execute("SELECT InitSpatialMetadata(1)")
db.execute("CREATE TABLE edges (id INTEGER PRIMARY KEY, node_from INTEGER, node_to INTEGER, cost DOUBLE)")
with open(f"{d}/edges.csv") as f:
    r = csv.reader(f); next(r)
    db.executemany("INSERT INTO edges VALUES (?, ?, ?, ?)", ((int(a), int(b), int(c), float(l)) for a, b, c, l, *_ in r))
db.execute("SELECT CreateRouting('net_data', 'net', 'edges', 'node_from', 'node_to', NULL, 'cost', NULL, 0, 1)")
for line in open(f"{d}/origins.txt"):
    o = int(line)
    best = 1e18
    for _ in range(3):
        t = time.perf_counter()
        n = db.execute("SELECT count(*) FROM net WHERE NodeFrom = ? AND Cost <= ?", (o, limit)).fetchone()[0]
        best = min(best, (time.perf_counter() - t) * 1e6)
    print(o, n + 1, f"{best:.1f}")
PY

  # pgRouting, timed inside the server.
  psql -q "$PG" -c "DROP TABLE IF EXISTS edges, origins, times" >/dev/null
  psql -q "$PG" >/dev/null <<SQL
CREATE TABLE edges (id bigint, source bigint, target bigint, cost double precision);
\\copy edges FROM PROGRAM 'cut -d, -f1-4 $dir/edges.csv | tail -n +2' (FORMAT csv)
CREATE TABLE origins (node bigint);
\\copy origins FROM PROGRAM 'head -n $PG_ORIGINS $dir/origins.txt'
CREATE TABLE times (node bigint, reached int, us double precision);
DO \$\$
DECLARE o record; t0 timestamptz; best double precision; n int;
BEGIN
  FOR o IN SELECT node FROM origins LOOP
    best := 1e18;
    FOR k IN 1..$PG_REPEAT LOOP
      t0 := clock_timestamp();
      SELECT count(*) INTO n FROM pgr_drivingDistance(
        'SELECT id, source, target, cost, cost AS reverse_cost FROM edges', o.node, $LIMIT);
      best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1e6);
    END LOOP;
    INSERT INTO times VALUES (o.node, n, best);
  END LOOP;
END \$\$;
SQL
  psql -qAt -F ' ' "$PG" -c "SELECT node, reached, us FROM times" > "$dir/pgrouting.txt"

  /usr/bin/python3 - "$dir" <<'PY'
import statistics, sys
d = sys.argv[1]
ours = {l.split()[0]: l.split() for l in open(f"{d}/ours.txt")}
sl = {l.split()[0]: l.split() for l in open(f"{d}/spatialite.txt")}
pg = {l.split()[0]: l.split() for l in open(f"{d}/pgrouting.txt")}
def med(xs): return statistics.median(xs)
o = med(float(v[3]) for v in ours.values()); b = med(float(v[4]) for v in ours.values())
s = med(float(v[2]) for v in sl.values()); p = med(float(v[2]) for v in pg.values())
reached = med(int(v[1]) for v in ours.values())
same_b = sum(v[1] == v[2] for v in ours.values())
same_s = sum(ours[k][1] == sl[k][1] for k in ours if k in sl)
same_p = sum(ours[k][1] == pg[k][1] for k in ours if k in pg)
n = len(ours)
print(f"{'engine':38} {'median µs':>10} {'vs tsunagi':>10}  same reached nodes")
print(f"{'tsunagi CSR Dijkstra (bounded)':38} {o:>10.1f} {1:>10.1f}  median {reached:.0f} nodes")
print(f"{'Boost.Graph dijkstra + early stop':38} {b:>10.1f} {b/o:>10.1f}  {same_b}/{n} origins")
print(f"{'SpatiaLite VirtualRouting Cost<=':38} {s:>10.1f} {s/o:>10.1f}  {same_s}/{n} origins")
print(f"{'pgRouting pgr_drivingDistance':38} {p:>10.1f} {p/o:>10.1f}  {same_p}/{len(pg)} origins")
PY
}

run_scale "demo town" "$WORK/demo" 200 3
run_scale "city (gen_network.py)" "$WORK/city" 20 1

# ---- a whole POST /api/match at the city scale: 20,000 places on the city network ----
echo
echo "-- POST /api/match, city scale (20,000 placement sites from gen_synth, the city network)"
rm -f "$WORK/match.db"*
"$BIN" import --db "$WORK/match.db" --layout generic --kind placement_site --quiet "$WORK/city/resources.csv"
"$TIMING" --nodes "$WORK/city/nodes.csv" --edges "$WORK/city/edges.csv" --limit 1 --origins 0 \
  --put-into "$WORK/match.db"
export TSUNAGI_PASSWORD='bench password 1234' TSUNAGI_PWHASH=minimum
"$BIN" user add --db "$WORK/match.db" --name m --role matcher >/dev/null
TOKEN=$("$BIN" user token --db "$WORK/match.db" --name m --label bench)
taskset -c 0 "$BIN" serve --db "$WORK/match.db" --port 0 --access-log false 2>"$WORK/match.log" &
MSERVER=$!
for _ in $(seq 100); do grep -q "listening on" "$WORK/match.log" 2>/dev/null && break; sleep 0.1; done
MURL=$(grep -o 'http://[0-9.]*:[0-9]*' "$WORK/match.log" | head -1)
CENTER=$(/usr/bin/python3 -c "
import csv; r=list(csv.DictReader(open('$WORK/city/nodes.csv'))); print(r[len(r)//2]['lon']+','+r[len(r)//2]['lat'])")
for _ in $(seq 30); do
  curl -s -o "$WORK/match.json" -w '%{time_starttransfer}\n' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' \
    -d "{\"at\": [${CENTER}], \"availability\": [\"火曜の午前\"], \"max_walk_min\": 20}" "$MURL/api/match"
done | sort -n | awk '{a[NR]=$1} END {printf "time to first byte over 30 requests: median %.1f ms, max %.1f ms\n", a[int((NR+1)/2)]*1000, a[NR]*1000}'
/usr/bin/python3 -c "import json; j=json.load(open('$WORK/match.json')); print('answer:', j['network'], len(j['candidates']), 'candidates,', len(j['excluded']), 'excluded')"
kill -TERM "$MSERVER"; wait "$MSERVER" 2>/dev/null || true

# ---- import of the Liechtenstein extract ----
EXTRACT="$here/../shared/data/osm-liechtenstein/liechtenstein-2013-08-03.osm.pbf"
if [ -f "$EXTRACT" ]; then
  echo
  echo "-- import of $(basename "$EXTRACT") ($(du -k "$EXTRACT" | cut -f1) KB), best of 3"
  best() { local b=1e9; for _ in 1 2 3; do rm -f "$WORK"/li.*; local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); b=$(awk -v a="$b" -v x="$(echo "$t1 - $t0" | bc)" 'BEGIN{print (x<a)?x:a}'); done; echo "$b"; }
  T1=$(best "$BIN" import --db "$WORK/li.db" --network "$EXTRACT" --quiet)
  T2=$(best ogr2ogr -f SQLite -dsco SPATIALITE=YES "$WORK/li.sqlite" "$EXTRACT" lines -where "highway IS NOT NULL")
  printf '%-52s %6.2f s\n' "tsunagi import --network (graph + store)" "$T1" "ogr2ogr lines (highway) → SpatiaLite" "$T2"
fi
