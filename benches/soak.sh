#!/usr/bin/env bash
# Soak: two Sesame instances behind one public URL on one fresh PostgreSQL database, a paced
# mixed load for 10 minutes (magic links, password sign-ins through the hosted page, refresh
# tokens, client_credentials, Management API reads; the driver is benches/soak/), clean-up on
# with short lifetimes so that the tables can level off within the run. Reports errors, each
# instance's RSS at the start and the end, p99 per kind per minute, and the rows of every
# table per minute, and judges them (see benches/README.md, "Soak"). Loopback only, bounded in
# time; the instances are stopped by pid and the database dropped on exit, whatever happens.
#
# usage: benches/soak.sh [-d DURATION] [-w WARMUP] [-r RATE] [-c CONCURRENCY]
#                        [--no-build (no release build; the driver is built if out of date)]
#                        [-- driver args, e.g. --mix magic_link=1,refresh=1]
# env (flags win): DURATION=10m WARMUP=1m RATE=100 (operations/s) CONCURRENCY=16
#                  PORT_A=3961 PORT_B=3962 SKIP_BUILD=0 NICE=10 (the driver's niceness)
#                  PG_HOST= (a socket directory or host; default the local socket, else
#                  127.0.0.1) PG_PORT=5432 PG_USER=postgres  BENCH_OUT=<repo>/benches/out
#                  TTL=30 (seconds: access, ID and refresh tokens, codes, sessions,
#                  interactions)  CLEANUP_INTERVAL=30 (seconds)  SESAME_RUST_LOG=warn
#                  SESAME_BIN=<target>/release/sesame (with --no-build: another binary)
# exit: 0 every criterion met, 1 one was not, 2 setup failed.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${BENCH_OUT:-$HERE/out}/soak

DURATION=${DURATION:-10m}
WARMUP=${WARMUP:-1m}
RATE=${RATE:-100}
CONCURRENCY=${CONCURRENCY:-16}
PORT_A=${PORT_A:-3961}
PORT_B=${PORT_B:-3962}
SKIP_BUILD=${SKIP_BUILD:-0}
NICE=${NICE:-10}
TTL=${TTL:-30}
CLEANUP_INTERVAL=${CLEANUP_INTERVAL:-30}
SESAME_RUST_LOG=${SESAME_RUST_LOG:-warn}
PG_PORT=${PG_PORT:-5432}
if [[ -z ${PG_HOST:-} ]]; then
  if [[ -S /var/run/postgresql/.s.PGSQL.$PG_PORT ]]; then PG_HOST=/var/run/postgresql; else PG_HOST=127.0.0.1; fi
fi
PG_USER=${PG_USER:-postgres}
EXTRA=()

usage() { sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case $1 in
    -d|--duration)    DURATION=$2; shift 2;;
    -w|--warmup)      WARMUP=$2; shift 2;;
    -r|--rate)        RATE=$2; shift 2;;
    -c|--concurrency) CONCURRENCY=$2; shift 2;;
    --no-build)       SKIP_BUILD=1; shift;;
    -h|--help)        usage; exit 0;;
    --)               shift; EXTRA=("$@"); break;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2;;
  esac
done

log() { printf '[soak] %s\n' "$*" >&2; }
die() { printf '[soak] FATAL: %s\n' "$*" >&2; exit 2; }
for n in "$PORT_A" "$PORT_B" "$TTL" "$CLEANUP_INTERVAL" "$CONCURRENCY" "$NICE"; do
  [[ $n =~ ^[0-9]+$ ]] || die "ports, TTL, CLEANUP_INTERVAL, CONCURRENCY and NICE are whole numbers"
done
command -v curl >/dev/null || die "curl is required"
command -v psql >/dev/null || die "psql is required"

