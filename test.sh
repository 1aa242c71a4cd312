#!/usr/bin/env bash
# Runs the whole test suite: `bash test.sh [extra dotnet test args...]`
#
# Before running the tests it starts throwaway instances of the services the
# tests use (PostgreSQL, Redis, an SMTP sink) when their binaries are installed
# and the matching CUSTOMERCARE_TEST_* variable is not already set, and points
# the tests at them through these variables:
#
#   CUSTOMERCARE_TEST_POSTGRES       Npgsql connection string
#   CUSTOMERCARE_TEST_REDIS          host:port
#   CUSTOMERCARE_TEST_SMTP           host:port of an SMTP sink
#   CUSTOMERCARE_TEST_SMTP_MAILDIR   Maildir the sink delivers into
#   CUSTOMERCARE_TEST_CHROMIUM       path of the Chromium executable
#
# Set a variable yourself to use your own instance instead. Tests that need an
# absent service skip with a visible reason; with CI=true any skip fails the run.
# Everything started here is stopped, and its temp dir removed, on exit.
#
# The last line printed is always `N passed, N failed, N skipped` (from TRX).
#
# Debug mode: `TEST_SH_SERVICES_ONLY=1 bash test.sh` only starts the services,
# prints the exported variables, checks each service answers, and stops them.
# shellcheck disable=SC2317,SC2012  # cleanup/probes are called indirectly; ls of known paths
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

RESULTS="$PWD/TestResults"
TMP_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/customercare-test.XXXXXX")"
# When root, the postgres user must be able to traverse into its data dir.
chmod 0755 "$TMP_ROOT"

# Prefer Debian's python3: it is the one python3-aiosmtpd installs into, and
# it exists on CI. Fall back to whatever python3 is on PATH.
if [[ -x /usr/bin/python3 ]]; then PYTHON=/usr/bin/python3
else PYTHON="$(command -v python3 || true)"; fi

log() { echo "test.sh: $*" >&2; }

# ---------------------------------------------------------------- cleanup ---

PG_BIN=""       # set when we started PostgreSQL
PG_DATA=""
PG_AS=()        # command prefix to run PostgreSQL tools as its owner
BG_PIDS=()      # background services we started (redis, smtp sink)

cleanup() {
    local pid
    set +e
    if [[ -n "$PG_BIN" ]]; then
        # Throwaway cluster: "immediate" skips the shutdown checkpoint.
        "${PG_AS[@]}" "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 20 >/dev/null 2>&1
    fi
    for pid in "${BG_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    # Give them up to 5s to exit, then force it (never hang on the way out).
    for pid in "${BG_PIDS[@]}"; do
        for _ in {1..50}; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    rm -rf "$TMP_ROOT"
}
trap cleanup EXIT
# Turn signals into a normal exit so the EXIT trap runs.
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers ---

