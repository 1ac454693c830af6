#!/usr/bin/env bash
# The PostgreSQL store against the SQLite store, and two servers against one (issue 24), on the
# same data in the same run: gen_synth's resources (SCALE, default japan = 200k) imported into a
# SQLite store and copied whole into a throwaway PostgreSQL cluster (a Unix socket in the work
# folder, no TCP port, so it never meets another cluster).
#
#   1. Reads from memory: OGC items (limit 100) and /api/resources?limit=1000, a SQLite server and
#      a PostgreSQL server one after the other, ROUNDS interleaved rounds; the median ratio of
#      PostgreSQL to SQLite requests per second, with its range.
#   2. Write to visibility on the other server: EDITS edits through server A; the time until
#      server B answers with the edit (median, 90th percentile, range).
#   3. Two servers behind HAProxy against one behind the same HAProxy, interleaved rounds.
# The load average is printed before each part. Needs wrk, haproxy, postgresql-15 with PostGIS.
#
# usage: bench/postgres_bench.sh TSUNAGI_BINARY [WORK_DIR]
#   SCALE=japan|city|town  ROUNDS=5  SECONDS_PER_RUN=8  EDITS=20  CONNECTIONS=32
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "${1:?usage: bench/postgres_bench.sh TSUNAGI_BINARY [WORK_DIR]}")"
work="${2:-/tmp/tsunagi-bench-postgres}"
scale="${SCALE:-japan}"
rounds="${ROUNDS:-5}"
secs="${SECONDS_PER_RUN:-8}"
edits="${EDITS:-20}"
conns="${CONNECTIONS:-32}"
py=/usr/bin/python3
pg=/usr/lib/postgresql/15/bin
for need in wrk /usr/sbin/haproxy "$pg/initdb" "$py"; do
  command -v "$need" >/dev/null || { echo "postgres_bench: $need is missing" >&2; exit 2; }
done

mkdir -p "$work"
pids=()
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  as_postgres "$pg/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

csv="$work/synth-$scale/resources.csv"
if [[ ! -s $csv ]]; then
  echo "generating the $scale scale (a few minutes at japan)…" >&2
  mkdir -p "$work/synth-$scale"
  "$py" "$here/../shared/tools/gen_synth.py" --scale "$scale" --out "$work/synth-$scale" >/dev/null
fi
sqlite="$work/store-$scale.sqlite"
rm -f "$sqlite" "$sqlite"-wal "$sqlite"-shm
"$bin" import --db "$sqlite" --layout generic --kind public_facility --quiet "$csv" >/dev/null
export TSUNAGI_PASSWORD="bench password" TSUNAGI_PWHASH=minimum
"$bin" user add --db "$sqlite" --name bench --role coordinator >/dev/null
token=$("$bin" user token --db "$sqlite" --name bench --label bench | tr -d '\r\n')

rm -rf "$work/pg"
mkdir -p "$work/pg"
[[ $(id -u) -eq 0 ]] && chown postgres "$work/pg"
as_postgres "$pg/initdb" -D "$work/pg/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$pg/pg_ctl" -D "$work/pg/data" -w -l "$work/pg/log" \
  -o "-c listen_addresses='' -c unix_socket_directories=$work/pg -c shared_buffers=512MB" start >/dev/null
as_postgres psql -q -h "$work/pg" -U postgres -c 'CREATE DATABASE bench'
store="postgresql:///bench?host=$work/pg&user=postgres"
"$bin" migrate --from "$sqlite" --to "$store" >/dev/null
rows=$(($(wc -l <"$csv") - 1))
echo "# PostgreSQL store vs SQLite store, $rows resources ($scale), $(nproc) cores"

# serve NAME DB [flags…]: a server on a free port; sets PORT_<NAME>.
serve() {
  local name=$1 db=$2 log="$work/serve-$1.log"
  shift 2
  "$bin" serve --db "$db" --port 0 --access-log false "$@" >"$log" 2>&1 &
  pids+=($!)
  local port=""
  for _ in $(seq 1200); do
    port=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$log" | head -1)
    [[ -n $port ]] && break
    sleep 0.1
  done
  [[ -n $port ]] || { echo "server $name did not start:" >&2; cat "$log" >&2; exit 1; }
  printf -v "PORT_$name" '%s' "$port"
}
rps() {  # rps URL → requests per second of one wrk run; fails loudly on any non-2xx answer
  local out
  out=$(wrk -t1 -c"$conns" -d"${secs}s" "$1")
  if grep -q 'Non-2xx' <<<"$out"; then echo "postgres_bench: non-2xx answers from $1" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
# stats: reads "ratio" lines on stdin, prints median [min–max] of n.
stats() {
  sort -g | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
    printf "%.2f× [%.2f–%.2f] of %d rounds", m, v[1], v[NR], NR}'
}

