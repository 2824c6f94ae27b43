#!/usr/bin/env bash
# The full magic-link flow under load, on SQLite and on PostgreSQL.
#
# Per flow (benches/magic_link/, the load driver): POST /api/one-time-tokens (m2m Management
# API token cached per worker) -> GET /oidc/auth with one_time_token + login_hint, no cookies
# -> 303 with a code -> POST /oidc/token (PKCE, public SPA whose ID tokens are ES256).
# For each backend: a fresh database, two apps (`bench-m2m` m2m with Management API access,
# `bench-spa` ES256), Sesame on 127.0.0.1 with the one-time-token creation limits lifted
# (SESAME_ONE_TIME_TOKENS_PER_EMAIL_PER_HOUR / _PER_APPLICATION_PER_HOUR = 1000000000, else the
# bench would only measure 429s), a pre-flight flow checked closely, warm-up, then the load.
# Prints flows/s, flow p50/p99 against the targets, the per-step breakdown and where the CPU
# went (server / driver / rest of the machine, e.g. PostgreSQL). Loopback only, bounded in
# time; Sesame is stopped by pid and the PostgreSQL database dropped on exit, whatever happens.
#
# usage: benches/magic_link.sh [-c CONCURRENCY] [-d DURATION] [-w WARMUP] [-t DRIVER_THREADS]
#                              [-b sqlite,postgres] [--no-build (no cargo at all if the driver exists)] [-- driver args]
# env (flags win): CONCURRENCY=16 DURATION=10s WARMUP=2s DRIVER_THREADS=1
#                  BACKENDS=sqlite,postgres SKIP_BUILD=0 SESAME_PORT=3901 SESAME_RUST_LOG=warn
#                  SESAME_BIN=<target>/release/sesame (with --no-build: measure another binary)
#                  PG_HOST= PG_PORT=5432 PG_USER=postgres  BENCH_OUT=<repo>/benches/out
#                  (PG_HOST: a host name or address for TCP, or a socket directory; by default the
#                  local server's Unix socket, /var/run/postgresql, as a co-located Sesame should
#                  connect, else 127.0.0.1; PG_HOST=127.0.0.1 measures over loopback TCP)
#                  TARGET_SQLITE=1500 TARGET_POSTGRES=1000 (flows/s)  TARGET_P99_MS=25
#                  SERVER_CPUS=, DRIVER_CPUS= (optional taskset -c lists)
#                  QUIET_WAIT=180 (seconds to wait for other compilations, rustc, to end before
#                  each backend; the machine is shared and a build skews the numbers)
# exit: 0 every backend PASS, 1 some target missed, 2 a run had failures / setup failed.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${BENCH_OUT:-$HERE/out}
RAW=$OUT/raw

CONCURRENCY=${CONCURRENCY:-16}  # enough in flight to saturate 2 cores; more only adds queueing
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
DRIVER_THREADS=${DRIVER_THREADS:-1}
BACKENDS=${BACKENDS:-sqlite,postgres}
SKIP_BUILD=${SKIP_BUILD:-0}
SESAME_PORT=${SESAME_PORT:-3901}
SESAME_RUST_LOG=${SESAME_RUST_LOG:-warn}
PG_PORT=${PG_PORT:-5432}
if [[ -z ${PG_HOST:-} ]]; then
  if [[ -S /var/run/postgresql/.s.PGSQL.$PG_PORT ]]; then PG_HOST=/var/run/postgresql; else PG_HOST=127.0.0.1; fi
fi
PG_USER=${PG_USER:-postgres}
TARGET_SQLITE=${TARGET_SQLITE:-1500}
TARGET_POSTGRES=${TARGET_POSTGRES:-1000}
TARGET_P99_MS=${TARGET_P99_MS:-25}
SERVER_CPUS=${SERVER_CPUS:-}
QUIET_WAIT=${QUIET_WAIT:-180}
DRIVER_CPUS=${DRIVER_CPUS:-}
EXTRA=()

