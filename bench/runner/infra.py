"""What every comparison of bench/run shares: the checks for peers, the work folder and the data
made once per run, a throwaway PostgreSQL/PostGIS reached only by a Unix socket in its own
folder, `tsunagi serve --port 0`, wrk, and the cleanup of everything started (also on Ctrl-C)."""
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

PGBIN = "/usr/lib/postgresql/15/bin"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's modules (numpy, scipy): the pyenv python lacks them


class Missing(Exception):
    """A peer or binary is absent: what, and how to get it."""

    def __init__(self, what, how):
        super().__init__(f"{what}: {how}")
        self.what = what
        self.how = how


class BenchError(Exception):
    pass


def log(msg):
    print(f"[bench/run {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---- requirements: each is (description, check(), how to get it) ----

def _py_has(module):
    if not os.path.exists(SYSTEM_PYTHON):
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", f"import {module}"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def _spatialite():
    if not os.path.exists(SYSTEM_PYTHON):
        return False
    code = ("import sqlite3; d = sqlite3.connect(':memory:'); d.enable_load_extension(True); "
            "d.load_extension('mod_spatialite')")
    return subprocess.run([SYSTEM_PYTHON, "-c", code], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


REQUIREMENTS = {
    "wrk": ("wrk (load generator)", lambda: shutil.which("wrk") is not None,
            "apt-get install wrk"),
    "ogr2ogr": ("ogr2ogr", lambda: shutil.which("ogr2ogr") is not None,
                "apt-get install --no-install-recommends gdal-bin"),
    "taskset": ("taskset", lambda: shutil.which("taskset") is not None,
                "apt-get install util-linux"),
    "time": ("GNU time (/usr/bin/time, peak RSS)", lambda: os.access("/usr/bin/time", os.X_OK),
             "apt-get install --no-install-recommends time"),
    "numpy": (f"numpy for {SYSTEM_PYTHON} (gen_synth.py)", lambda: _py_has("numpy"),
              "apt-get install --no-install-recommends python3-numpy"),
    "scipy": (f"scipy for {SYSTEM_PYTHON} (the cKDTree peer)", lambda: _py_has("scipy"),
              "apt-get install --no-install-recommends python3-scipy"),
    "postgis": ("PostgreSQL 15 with PostGIS",
                lambda: os.access(f"{PGBIN}/initdb", os.X_OK) and os.path.exists(
                    "/usr/share/postgresql/15/extension/postgis.control"),
                "apt-get install --no-install-recommends postgresql-15-postgis-3"),
    "pgrouting": ("pgRouting for PostgreSQL 15",
                  lambda: os.path.exists("/usr/share/postgresql/15/extension/pgrouting.control"),
                  "apt-get install --no-install-recommends postgresql-15-pgrouting"),
    "spatialite": ("SpatiaLite's mod_spatialite (VirtualRouting)", _spatialite,
                   "apt-get install --no-install-recommends libsqlite3-mod-spatialite"),
    "runuser": ("runuser and the postgres user (PostgreSQL refuses to run as root)",
                lambda: shutil.which("runuser") is not None and _has_user("postgres"),
                "apt-get install postgresql-15 (creates the postgres user)"),
}


def _has_user(name):
    try:
        import pwd
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


BINARIES = {
    "tsunagi": "cli/tsunagi",
    "tile_timing": "bench/tsunagi_tile_timing",
    "gap_timing": "bench/tsunagi_gap_scale_timing",
    "network_timing": "bench/tsunagi_network_timing",
}


def check(requirements, binaries, build):
    """Raises a list of Missing for every absent piece (all of them, not only the first)."""
    missing = []
    for key in sorted(set(requirements)):
        what, ok, how = REQUIREMENTS[key]
        if not ok():
            missing.append(Missing(what, how))
    for key in sorted(set(binaries)):
        path = os.path.join(build, BINARIES[key])
        if not os.access(path, os.X_OK):
            missing.append(Missing(path, f"build it (target {os.path.basename(path)}) or pass "
                                         "--build DIR"))
    return missing


# ---- statistics ----

def median(xs):
    return statistics.median(xs)


# ---- processes ----

class Context:
    """The run: paths, options, the work folder, what was started (stopped by close())."""

    def __init__(self, root, build, work, keep, scale, quick, rounds):
        self.root = root
        self.build = build
        self.scale = scale
        self.quick = quick
        self.rounds = rounds
        self.keep = keep
        if work:
            os.makedirs(work, exist_ok=True)
            self.work = os.path.abspath(work)
        else:
            self.work = tempfile.mkdtemp(prefix="tsunagi-bench-")
        self._closers = []
        self._cache = {}
        self.notes = []  # free text under the table

    def bin(self, key):
        return os.path.join(self.build, BINARIES[key])

    def path(self, *parts):
        p = os.path.join(self.work, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def on_close(self, fn):
        self._closers.append(fn)

    def close(self):
        while self._closers:
            fn = self._closers.pop()
            try:
                fn()
            except Exception as e:  # keep stopping the others
                log(f"cleanup: {e}")
        if not self.keep:
            shutil.rmtree(self.work, ignore_errors=True)

    def once(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    # -- data made once per run (or reused from a kept --work folder) --

    def synth(self, scale):
        """gen_synth.py's CSVs for town|city|japan (japan takes about three minutes)."""
        def make():
            out = self.path("synth", scale)
            os.makedirs(out, exist_ok=True)
            if not os.path.exists(os.path.join(out, "done")):
                log(f"generating the {scale} scale with gen_synth.py …")
                gen = os.path.join(self.root, "..", "shared", "tools", "gen_synth.py")
                run([SYSTEM_PYTHON, gen, "--scale", scale, "--out", out])
                open(os.path.join(out, "done"), "w").close()
            return out
        return self.once(("synth", scale), make)

    def store(self, scale):
        """A tsunagi store: the demo town, or gen_synth's resources imported."""
        def make():
            db = self.path("stores", f"{scale}.db")
            if not os.path.exists(db + ".done"):
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(db + suffix):
                        os.remove(db + suffix)
                if scale == "demo":
                    run([self.bin("tsunagi"), "demo", "--db", db])
                else:
                    csv = os.path.join(self.synth(synth_scale(scale)), "resources.csv")
                    log(f"importing {scale} resources into a store …")
                    run([self.bin("tsunagi"), "import", "--db", db, "--layout", "generic", "--kind",
                         "public_facility", "--quiet", csv])
                open(db + ".done", "w").close()
            return db
        return self.once(("store", scale), make)

    def postgis(self):
        return self.once("postgis", lambda: PostGIS(self))


def synth_scale(scale):
    return "town" if scale == "demo" else scale


def run(cmd, check=True, **kw):
    """Runs cmd; on failure raises with its output."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if check and p.returncode != 0:
        raise BenchError(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n"
                         f"{p.stdout[-2000:]}\n{p.stderr[-4000:]}")
    return p


def timed_rss(cmd, cwd=None):
    """Runs cmd (output discarded); returns (wall seconds, peak RSS in KiB). The peak comes from
    GNU time, not from wait4 here: a child forked from this (large) Python process inherits its
    high-water mark through exec, so every command would seem to peak at least at our own RSS."""
    with tempfile.NamedTemporaryFile(mode="r") as rss, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *cmd],
                           stdout=subprocess.DEVNULL, stderr=err, cwd=cwd)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            err.seek(0)
            raise BenchError(f"{' '.join(cmd)} failed ({p.returncode}):\n"
                             f"{err.read().decode(errors='replace')[-4000:]}")
        rss.seek(0)
        kib = int(rss.read().split()[-1])
    return wall, kib


def loadavg():
    return os.getloadavg()


# ---- PostgreSQL/PostGIS: a throwaway cluster on a Unix socket in its own folder ----

class PostGIS:
    def __init__(self, ctx):
        import pwd
        pw = pwd.getpwnam("postgres")
        self.dir = tempfile.mkdtemp(prefix="tsunagi-bench-pg-")
        os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.data = os.path.join(self.dir, "data")
        self.started = False
        ctx.on_close(self.stop)
        log(f"starting a throwaway PostgreSQL in {self.dir} (Unix socket only, no TCP port)")
        as_pg = ["runuser", "-u", "postgres", "--"]
        run(as_pg + [f"{PGBIN}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E",
                     "UTF8", "--locale=C.UTF-8"])
        opts = (f"-c listen_addresses='' -k {self.dir} -c shared_buffers=256MB -c jit=off "
                "-c fsync=off -c max_parallel_workers_per_gather=2 -c work_mem=64MB")
        run(as_pg + [f"{PGBIN}/pg_ctl", "-D", self.data, "-w", "-l", os.path.join(self.dir, "log"),
                     "-o", opts, "start"])
        self.started = True
        self.conninfo = f"host={self.dir} user=postgres dbname=postgres"
        self.sql("CREATE EXTENSION postgis")

    def stop(self):
        if self.started:
            subprocess.run(["runuser", "-u", "postgres", "--", f"{PGBIN}/pg_ctl", "-D", self.data,
                            "-m", "fast", "stop"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def sql(self, text, stdin=None, tuples=False):
        """Runs SQL through psql (ON_ERROR_STOP); returns its output (-At when tuples)."""
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.conninfo]
        if tuples:
            cmd += ["-A", "-t", "-F", " "]
        if stdin is None:
            cmd += ["-c", text]
            return run(cmd).stdout
        p = subprocess.run(cmd + ["-c", text], input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            raise BenchError(f"psql failed: {p.stderr[-3000:]}")
        return p.stdout

    def script(self, text):
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.conninfo],
                           input=text, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            raise BenchError(f"psql failed: {p.stderr[-3000:]}")
        return p.stdout


# ---- tsunagi serve ----

class Server:
    def __init__(self, ctx, db, name, threads=1, core="0"):
        self.ctx = ctx
        self.logpath = ctx.path("logs", f"serve-{name}.log")
        self.logfile = open(self.logpath, "w")
        cmd = ["taskset", "-c", core, ctx.bin("tsunagi"), "serve", "--db", db, "--port", "0",
               "--threads", str(threads), "--access-log", "false", "--keepalive-timeout-s", "300"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.logfile)
        ctx.on_close(self.stop)
        self.url = None
        deadline = time.time() + 300
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break
            m = re.search(r"listening on (http://[0-9.]+:[0-9]+)", open(self.logpath).read())
            if m:
                self.url = m.group(1)
                break
            time.sleep(0.1)
        if not self.url:
            self.stop()
            raise BenchError(f"tsunagi serve did not start:\n{open(self.logpath).read()[-3000:]}")
        u = urllib.parse.urlparse(self.url)
        self.host, self.port = u.hostname, u.port
        self.conn = None
        status, _ = self.get("/health")
        if status != 200:
            raise BenchError(f"{self.url}/health answered {status}")

    def get(self, path, headers=None):
        """(status, body bytes) over one kept-alive connection."""
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
            try:
                self.conn.request("GET", path, headers=headers or {})
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError

    def get_json(self, path):
        status, body = self.get(path)
        if status != 200:
            raise BenchError(f"GET {path}: {status} {body[:300]!r}")
        return json.loads(body)

    def pages(self, path):
        """Every page of a GeoJSON listing, following its rel=next links."""
        while path:
            page = self.get_json(path)
            yield page
            nxt = next((link["href"] for link in page.get("links", []) if link.get("rel") == "next"),
                       None)
            if nxt:
                u = urllib.parse.urlparse(nxt)
                path = u.path + ("?" + u.query if u.query else "")
            else:
                path = None

    def status_kib(self, field):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise BenchError(f"no {field} for the server")

    def cpu_seconds(self):
        """The server's CPU time so far (user + system, every thread), from /proc."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logfile.close()


# ---- wrk ----

def wrk(url, seconds, connections=64, script=None):
    """req/s of one wrk run (wrk on core 1, the server on core 0); raises on errors."""
    return wrk_run(url, seconds, connections, script)[0]


def wrk_run(url, seconds, connections=64, script=None):
    """(req/s, requests) of one wrk run (wrk on core 1, the server on core 0); raises on
    errors."""
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
           "-H", "Connection: keep-alive"]
    if script:
        cmd += ["-s", script]
    out = run(cmd + [url]).stdout
    m = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if not m:
        raise BenchError(f"wrk printed no Requests/sec:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+([0-9]+)", out)
    if non2xx and int(non2xx.group(1)) > 0:
        raise BenchError(f"wrk on {url}: {non2xx.group(1)} non-2xx responses:\n{out}")
    n = re.search(r"([0-9]+) requests in", out)
    if not n:
        raise BenchError(f"wrk printed no request count:\n{out}")
    return float(m.group(1)), int(n.group(1))


def wrk_paths_script(paths_file, lua):
    with open(lua, "w") as f:
        f.write(f"""local paths = {{}}
for line in io.lines("{paths_file}") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {{["Accept-Encoding"] = "gzip", ["Connection"] = "keep-alive"}})
end
""")
    return lua
