#!/usr/bin/env bash
# Time to visibility of a content write at the `japan` scale (200k resources of
# ../shared/tools/gen_synth.py): a coordinator's PUT /api/resources/{id} returns only once the new
# state is published, so its wall time is the time until every reader sees the edit. Runs two
# binaries side by side on the same data, in the same run: BASE (e.g. a build of the previous main)
# and NEW.
#
# usage: bench/write_visibility.sh NEW_TSUNAGI [BASE_TSUNAGI] [WORK_DIR]
#   EDITS=20   edits per binary (the median and the 90th percentile are reported)
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
new="${1:?usage: bench/write_visibility.sh NEW_TSUNAGI [BASE_TSUNAGI] [WORK_DIR]}"
base="${2:-}"
work="${3:-/tmp/tsunagi-bench-import}"
edits="${EDITS:-20}"
gen="$here/../shared/tools/gen_synth.py"
py=/usr/bin/python3

mkdir -p "$work"
csv="$work/resources.csv"
if [[ ! -s "$csv" ]]; then
  echo "generating the japan scale into $work (a few minutes)…" >&2
  "$py" "$gen" --scale japan --out "$work"
fi

# run NAME BINARY: imports the CSV into a fresh store, serves it, times $edits edits.
run() {
  local name="$1" bin="$2" db="$work/wv-$1.tsunagi" port log
  rm -f "$db" "$db"-wal "$db"-shm
  "$bin" import --db "$db" --layout generic --kind public_facility --quiet "$csv" >/dev/null
  export TSUNAGI_PASSWORD="bench password" TSUNAGI_PWHASH=minimum
  "$bin" user add --db "$db" --name bench --role coordinator >/dev/null
  local token
  token=$("$bin" user token --db "$db" --name bench --label bench | tr -d '\r\n')
  log="$work/wv-$name.log"
  "$bin" serve --db "$db" --port 0 >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do
    port=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$log" | head -1)
    [[ -n "$port" ]] && break
    sleep 0.1
  done
  [[ -n "$port" ]] || { echo "$name did not start:" >&2; cat "$log" >&2; exit 1; }
  local rss_kb
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  "$py" - "$port" "$token" "$edits" "$name" "$rss_kb" <<'EOF'
import json, sys, time, urllib.request
port, token, edits, name, rss = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
base = f"http://127.0.0.1:{port}"
auth = {"Authorization": f"Bearer {token}"}
def call(method, path, body=None, headers=None):
    h = dict(auth)
    h.update(headers or {})
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.status, dict(r.headers), r.read()
_, _, body = call("GET", "/api/resources?limit=1&offset=100000")
rid = json.loads(body)["features"][0]["id"]
times = []
for i in range(edits):
    _, headers, body = call("GET", f"/api/resources/{rid}")
    props = json.loads(body)["properties"]
    props["vacancy"] = i % 5
    props["capacity"] = 10
    t0 = time.perf_counter()
    status, _, _ = call("PUT", f"/api/resources/{rid}", props, {"If-Match": headers["ETag"]})
    times.append(time.perf_counter() - t0)
    assert status == 200
    # Visible at once to the public.
    req = urllib.request.Request(base + f"/api/resources/{rid}")
    with urllib.request.urlopen(req, timeout=60) as r:
        assert json.loads(r.read())["properties"]["vacancy"] == i % 5
times.sort()
med = times[len(times) // 2] * 1000
p90 = times[min(len(times) - 1, int(len(times) * 0.9))] * 1000
print(f"{name:5s} median {med:8.1f} ms   p90 {p90:8.1f} ms   RSS after start {int(rss)//1024} MiB")
EOF
  kill -TERM "$pid"
  wait "$pid" || true
}

rows=$(($(wc -l <"$csv") - 1))
echo "write to visibility, ${rows} resources, ${edits} edits each (PUT until the state is published)"
[[ -n "$base" ]] && run base "$base"
run new "$new"