usage() { sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case $1 in
    -c|--concurrency) CONCURRENCY=$2; shift 2;;
    -d|--duration)    DURATION=$2; shift 2;;
    -w|--warmup)      WARMUP=$2; shift 2;;
    -t|--threads)     DRIVER_THREADS=$2; shift 2;;
    -b|--backends)    BACKENDS=$2; shift 2;;
    --no-build)       SKIP_BUILD=1; shift;;
    -h|--help)        usage; exit 0;;
    --)               shift; EXTRA=("$@"); break;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2;;
  esac
done

log()  { printf '[magic_link] %s\n' "$*" >&2; }
die()  { printf '\n[magic_link] FATAL: %s\n' "$*" >&2; exit 2; }
loud() { printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n!!! %s\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' "$*" >&2; }

[[ $CONCURRENCY =~ ^[0-9]+$ && $DRIVER_THREADS =~ ^[0-9]+$ && $SESAME_PORT =~ ^[0-9]+$ ]] \
  || die "concurrency, threads and port must be integers"
for b in ${BACKENDS//,/ }; do [[ $b == sqlite || $b == postgres ]] || die "unknown backend '$b' (sqlite|postgres)"; done
command -v python3 >/dev/null || die "python3 is required"
command -v curl >/dev/null || die "curl is required"

# --------------------------------------------------------------------------- cleanup
SESAME_PID=
DRIVER_PID=
PG_DB=
psql_admin() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -qAtc "$1"; }
stop_sesame() {
  local pid=$SESAME_PID i
  [[ -n $pid ]] || return 0
  SESAME_PID=
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "sesame (pid $pid) ignored SIGTERM, sending SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  wait "$pid" 2>/dev/null || true
  log "stopped sesame (pid $pid)"
}
drop_pg_db() {
  local db=$PG_DB
  [[ -n $db ]] || return 0
  PG_DB=
  psql_admin "drop database if exists $db" >/dev/null 2>&1 && log "dropped database $db" \
    || log "could not drop database $db (drop it by hand)"
}
cleanup() {
  if [[ -n $DRIVER_PID ]]; then kill -INT "$DRIVER_PID" 2>/dev/null || true; wait "$DRIVER_PID" 2>/dev/null || true; DRIVER_PID=; fi
  stop_sesame
  drop_pg_db
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

cpu_prefix() { [[ -n $1 ]] && command -v taskset >/dev/null && printf 'taskset -c %s' "$1"; return 0; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# CPU seconds (user + system) of a process, and busy seconds of the whole machine.
proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }
other_builds() { { pgrep -x rustc 2>/dev/null || true; } | wc -l; }
wait_quiet() {
  local waited=0
  while (( $(other_builds) > 0 && waited < QUIET_WAIT )); do
    (( waited == 0 )) && log "other compilations (rustc) are running; waiting up to ${QUIET_WAIT}s for a quiet machine"
    sleep 2; waited=$(( waited + 2 ))
  done
  (( $(other_builds) == 0 )) || loud "rustc is still running: the numbers below are skewed by another build"
}
machine_busy() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.2f\n", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }

# --------------------------------------------------------------------------- build
mkdir -p "$OUT" "$RAW"
SESAME_BIN=${SESAME_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/sesame}
DRIVER_BIN=
if [[ $SKIP_BUILD != 1 ]]; then
  log "cargo build --release in $ROOT (the target dir is shared: cargo may wait for its lock)"
  (cd "$ROOT" && cargo build --release) || die "cargo build --release failed"
fi
if [[ $SKIP_BUILD == 1 ]]; then   # the newest driver already built, if any
  DRIVER_BIN=$(ls -t "${CARGO_TARGET_DIR:-$ROOT/target}"/release/deps/magic_link-* 2>/dev/null | grep -v '\.d$' | head -1 || true)
fi
if [[ -z $DRIVER_BIN ]]; then
log "cargo bench --bench magic_link --no-run"
DRIVER_BIN=$(cd "$ROOT" && cargo bench --bench magic_link --no-run --message-format=json 2>"$OUT/magic_link-build.log" | python3 -c '
import json, sys
exe = ""
for line in sys.stdin:
    try: m = json.loads(line)
    except ValueError: continue
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "magic_link" and m.get("executable"):
        exe = m["executable"]
print(exe)') || true
fi
[[ -n $DRIVER_BIN && -x $DRIVER_BIN ]] || die "could not build the load driver; see $OUT/magic_link-build.log"
[[ -x $SESAME_BIN ]] || die "$SESAME_BIN not found (run without --no-build)"
log "driver: $DRIVER_BIN"
log "server: $SESAME_BIN"

# --------------------------------------------------------------------------- one backend
RESULTS=$OUT/magic_link.results.tsv
: >"$RESULTS"
json_field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null || true; }
last_json_line() { python3 -c '
import json, sys
for line in reversed(sys.stdin.read().splitlines()):
    try: o = json.loads(line)
    except ValueError: continue
    if isinstance(o, dict) and o.get("id"): print(line); break'; }
create_app() { # url name args... -> prints the JSON line
  local url=$1 name=$2; shift 2
  RUST_LOG=$SESAME_RUST_LOG "$SESAME_BIN" --database-url "$url" app create --name "$name" "$@" \
    2>>"$OUT/magic_link-app-create.log" | last_json_line
}
wait_health() { # url
  local i code
  for i in $(seq 150); do
    kill -0 "$SESAME_PID" 2>/dev/null || die "sesame exited during start-up; see its log"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1/health" 2>/dev/null || true)
    [[ $code == 200 ]] && return 0
    sleep 0.2
  done
  die "sesame did not answer 200 on $1/health within 30 s"
}

run_backend() { # backend
  local backend=$1 url db base="http://127.0.0.1:$SESAME_PORT" m2m spa m2m_id m2m_secret spa_id
  local log_file=$OUT/magic_link.$backend.sesame.log report=$OUT/magic_link.$backend.json raw=$RAW/magic_link.$backend.txt
  local cpu0 cpu1 busy0 busy1 t0 t1 rc noisy0 noisy
  port_busy "$SESAME_PORT" && die "port $SESAME_PORT is already in use (SESAME_PORT=...)"
  case $backend in
    sqlite)
      db=$OUT/magic_link.db
      rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
      : >"$db"
      url="sqlite://$db";;
    postgres)
      if ! pg_isready -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1; then
        loud "PostgreSQL is not answering on $PG_HOST:$PG_PORT; start it (e.g. 'service postgresql start' or 'pg_ctlcluster 15 main start') or run with -b sqlite"
        record "$backend" "" setup-failed; return
      fi
      PG_DB=sesame_bench_$(date +%s)_$$
      psql_admin "create database $PG_DB" >/dev/null || { PG_DB=; loud "could not create a database as $PG_USER@$PG_HOST:$PG_PORT"; record "$backend" "" setup-failed; return; }
      log "created database $PG_DB"
      if [[ $PG_HOST == /* ]]; then url="postgres://$PG_USER@/$PG_DB?host=$PG_HOST&port=$PG_PORT"
      else url="postgres://$PG_USER@$PG_HOST:$PG_PORT/$PG_DB"; fi;;
  esac
  m2m=$(create_app "$url" bench-m2m --type m2m --management-api) || true
  spa=$(create_app "$url" bench-spa --type spa --redirect-uri http://127.0.0.1:9999/callback --id-token-alg ES256) || true
  m2m_id=$(json_field "$m2m" id); m2m_secret=$(json_field "$m2m" secret); spa_id=$(json_field "$spa" id)
  if [[ -z $m2m_id || -z $m2m_secret || -z $spa_id ]]; then
    loud "$backend: 'sesame app create' failed; see $OUT/magic_link-app-create.log"; record "$backend" "" setup-failed; drop_pg_db; return
  fi
  log "$backend: apps bench-m2m=$m2m_id bench-spa=$spa_id (ES256)"
  # shellcheck disable=SC2046
  SESAME_ONE_TIME_TOKENS_PER_EMAIL_PER_HOUR=1000000000 SESAME_ONE_TIME_TOKENS_PER_APPLICATION_PER_HOUR=1000000000 \
  RUST_LOG=$SESAME_RUST_LOG $(cpu_prefix "$SERVER_CPUS") "$SESAME_BIN" --database-url "$url" \
    serve --bind "127.0.0.1:$SESAME_PORT" --public-url "$base" >"$log_file" 2>&1 &
  SESAME_PID=$!
  log "$backend: sesame started, pid $SESAME_PID (log: $log_file)"
  wait_health "$base"

  wait_quiet
  noisy0=$(other_builds)
  cpu0=$(proc_cpu "$SESAME_PID"); busy0=$(machine_busy); t0=$(date +%s.%N)
  # shellcheck disable=SC2046
  BENCH_M2M_ID=$m2m_id BENCH_M2M_SECRET=$m2m_secret BENCH_SPA_ID=$spa_id \
    $(cpu_prefix "$DRIVER_CPUS") "$DRIVER_BIN" --base-url "$base" --redirect-uri http://127.0.0.1:9999/callback \
    -c "$CONCURRENCY" -d "$DURATION" -w "$WARMUP" -t "$DRIVER_THREADS" --label "$backend" --json "$report" \
    ${EXTRA[@]+"${EXTRA[@]}"} >"$raw" 2>&1 &
  DRIVER_PID=$!
  set +e; wait "$DRIVER_PID"; rc=$?; set -e
  DRIVER_PID=
  cpu1=$(proc_cpu "$SESAME_PID"); busy1=$(machine_busy); t1=$(date +%s.%N)
  noisy=$(( noisy0 + $(other_builds) ))
  sed 's/^/    /' "$raw" >&2
  if ! kill -0 "$SESAME_PID" 2>/dev/null; then loud "$backend: SESAME DIED during the run; see $log_file"; rc=2; fi
  stop_sesame
  drop_pg_db
  if (( rc == 2 )) || [[ ! -s $report ]]; then
    loud "$backend: the driver did not run the load (pre-flight or setup failed); see $raw"
    record "$backend" "" driver-failed; return
  fi
  (( rc == 0 )) || loud "$backend: SOME FLOWS FAILED (see the failures in $raw)"
  record "$backend" "$report" "$(python3 -c 'import sys; a = [float(x) for x in sys.argv[1:]]; print(f"{a[1]-a[0]:.2f},{a[3]-a[2]:.2f},{a[5]-a[4]:.2f},{a[6]:.0f}")' \
    "$cpu0" "$cpu1" "$busy0" "$busy1" "$t0" "$t1" "$noisy")"
}
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"; }   # backend report-json cpu|error

log "load: concurrency=$CONCURRENCY driver-threads=$DRIVER_THREADS duration=$DURATION warm-up=$WARMUP backends=$BACKENDS"
for b in ${BACKENDS//,/ }; do run_backend "$b"; done
cleanup

# --------------------------------------------------------------------------- report
render() {
  python3 - "$RESULTS" "$TARGET_SQLITE" "$TARGET_POSTGRES" "$TARGET_P99_MS" "$(nproc)" <<'PY'
import json, sys
path, t_sqlite, t_pg, t_p99, ncpu = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
targets = {"sqlite": t_sqlite, "postgres": t_pg}
rows, worst, details = [], 0, []
for line in open(path):
    backend, report, extra = line.rstrip("\n").split("\t")
    target = f">= {targets[backend]:g}/s, p99 < {t_p99:g} ms"
    if not report:
        rows.append([backend, "ERR", "", "", "", target, f"ERROR ({extra})"]); worst = 2; continue
    r = json.load(open(report))
    fps, p50, p99 = r["flows_per_s"], r["flow"]["p50_ms"], r["flow"]["p99_ms"]
    if r["failed"] or not r["ok"]:
        res, code = f"ERROR ({r['failed']} failed flows)", 2
    else:
        why = [w for w, bad in (("flows/s", fps < targets[backend]), ("p99", p99 >= t_p99)) if bad]
        res, code = ("PASS", 0) if not why else ("FAIL (" + ",".join(why) + ")", 1)
    worst = max(worst, code)
    rows.append([backend, f"{fps:.0f}", f"{p50:.2f} ms", f"{p99:.2f} ms", f"{r['ok']} / {r['failed']}", target, res])
    server_cpu, busy, wall, noisy = (float(x) for x in extra.split(","))
    details.append((backend, r, server_cpu, busy, wall))
    if noisy:
        rows[-1][-1] += " (NOISY: rustc ran)"

def table(hdr, body):
    w = [max(len(str(x[j])) for x in [hdr] + body) for j in range(len(hdr))]
    fmt = lambda x: "| " + " | ".join(str(c).ljust(w[j]) for j, c in enumerate(x)) + " |"
    print(fmt(hdr)); print("|" + "|".join("-" * (n + 2) for n in w) + "|")
    for x in body: print(fmt(x))

table(["backend", "flows/s", "p50", "p99", "ok / failed", "target", "result"], rows)
if details:
    print("\nWhere the time goes (latency seen by the driver; share = the step's part of the summed flow time):\n")
    body = []
    labels = [("m2m_token", "m2m token (cached per worker)"), ("create", "POST /api/one-time-tokens"),
              ("authorize", "GET /oidc/auth with the link"), ("exchange", "POST /oidc/token (code)")]
    for backend, r, *_ in details:
        for kind, label in (("sign_in", "flow, known address"), ("register", "flow, new address")):
            s = r[kind]
            body.append([backend, label, s["n"], f"{s['p50_ms']:.2f}", f"{s['p99_ms']:.2f}", f"{s['mean_ms']:.2f}", ""])
        for key, label in labels:
            s = r["steps"][key]
            body.append([backend, label, s["n"], f"{s['p50_ms']:.2f}", f"{s['p99_ms']:.2f}", f"{s['mean_ms']:.2f}",
                         f"{100 * s['share_of_flow_time']:.0f}%"])
    table(["backend", "step", "n", "p50 ms", "p99 ms", "mean ms", "share"], body)
    print(f"\nCPU during the whole driver run (warm-up included), {ncpu} CPUs:\n")
    body = []
    for backend, r, server_cpu, busy, wall in details:
        n = max(r["all_flows_incl_warmup"], 1)
        drv = r["driver_cpu_s"]
        other = max(busy - server_cpu - drv, 0.0)
        body.append([backend, f"{100 * busy / (wall * ncpu):.0f}%", f"{1e3 * server_cpu / n:.3f}", f"{1e3 * drv / n:.3f}",
                     f"{1e3 * other / n:.3f}", f"{1e3 * busy / n:.3f}"])
    table(["backend", "machine busy", "sesame ms CPU/flow", "driver ms CPU/flow", "rest ms CPU/flow (db server, kernel, noise)", "total ms CPU/flow"], body)
    for backend, r, *_ in details:
        for f in r["failures"]:
            print(f"  !!! {backend} failures at {f['step']}: {f['status']} x{f['count']}  e.g. {f['sample'][:160]}")
sys.exit(worst)
PY
}
{
  echo "## Magic-link full flow, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "driver: c=$CONCURRENCY, $DRIVER_THREADS thread(s), $DURATION after a $WARMUP warm-up; loopback, $(nproc) CPUs;" \
       "sesame $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+uncommitted');" \
       "one-time-token creation limits lifted (SESAME_ONE_TIME_TOKENS_PER_{EMAIL,APPLICATION}_PER_HOUR=1000000000);" \
       "PostgreSQL over $([[ $PG_HOST == /* ]] && echo "its Unix socket in $PG_HOST" || echo "TCP to $PG_HOST:$PG_PORT")"
  echo
} >"$OUT/magic_link.results.md"
set +e
render >>"$OUT/magic_link.results.md"
rc=$?
set -e
echo
cat "$OUT/magic_link.results.md"
echo
log "driver output in $RAW/magic_link.*.txt, JSON in $OUT/magic_link.*.json, table in $OUT/magic_link.results.md"
exit "$rc"