# --------------------------------------------------------------------------- clean-up
PIDS=()
PG_DB=
WATCH_PID=
psql_admin() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -qAtc "$1"; }
cleanup() {
  local pid i
  [[ -z $WATCH_PID ]] || { kill "$WATCH_PID" 2>/dev/null || true; wait "$WATCH_PID" 2>/dev/null || true; WATCH_PID=; }
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do
    kill -TERM "$pid" 2>/dev/null || continue
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    log "stopped sesame (pid $pid)"
  done
  PIDS=()
  if [[ -n $PG_DB ]]; then
    psql_admin "drop database if exists $PG_DB" >/dev/null 2>&1 && log "dropped database $PG_DB" \
      || log "could not drop database $PG_DB (drop it by hand)"
    PG_DB=
  fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

# --------------------------------------------------------------------------- build
SESAME_BIN=${SESAME_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/sesame}
mkdir -p "$OUT"
if [[ $SKIP_BUILD != 1 ]]; then
  log "cargo build --release; cargo bench --bench soak --no-run"
  (cd "$ROOT" && cargo build --release --locked) || die "cargo build --release failed"
fi
# `cargo bench --no-run` names the driver it built (or found up to date): "Executable ... (path)".
DRIVER_BIN=$(cd "$ROOT" && cargo bench --locked --bench soak --no-run 2>&1 \
  | sed -n 's/^ *Executable .*(\(.*\))$/\1/p' | tail -1)
[[ -n $DRIVER_BIN ]] || die "could not build the soak driver (cargo bench --bench soak --no-run)"
[[ $DRIVER_BIN == /* ]] || DRIVER_BIN=$ROOT/$DRIVER_BIN
[[ -x $SESAME_BIN ]] || die "$SESAME_BIN not found (run without --no-build)"

# --------------------------------------------------------------------------- database, apps
pg_isready -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1 || die "PostgreSQL is not answering on $PG_HOST:$PG_PORT"
PG_DB=sesame_soak_$(date +%s)_$$
psql_admin "create database $PG_DB" >/dev/null || { PG_DB=; die "could not create a database as $PG_USER"; }
log "created database $PG_DB"
if [[ $PG_HOST == /* ]]; then DB_URL="postgres://$PG_USER@/$PG_DB?host=$PG_HOST&port=$PG_PORT"
else DB_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/$PG_DB"; fi
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<<"$2" | tail -1; }
app() { RUST_LOG=$SESAME_RUST_LOG "$SESAME_BIN" --database-url "$DB_URL" app create "$@" 2>>"$OUT/app-create.log"; }
M2M=$(app --name soak-m2m --type m2m --management-api) || die "sesame app create failed; see $OUT/app-create.log"
SPA=$(app --name soak-spa --type spa --redirect-uri http://127.0.0.1:9999/callback --id-token-alg ES256) \
  || die "sesame app create failed; see $OUT/app-create.log"

# --------------------------------------------------------------------------- two instances
PUBLIC=http://127.0.0.1:$PORT_A   # both answer as this URL, as behind one load balancer
start_instance() { # name port
  local name=$1 port=$2 i
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && die "port $port is in use (PORT_A, PORT_B)"
  SESAME_CLEANUP_INTERVAL_SECS=$CLEANUP_INTERVAL \
  SESAME_ACCESS_TOKEN_TTL_SECS=$TTL SESAME_ID_TOKEN_TTL_SECS=$TTL SESAME_REFRESH_TOKEN_TTL_SECS=$TTL \
  SESAME_AUTHORIZATION_CODE_TTL_SECS=$TTL SESAME_SESSION_TTL_SECS=$TTL SESAME_INTERACTION_TTL_SECS=$TTL \
  SESAME_ONE_TIME_TOKEN_RETENTION_DAYS=1 SESAME_AUDIT_RETENTION_DAYS=1 \
  SESAME_ONE_TIME_TOKENS_PER_EMAIL_PER_HOUR=1000000000 SESAME_ONE_TIME_TOKENS_PER_APPLICATION_PER_HOUR=1000000000 \
  RUST_LOG=$SESAME_RUST_LOG "$SESAME_BIN" --database-url "$DB_URL" \
    serve --bind "127.0.0.1:$port" --public-url "$PUBLIC" >"$OUT/sesame-$name.log" 2>&1 &
  PIDS+=("$!")
  for i in $(seq 150); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/health" || true) == 200 ]] && break
    kill -0 "${PIDS[-1]}" 2>/dev/null || die "sesame $name exited during start-up; see $OUT/sesame-$name.log"
    sleep 0.2
  done
  log "sesame $name: pid ${PIDS[-1]} on 127.0.0.1:$port"
}
start_instance a "$PORT_A"
start_instance b "$PORT_B"

# Whether compilers ran during the run (the machine is shared): one look every 10 s.
( while true; do printf '%s\n' "$({ pgrep -x rustc || true; } | wc -l)"; sleep 10; done ) >"$OUT/rustc.looks" &
WATCH_PID=$!

# The clean-up keeps a table level once its oldest rows pass the lifetime, the clean-up's
# margin (5 minutes past expiry) and two clean-up intervals; a refresh token family lives up
# to a minute longer than its first token.
STEADY_AFTER=$(( TTL + 300 + 2 * CLEANUP_INTERVAL + 60 ))s
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
set +e
BENCH_M2M_ID=$(field id "$M2M") BENCH_M2M_SECRET=$(field secret "$M2M") BENCH_SPA_ID=$(field id "$SPA") \
SOAK_DATABASE_URL=$DB_URL nice -n "$NICE" "$DRIVER_BIN" \
  -u "http://127.0.0.1:$PORT_A" -u "http://127.0.0.1:$PORT_B" --pid "a=${PIDS[0]}" --pid "b=${PIDS[1]}" \
  -d "$DURATION" -w "$WARMUP" -r "$RATE" -c "$CONCURRENCY" --steady-after "$STEADY_AFTER" \
  --json "$OUT/soak.json" ${EXTRA[@]+"${EXTRA[@]}"} >"$OUT/soak.txt"
rc=$?
set -e
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
kill "$WATCH_PID" 2>/dev/null || true; wait "$WATCH_PID" 2>/dev/null || true; WATCH_PID=
for i in 0 1; do kill -0 "${PIDS[$i]}" 2>/dev/null || { log "SESAME $([[ $i == 0 ]] && echo a || echo b) DIED during the run"; rc=2; }; done
cleanup

looks=$(wc -l <"$OUT/rustc.looks"); busy=$(grep -vc '^0$' "$OUT/rustc.looks" || true)
{
  echo "## Soak, $(date -u +%Y-%m-%dT%H:%MZ), sesame $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+uncommitted')"
  echo
  echo "Two instances (a, b) on one PostgreSQL database ($([[ $PG_HOST == /* ]] && echo "Unix socket" || echo "TCP $PG_HOST:$PG_PORT")), $(nproc) CPUs;" \
       "lifetimes ${TTL} s, clean-up every ${CLEANUP_INTERVAL} s, tables judged level from ${STEADY_AFTER} of load;" \
       "load average ${LOAD_BEFORE} before, ${LOAD_AFTER} after; rustc running in ${busy} of ${looks} looks (every 10 s)."
  echo
  cat "$OUT/soak.txt"
} >"$OUT/soak.results.md"
cat "$OUT/soak.results.md"
log "report in $OUT/soak.results.md, JSON in $OUT/soak.json, server logs in $OUT/sesame-{a,b}.log"
exit "$rc"
