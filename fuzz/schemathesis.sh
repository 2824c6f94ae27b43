#!/usr/bin/env bash
# Schemathesis against the Management API as served: on demand, never in CI.
#
# Builds Sesame, starts it on 127.0.0.1 (a free port) over a fresh SQLite file, registers an
# m2m application with Management API access (`sesame app create`), gets a client_credentials
# token for <base>/api, and runs `st run <base>/api/openapi.json` with that bearer token and the
# checks not_a_server_error (no 5xx) and response_schema_conformance (every answer matches the
# schema the document gives for its status). Schemathesis is installed from PyPI into a venv of
# its own when missing. Sesame is stopped by pid and the database removed on exit.
#
# usage: fuzz/schemathesis.sh [-n MAX_EXAMPLES] [--release] [--seed N] [-- more st run args]
#   -n, --max-examples N   test cases per operation and phase (default 100)
#   --release              build and serve the release binary (default: the debug build,
#                          which also refuses an undocumented /api route with a 500)
#   --seed N               schemathesis' random seed (default: chosen and printed by it)
# env: ST_VENV=<repo>/target/schemathesis-venv  ST_VERSION=4.32.5  ST_WORKERS=1
#      ST_OUT=<repo>/target/schemathesis (the server log and the reports)
#      CARGO_BUILD_JOBS=1 (unless set)
# exit: schemathesis' own (0: every check passed), 2 when the set-up failed.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VENV=${ST_VENV:-$ROOT/target/schemathesis-venv}
VERSION=${ST_VERSION:-4.32.5}
WORKERS=${ST_WORKERS:-1}
OUT=${ST_OUT:-$ROOT/target/schemathesis}
MAX_EXAMPLES=100
PROFILE=debug
SEED=()
EXTRA=()

usage() { sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case $1 in
    -n|--max-examples) MAX_EXAMPLES=$2; shift 2;;
    --release) PROFILE=release; shift;;
    --seed) SEED=(--seed "$2"); shift 2;;
    -h|--help) usage; exit 0;;
    --) shift; EXTRA=("$@"); break;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2;;
  esac
done

log() { printf '[schemathesis] %s\n' "$*" >&2; }
die() { printf '[schemathesis] FATAL: %s\n' "$*" >&2; exit 2; }
command -v python3 >/dev/null || die "python3 is required"
command -v curl >/dev/null || die "curl is required"

SESAME_PID=
WORK=$(mktemp -d)
cleanup() {
  if [[ -n $SESAME_PID ]] && kill -0 "$SESAME_PID" 2>/dev/null; then
    kill -TERM "$SESAME_PID" 2>/dev/null || true
    wait "$SESAME_PID" 2>/dev/null || true
    log "stopped sesame (pid $SESAME_PID)"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

# --------------------------------------------------------------------------- schemathesis
if [[ ! -x $VENV/bin/st ]] || [[ $("$VENV/bin/st" --version 2>/dev/null) != *"$VERSION"* ]]; then
  log "installing schemathesis $VERSION into $VENV"
  python3 -m venv "$VENV" || die "could not create a venv at $VENV (python3-venv)"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$VERSION" \
    || die "could not install schemathesis from PyPI"
fi
log "$("$VENV/bin/st" --version)"

# --------------------------------------------------------------------------- sesame
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
if [[ $PROFILE == release ]]; then
  (cd "$ROOT" && cargo build --locked --release --bin sesame) || die "cargo build failed"
else
  (cd "$ROOT" && cargo build --locked --bin sesame) || die "cargo build failed"
fi
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/$PROFILE/sesame
mkdir -p "$OUT"
DB=$WORK/sesame.db
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT

app=$(RUST_LOG=warn "$BIN" --database-url "$DB" app create --name schemathesis --type m2m --management-api) \
  || die "sesame app create failed"
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
CLIENT_ID=$(field "$app" id) && CLIENT_SECRET=$(field "$app" secret) || die "unexpected app create output"

RUST_LOG=${RUST_LOG:-warn} "$BIN" --database-url "$DB" serve --bind "127.0.0.1:$PORT" --public-url "$BASE" \
  >"$OUT/sesame.log" 2>&1 &
SESAME_PID=$!
for _ in $(seq 150); do
  kill -0 "$SESAME_PID" 2>/dev/null || die "sesame exited during start-up; see $OUT/sesame.log"
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/health" || true) == 200 ]] && break
  sleep 0.2
done
log "sesame $PROFILE on $BASE (pid $SESAME_PID, log $OUT/sesame.log)"

token_json=$(curl -sS --fail-with-body -u "$CLIENT_ID:$CLIENT_SECRET" "$BASE/oidc/token" \
  -d grant_type=client_credentials --data-urlencode "resource=$BASE/api" -d scope=all) \
  || die "no Management API token: $token_json"
TOKEN=$(field "$token_json" access_token) || die "no access_token in $token_json"

# --------------------------------------------------------------------------- run
# From $OUT: schemathesis keeps its cache (.schemathesis/) in the working directory.
cd "$OUT"
st_run() { # pass-name, st run options...
  local pass=$1; shift
  "$VENV/bin/st" run "$BASE/api/openapi.json" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples "$MAX_EXAMPLES" --workers "$WORKERS" --request-timeout 10 \
    --report junit --report-junit-path "$OUT/junit-$pass.xml" \
    "$@" "${SEED[@]}" "${EXTRA[@]}"
}
# Schemathesis reuses the ids it saw in responses: once it deletes the application whose token
# it holds (listed by GET /applications), every later request is a 401 and tests nothing. So
# that one operation runs last, on its own.
lost() { grep -c 'the application behind this token no longer exists' "$OUT/sesame.log" || true; }
set +e
log "pass 1: every operation but deleteApplication (max ${MAX_EXAMPLES} examples per operation)"
st_run all-but-delete-application --exclude-operation-id deleteApplication
rc=$?
(( $(lost) == 0 )) || { log "pass 1 lost its token (the application was deleted): its results are partial"; rc=2; }
log "pass 2: deleteApplication"
st_run delete-application --include-operation-id deleteApplication
rc2=$?
set -e
(( rc2 == 0 )) || (( rc != 0 )) || rc=$rc2
if ! kill -0 "$SESAME_PID" 2>/dev/null; then
  log "SESAME DIED during the run; see $OUT/sesame.log"
  rc=2
fi
if grep -qE ' ERROR |panicked' "$OUT/sesame.log"; then
  log "the server logged errors (see $OUT/sesame.log):"
  grep -E ' ERROR |panicked' "$OUT/sesame.log" | head -20 >&2
fi
log "schemathesis exited $rc (0: no 5xx and every answer matched its schema in both passes)"
exit "$rc"
