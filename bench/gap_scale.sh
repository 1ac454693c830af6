#!/usr/bin/env bash
# Straight-line coverage and 2SFCA (1 km) at the `japan` scale of ../shared/tools/gen_synth.py
# (200k places with a capacity, 1.5M 250 m cells with their 65+ population), side by side:
#   - tsunagi: geo::gap::nearest_within and two_sfca_within (build/release/bench/
#     tsunagi_gap_scale_timing), 2 threads;
#   - scipy: cKDTree over 3-D unit vectors, query + sparse_distance_matrix (bench/gap_scale_scipy.py);
#   - PostGIS: geography points with GiST indexes, ST_DWithin(a, b, 1000, false) joins, 2 parallel
#     workers,
# on the same points and the same metric (great circles on the mean sphere). Timed: the analysis
# only (reading the CSVs and PostGIS's loading and indexing are reported apart). Then the answers
# are compared point by point. See bench/GAP.md.
#
#   bench/gap_scale.sh [SCALE (japan)] [WORK_DIR]
# SKIP_POSTGIS=1 reruns tsunagi and scipy only (PostGIS takes minutes at this scale).
# Needs: the release build, python3-numpy, python3-scipy, postgresql-15-postgis-3.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
SCALE=${1:-japan}
WORK=${2:-$(mktemp -d)}
TIMING=${TSUNAGI_GAP_SCALE_TIMING:-$here/build/release/bench/tsunagi_gap_scale_timing}
PGBIN=/usr/lib/postgresql/15/bin
MAX_M=${MAX_M:-1000}
[ -x "$TIMING" ] || { echo "no $TIMING: build the release preset (target tsunagi_gap_scale_timing)" >&2; exit 2; }
/usr/bin/python3 -c 'import numpy, scipy' 2>/dev/null || { echo "needs python3-numpy and python3-scipy" >&2; exit 2; }

data="$WORK/$SCALE"
mkdir -p "$data" "$WORK/tsunagi" "$WORK/scipy" "$WORK/postgis"
if [ ! -s "$data/meshes.csv" ]; then
  /usr/bin/python3 "$here/../shared/tools/gen_synth.py" --scale "$SCALE" --out "$data"
fi

echo "== tsunagi"
/usr/bin/time -f "process_peak_rss_kib %M" "$TIMING" --data "$data" --out "$WORK/tsunagi" --max-m "$MAX_M" --threads 2 2>&1 | tee "$WORK/tsunagi/timing.txt"

echo "== scipy"
/usr/bin/python3 "$here/bench/gap_scale_scipy.py" "$WORK/tsunagi" "$MAX_M" "$WORK/scipy" | tee "$WORK/scipy/timing.txt"

if [ "${SKIP_POSTGIS:-0}" = 1 ]; then
  echo "== PostGIS skipped (SKIP_POSTGIS=1): its answers of an earlier run in $WORK/postgis are compared"
else
echo "== PostGIS"
PGDATA=$(mktemp -d)
chown postgres "$PGDATA"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
# Reached only by a Unix socket in its own folder (no TCP port: no collision with another cluster).
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/log" \
  -o "-c listen_addresses='' -k $PGDATA -c jit=off -c shared_buffers=1GB -c work_mem=256MB -c max_parallel_workers_per_gather=2" start >/dev/null
trap 'runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true; rm -rf "$PGDATA"' EXIT
PG="host=$PGDATA user=postgres dbname=postgres"
cp "$WORK/tsunagi/demand_points.csv" "$WORK/tsunagi/supply_points.csv" "$PGDATA/"
chown postgres "$PGDATA"/*.csv
load_start=$(date +%s.%N)
psql -q "$PG" <<SQL
CREATE EXTENSION postgis;
CREATE TABLE d_raw(id int, lon float8, lat float8, value float8);
CREATE TABLE s_raw(id int, lon float8, lat float8, value float8);
COPY d_raw FROM '$PGDATA/demand_points.csv' CSV HEADER;
COPY s_raw FROM '$PGDATA/supply_points.csv' CSV HEADER;
CREATE TABLE demand AS SELECT id, value AS pop, ST_MakePoint(lon, lat)::geography AS g FROM d_raw;
CREATE TABLE supply AS SELECT id, value AS cap, ST_MakePoint(lon, lat)::geography AS g FROM s_raw;
CREATE INDEX ON demand USING gist(g);
CREATE INDEX ON supply USING gist(g);
ALTER TABLE demand ADD PRIMARY KEY (id);
ALTER TABLE supply ADD PRIMARY KEY (id);
VACUUM ANALYZE demand;
VACUUM ANALYZE supply;
SQL
echo "load_and_index_s $(echo "$(date +%s.%N) - $load_start" | bc)" | tee "$WORK/postgis/timing.txt"
t0=$(date +%s.%N)
psql -qAt "$PG" -c "\\copy (SELECT d.id, EXISTS (SELECT 1 FROM supply s WHERE ST_DWithin(d.g, s.g, $MAX_M, false))::int FROM demand d ORDER BY d.id) TO '$WORK/postgis/coverage.csv' CSV"
t1=$(date +%s.%N)
psql -qAt "$PG" -c "\\copy (WITH r AS (SELECT s.id, CASE WHEN sum(d.pop) > 0 THEN s.cap / sum(d.pop) ELSE 0 END AS ratio FROM supply s JOIN demand d ON ST_DWithin(s.g, d.g, $MAX_M, false) GROUP BY s.id, s.cap) SELECT d.id, coalesce(sum(r.ratio), 0) FROM demand d LEFT JOIN supply s ON ST_DWithin(d.g, s.g, $MAX_M, false) LEFT JOIN r ON r.id = s.id GROUP BY d.id ORDER BY d.id) TO '$WORK/postgis/access.csv' CSV"
t2=$(date +%s.%N)
echo "coverage_s $(echo "$t1 - $t0" | bc) access_s $(echo "$t2 - $t1" | bc) analysis_s $(echo "$t2 - $t0" | bc)" | tee -a "$WORK/postgis/timing.txt"
fi

echo "== identical answers?"
/usr/bin/python3 - "$WORK" <<'PY'
import os
import sys
import numpy as np
w = sys.argv[1]
def load(p, skip):
    return np.loadtxt(p, delimiter=",", skiprows=skip)
t_cov, t_acc = load(f"{w}/tsunagi/coverage.csv", 1), load(f"{w}/tsunagi/access.csv", 1)
for peer, skip in (("scipy", 1), ("postgis", 0)):
    if not (os.path.exists(f"{w}/{peer}/coverage.csv") and os.path.exists(f"{w}/{peer}/access.csv")):
        print(f"{peer}: no answers in {w}/{peer} (SKIP_POSTGIS=1 in a fresh work folder): not compared")
        continue
    cov, acc = load(f"{w}/{peer}/coverage.csv", skip), load(f"{w}/{peer}/access.csv", skip)
    cov_diff = int((cov[:, 1] != t_cov[:, 1]).sum())
    rel = np.abs(acc[:, 1] - t_acc[:, 1]) / np.maximum(np.abs(t_acc[:, 1]), 1e-300)
    rel[(acc[:, 1] == 0) & (t_acc[:, 1] == 0)] = 0
    print(f"{peer}: coverage flags differing {cov_diff} of {len(cov)}; access max relative "
          f"difference {rel.max():.3g}; points with relative difference > 1e-9: {(rel > 1e-9).sum()}")
PY