# interleave LABEL BASE_NAME BASE_URL NEW_NAME NEW_URL: $rounds rounds, the side that goes first
# alternating; prints each round and the median ratio NEW / BASE with its range.
interleave() {
  local label=$1 bn=$2 bu=$3 nn=$4 nu=$5 b n
  : >"$work/ratios"
  for r in $(seq "$rounds"); do
    if ((r % 2)); then b=$(rps "$bu"); n=$(rps "$nu"); else n=$(rps "$nu"); b=$(rps "$bu"); fi
    echo "  round $r: $bn $b req/s, $nn $n req/s"
    echo "$n $b" | awk '{print $1 / $2}' >>"$work/ratios"
  done
  echo "$label: $(stats <"$work/ratios")"
}

# ---- 1. reads from memory ----
serve sqlite "$sqlite"
serve pg "$store"
load
for path in "/ogc/collections/public_facility/items?limit=100&f=json" "/api/resources?limit=1000"; do
  interleave "PostgreSQL / SQLite, GET $path" sqlite "http://127.0.0.1:$PORT_sqlite$path" \
    postgresql "http://127.0.0.1:$PORT_pg$path"
done
kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true; pids=()

# ---- 2. write to visibility on the other server ----
serve a "$store"
serve b "$store"
load
"$py" - "$PORT_a" "$PORT_b" "$token" "$edits" <<'EOF'
import json, sys, time, urllib.request
a, b, token, edits = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
auth = {"Authorization": f"Bearer {token}"}
def call(port, method, path, body=None, headers=None):
    h = dict(auth); h.update(headers or {})
    data = None if body is None else json.dumps(body).encode()
    if data is not None: h["Content-Type"] = "application/json"
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=h)
    with urllib.request.urlopen(req, timeout=120) as r:
        return dict(r.headers), r.read()
_, body = call(a, "GET", "/api/resources?limit=1")
middle = json.loads(body)["numberMatched"] // 2  # any scale, never past the end
_, body = call(a, "GET", f"/api/resources?limit=1&offset={middle}")
rid = json.loads(body)["features"][0]["id"]
times = []
for i in range(edits):
    headers, body = call(a, "GET", f"/api/resources/{rid}")
    props = json.loads(body)["properties"]
    props["vacancy"] = (i % 5) + 1
    props["capacity"] = 10
    t0 = time.perf_counter()
    call(a, "PUT", f"/api/resources/{rid}", props, {"If-Match": headers["ETag"]})
    while True:
        _, got = call(b, "GET", f"/api/resources/{rid}")
        if json.loads(got)["properties"].get("vacancy") == (i % 5) + 1: break
        time.sleep(0.002)
    times.append((time.perf_counter() - t0) * 1000)
    time.sleep(0.2)
s = sorted(times)
print(f"write on A → visible on B: median {s[len(s)//2]:.0f} ms, p90 {s[int(len(s)*0.9)]:.0f} ms, "
      f"range {s[0]:.0f}–{s[-1]:.0f} ms over {len(s)} edits")
EOF

# ---- 3. two servers behind HAProxy against one ----
haproxy_cfg() {  # haproxy_cfg FILE PORT SERVER_PORT…
  local file=$1 port=$2
  shift 2
  {
    printf 'global\n  maxconn 4096\ndefaults\n  mode http\n  timeout connect 5s\n'
    printf '  timeout client 60s\n  timeout server 60s\nfrontend f\n  bind 127.0.0.1:%s\n' "$port"
    printf '  default_backend s\nbackend s\n  balance roundrobin\n'
    local i=0
    for p in "$@"; do printf '  server s%d 127.0.0.1:%s\n' "$i" "$p"; i=$((i + 1)); done
  } >"$file"
}
free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
one=$(free_port); two=$(free_port)
haproxy_cfg "$work/one.cfg" "$one" "$PORT_a"
haproxy_cfg "$work/two.cfg" "$two" "$PORT_a" "$PORT_b"
/usr/sbin/haproxy -db -f "$work/one.cfg" >/dev/null 2>&1 &
pids+=($!)
/usr/sbin/haproxy -db -f "$work/two.cfg" >/dev/null 2>&1 &
pids+=($!)
sleep 0.5
load
path="/ogc/collections/public_facility/items?limit=100&f=json"
interleave "two servers / one, behind HAProxy, GET $path" "one server" \
  "http://127.0.0.1:$one$path" "two servers" "http://127.0.0.1:$two$path"
load
