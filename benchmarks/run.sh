#!/usr/bin/env bash
# One command for issue 6: builds the harness in Release, then on SQLite and on PostgreSQL seeds 100 tenants
# at growing sizes, starts the benchmark host in its own process, drives HTTP load at it from the harness
# process and prints a table of CustomerCare vs raw EF Core baselines; then BenchmarkDotNet on the Core
# managers (allocations per call, top allocating types).
#
#   bash benchmarks/run.sh                                   # 10k, 100k and 1M tickets on both databases
#   SCALES=10000,100000 bash benchmarks/run.sh               # smaller
#   SQLITE_SCALES=10000,100000 bash benchmarks/run.sh        # 1M on PostgreSQL only
#   bash benchmarks/run.sh --seconds 10 --rounds 4           # longer blocks (extra arguments go to both runs)
#
# PostgreSQL: CUSTOMERCARE_BENCH_POSTGRES (an Npgsql connection string of a server where the harness may
# create and drop a database); without it, a throwaway cluster is started from the local postgresql
# binaries (fsync off, loopback only) and removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALES=${SCALES:-10000,100000,1000000}
SQLITE_SCALES=${SQLITE_SCALES:-$SCALES}

dotnet build benchmarks/CustomerCare.Benchmarks -c Release --nologo -v quiet
BIN=benchmarks/CustomerCare.Benchmarks/bin/Release/net10.0/CustomerCare.Benchmarks.dll

PGDIR=""
cleanup() {
  if [ -n "$PGDIR" ]; then
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
    else "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$PGDIR"
  fi
}
trap cleanup EXIT

if [ -z "${CUSTOMERCARE_BENCH_POSTGRES:-}" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$PGBIN" ] && [ -x "$PGBIN/pg_ctl" ]; then
    PGDIR=$(mktemp -d /tmp/cc-bench-pg.XXXXXX)
    PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    [ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
    run "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust >/dev/null
    run "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c shared_buffers=512MB" start >/dev/null
    export CUSTOMERCARE_BENCH_POSTGRES="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
    echo "started a throwaway PostgreSQL on port $PGPORT"
  else
    echo "no PostgreSQL: set CUSTOMERCARE_BENCH_POSTGRES or install postgresql; running SQLite only" >&2
  fi
fi

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), .NET $(dotnet --version)"
dotnet "$BIN" scale --provider sqlite --scales "$SQLITE_SCALES" "$@"
if [ -n "${CUSTOMERCARE_BENCH_POSTGRES:-}" ]; then
  dotnet "$BIN" scale --provider postgres --scales "$SCALES" "$@"
fi
dotnet "$BIN" managers
