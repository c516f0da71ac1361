# A throwaway PostgreSQL 15 server for the test suite.
#
#   source scripts/pg_test_server.sh
#   pg_test_start          # sets and exports PG_TEST_PORT, PG_TEST_DIR, PG_TEST_URL_BASE
#   ... DATABASE_URL="$PG_TEST_URL_BASE/vanguard_test_base" pytest ...
#   pg_test_stop           # stops the server and deletes its directory (safe to call twice)
#
# Or run it directly to check it works:  bash scripts/pg_test_server.sh selftest
#
# PostgreSQL refuses to run as root, so as root the server runs as the unprivileged system user
# `vanguard-pg` (created on first use); as any other user it runs as that user. The data lives
# in a fresh mktemp directory, listens on 127.0.0.1 and a free port, trusts local connections
# (user `postgres`) and skips fsync: it exists only for the length of one test run.
#
# Autovacuum is off. Every test inserts inside a transaction it rolls back, so autovacuum only ever
# sees empty tables with dead rows and ANALYZE records 0 rows on N pages; the planner then believes
# every table holds one row and nests loops over tables a test has just filled (a 4-join roster
# query took 100 s on the demo data). Never analysed, a table is estimated from its real size.

# shellcheck shell=bash

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_TEST_OS_USER="${PG_TEST_OS_USER:-vanguard-pg}"
PG_TEST_DIR=""
PG_TEST_PORT=""

_pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u "$PG_TEST_OS_USER" -- "$@")
    else
        (cd / && "$@")
    fi
}

_pg_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_test_start() {
    [ -x "$PG_BIN/initdb" ] || { echo "pg_test_server: $PG_BIN/initdb not found (apt-get install postgresql-15)" >&2; return 1; }
    if [ "$(id -u)" -eq 0 ] && ! id -u "$PG_TEST_OS_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_TEST_OS_USER"
    fi
    PG_TEST_DIR="$(mktemp -d "${TMPDIR:-/tmp}/vanguard-pg.XXXXXX")"
    chmod 700 "$PG_TEST_DIR"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$PG_TEST_OS_USER": "$PG_TEST_DIR"
    fi
    local data="$PG_TEST_DIR/data" initlog="$PG_TEST_DIR/initdb.log"
    if ! _pg_as_owner "$PG_BIN/initdb" -D "$data" -U postgres -A trust --encoding=UTF8 --locale=C.UTF-8 >"$initlog" 2>&1; then
        rm -rf "$data"
        if ! _pg_as_owner "$PG_BIN/initdb" -D "$data" -U postgres -A trust --encoding=UTF8 --locale=C >"$initlog" 2>&1; then
            cat "$initlog" >&2
            echo "pg_test_server: initdb failed" >&2
            return 1
        fi
    fi
    local attempt
    for attempt in 1 2 3; do
        PG_TEST_PORT="$(_pg_free_port)"
        if _pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$PG_TEST_DIR/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -c port=$PG_TEST_PORT -c unix_socket_directories=$PG_TEST_DIR -c fsync=off -c autovacuum=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >/dev/null; then
            export PG_TEST_DIR PG_TEST_PORT
            export PG_TEST_URL_BASE="postgres://postgres@127.0.0.1:$PG_TEST_PORT"
            echo "pg_test_server: PostgreSQL 15 on 127.0.0.1:$PG_TEST_PORT (data in $PG_TEST_DIR)" >&2
            return 0
        fi
        echo "pg_test_server: start attempt $attempt failed (port $PG_TEST_PORT):" >&2
        tail -n 20 "$PG_TEST_DIR/server.log" >&2 || true
    done
    return 1
}

pg_test_stop() {
    [ -n "$PG_TEST_DIR" ] || return 0
    if [ -f "$PG_TEST_DIR/data/postmaster.pid" ]; then
        _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_TEST_DIR"
    PG_TEST_DIR=""
    PG_TEST_PORT=""
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-}" in
        selftest)
            trap pg_test_stop EXIT
            pg_test_start
            dir="$PG_TEST_DIR"
            "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_TEST_PORT" -U postgres -d postgres -Atc 'select version()'
            pg_test_stop
            if [ -e "$dir" ]; then echo "selftest: FAIL, $dir still exists" >&2; exit 1; fi
            echo "selftest: OK (server stopped, $dir removed)"
            ;;
        *)
            echo "usage: source $0 (then pg_test_start / pg_test_stop), or: bash $0 selftest" >&2
            exit 2
            ;;
    esac
fi