# Prints a TCP port on 127.0.0.1 that nothing is bound to right now.
free_port() {
    if [[ -n "$PYTHON" ]]; then
        "$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
        return
    fi
    local port
    for ((port = 55432; port < 56432; port++)); do
        port_open "$port" || { echo "$port"; return; }
    done
    log "no free port found"; return 1
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_until SECONDS DESCRIPTION PID COMMAND...: polls COMMAND every 0.1s until
# it succeeds. Fails early if PID (when not empty) has died, and on timeout.
wait_until() {
    local timeout=$1 what=$2 pid=$3 i
    shift 3
    for ((i = 0; i < timeout * 10; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            log "$what exited before accepting connections"; return 1
        fi
        sleep 0.1
    done
    log "$what did not accept connections within ${timeout}s"; return 1
}

# --------------------------------------------------------------- services ---

start_postgres() {
    [[ -z "${CUSTOMERCARE_TEST_POSTGRES:-}" ]] || return 0
    local initdb
    # Newest installed major version (sort -V so that 9.6 < 15 < 16).
    initdb="$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$initdb" ]] || { log "PostgreSQL not installed; its tests will skip"; return 0; }
    local bin="${initdb%/initdb}" dir="$TMP_ROOT/pg" port
    PG_DATA="$dir/data"

    mkdir -p "$dir/sock"
    # initdb/postgres refuse to run as root, so as root run them as `postgres`.
    if [[ $EUID -eq 0 ]]; then
        if ! id -u postgres >/dev/null 2>&1; then
            log "running as root but there is no 'postgres' user; PostgreSQL tests will skip"
            return 0
        fi
        chown -R postgres: "$dir"
        PG_AS=(runuser -u postgres --)
    else
        PG_AS=(env)   # a no-op prefix: run as the current user
    fi

    # trust auth makes the password irrelevant, but give the superuser one
    # anyway so the connection string also works if auth is ever tightened.
    echo postgres >"$dir/pwfile"
    [[ $EUID -ne 0 ]] || chown postgres: "$dir/pwfile"
    "${PG_AS[@]}" "$bin/initdb" -D "$PG_DATA" -U postgres --pwfile="$dir/pwfile" \
        --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; log "initdb failed"; return 1; }

    port="$(free_port)"
    # Disposable cluster: durability off for speed; many connections because
    # test classes run in parallel, each with its own Npgsql pool.
    cat >>"$PG_DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
EOF
    cat >"$PG_DATA/pg_hba.conf" <<EOF
local all all              trust
host  all all 127.0.0.1/32 trust
EOF

    # Mark as started before pg_ctl so the EXIT trap stops it even if the
    # readiness wait below fails.
    PG_BIN="$bin"
    "${PG_AS[@]}" "$bin/pg_ctl" start -D "$PG_DATA" -l "$dir/server.log" -w -t 30 >/dev/null \
        || { cat "$dir/server.log" >&2; log "PostgreSQL failed to start"; return 1; }
    wait_until 30 PostgreSQL "" "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres \
        || { cat "$dir/server.log" >&2; return 1; }

    export CUSTOMERCARE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Password=postgres;Database=postgres;Pooling=true;Include Error Detail=false"
    log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

start_redis() {
    [[ -z "${CUSTOMERCARE_TEST_REDIS:-}" ]] || return 0
    command -v redis-server >/dev/null || { log "redis-server not installed; its tests will skip"; return 0; }
    local dir="$TMP_ROOT/redis" port pid
    mkdir -p "$dir"
    port="$(free_port)"
    # No persistence (nothing written to disk), kept in the foreground as our
    # child so that we know its pid and can stop it.
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
        --daemonize no --dir "$dir" --logfile '' >"$dir/server.log" 2>&1 &
    pid=$!
    BG_PIDS+=("$pid")
    if command -v redis-cli >/dev/null; then
        wait_until 15 Redis "$pid" redis_ping "$port" || { cat "$dir/server.log" >&2; return 1; }
    else
        wait_until 15 Redis "$pid" port_open "$port" || { cat "$dir/server.log" >&2; return 1; }
    fi
    export CUSTOMERCARE_TEST_REDIS="127.0.0.1:$port"
    log "Redis on $CUSTOMERCARE_TEST_REDIS"
}

redis_ping() {
    [[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == PONG ]]
}

start_smtp() {
    [[ -z "${CUSTOMERCARE_TEST_SMTP:-}" ]] || return 0
    # aiosmtpd comes from Debian's python3-aiosmtpd, i.e. /usr/bin/python3.
    if ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
        log "aiosmtpd not installed (python3-aiosmtpd); SMTP tests will skip"; return 0
    fi
    local dir="$TMP_ROOT/smtp" maildir="$TMP_ROOT/smtp/maildir" port pid
    mkdir -p "$maildir"/{cur,new,tmp}
    port="$(free_port)"
    # -n: don't setuid to nobody. Mailbox writes each message into the Maildir.
    /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$port" \
        -c aiosmtpd.handlers.Mailbox "$maildir" >"$dir/server.log" 2>&1 &
    pid=$!
    BG_PIDS+=("$pid")
    wait_until 15 "SMTP sink" "$pid" port_open "$port" || { cat "$dir/server.log" >&2; return 1; }
    export CUSTOMERCARE_TEST_SMTP="127.0.0.1:$port"
    export CUSTOMERCARE_TEST_SMTP_MAILDIR="$maildir"
    log "SMTP sink on $CUSTOMERCARE_TEST_SMTP delivering to $maildir"
}

find_chromium() {
    [[ -z "${CUSTOMERCARE_TEST_CHROMIUM:-}" ]] || return 0
    if [[ -x /usr/bin/chromium ]]; then
        export CUSTOMERCARE_TEST_CHROMIUM=/usr/bin/chromium
        log "Chromium at $CUSTOMERCARE_TEST_CHROMIUM"
    else
        log "Chromium not installed; browser tests will skip"
    fi
}

# Debug mode: show what was started and check that each service answers.
services_only() {
    local rc=0 out port
    env | grep '^CUSTOMERCARE_TEST_' | sort || true
    if [[ -n "$PG_BIN" ]]; then
        port="${CUSTOMERCARE_TEST_POSTGRES#*Port=}"; port="${port%%;*}"
        out="$("$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -XAtc 'select 1' 2>&1)" || rc=1
        echo "postgres select 1: $out"
    fi
    if [[ -n "${CUSTOMERCARE_TEST_REDIS:-}" ]] && command -v redis-cli >/dev/null; then
        out="$(redis-cli -h "${CUSTOMERCARE_TEST_REDIS%:*}" -p "${CUSTOMERCARE_TEST_REDIS##*:}" ping 2>&1)" || rc=1
        echo "redis ping: $out"
    fi
    if [[ -n "${CUSTOMERCARE_TEST_SMTP_MAILDIR:-}" && -n "$PYTHON" ]]; then
        out="$("$PYTHON" -c 'import smtplib, sys
h, p = sys.argv[1].rsplit(":", 1)
with smtplib.SMTP(h, int(p), timeout=10) as s:
    s.sendmail("a@example.test", ["b@example.test"], "Subject: test.sh\r\n\r\nhello\r\n")
print("sent")' "$CUSTOMERCARE_TEST_SMTP" 2>&1)" || rc=1
        sleep 0.2
        echo "smtp: $out; $(ls "$CUSTOMERCARE_TEST_SMTP_MAILDIR/new" | wc -l) message(s) in the Maildir"
    fi
    return "$rc"
}

start_postgres
start_redis
start_smtp
find_chromium

if [[ "${TEST_SH_SERVICES_ONLY:-}" == 1 ]]; then
    services_only
    exit $?
fi

# ------------------------------------------------------------------ tests ---

rm -rf "$RESULTS"
mkdir -p "$RESULTS"

# Keep going on failure: the summary below must still be printed.
dotnet_rc=0
dotnet test CustomerCare.sln -c Release --logger "trx" --results-directory "$RESULTS" "$@" \
    || dotnet_rc=$?

if [[ -z "$PYTHON" ]]; then
    log "python3 is needed to summarise the TRX results"
    echo "0 passed, 0 failed, 0 skipped"
    exit 1
fi

# Summarise the TRX files. Prints skipped tests, the reasons the run counts as
# failed, and finally the one summary line; exits 1 when the run failed.
summary_rc=0
DOTNET_RC="$dotnet_rc" "$PYTHON" - "$RESULTS" <<'PY' || summary_rc=$?
import glob, os, sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
results_dir = sys.argv[1]
files = sorted(glob.glob(os.path.join(results_dir, "**", "*.trx"), recursive=True))

passed = failed = 0
skipped = []          # (name, message)
problems = []

for path in files:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        problems.append(f"cannot parse {path}: {e}")
        continue
    for r in root.iter(f"{{{NS['t']}}}UnitTestResult"):
        # Data-driven results nest their cases under InnerResults; count the
        # cases, not the parent (xunit does not nest, so normally a no-op).
        if r.find("t:InnerResults", NS) is not None:
            continue
        outcome = r.get("outcome", "")
        if outcome == "Passed":
            passed += 1
        elif outcome == "NotExecuted":
            texts = [e.text.strip() for q in ("t:Output/t:StdOut", "t:Output/t:ErrorInfo/t:Message")
                     for e in r.findall(q, NS) if e.text and e.text.strip()]
            skipped.append((r.get("testName", "?"), " | ".join(texts) or "(no reason given)"))
        else:
            failed += 1

if skipped:
    print(f"\nSkipped tests ({len(skipped)}):")
    for name, msg in sorted(skipped):
        print(f"  {name}: {msg}")

rc = int(os.environ.get("DOTNET_RC", "0"))
if rc != 0:
    problems.append(f"dotnet test exited with code {rc}")
if failed:
    problems.append(f"{failed} test(s) failed")
if not files:
    problems.append(f"no TRX file found in {results_dir}")
elif passed + failed == 0:
    problems.append("no test ran")
if skipped and os.environ.get("CI") == "true":
    problems.append(f"{len(skipped)} test(s) skipped, which CI does not allow (a service is missing)")

print()
for p in problems:
    print(f"FAILED: {p}")
print(f"{passed} passed, {failed} failed, {len(skipped)} skipped")
sys.exit(1 if problems else 0)
PY

exit "$summary_rc"
