#!/usr/bin/env bash
# Benchmarks on the M data set (3,000 orgs, 60,000 people) on a throwaway PostgreSQL 15:
#
#   bash benchmarks/run.sh
#
# Sets up the checkout (scripts/setup.sh --dev), starts PostgreSQL (scripts/pg_test_server.sh),
# migrates a fresh database, runs `seed_demo --scale M` (timed), starts gunicorn on a free
# loopback port with DEBUG off (--workers 4), then prints:
#   - load.py: every busy page (the layout alone, /bench/layout/, as three roles; the profile page; the
#     people list plain, searched and as a scoped secretary; the org tree and list; the plans,
#     meetings and tasks lists; every API list) with one client and with 16, each as a
#     multiple of the latency and a share of the throughput of the bare view /bench/bare/
#     (benchmarks/settings.py), measured before the first page and after each one;
#   - import_export.py: time to export all people as .xlsx over HTTP, time to import a
#     10,000-row roster with `manage.py import_roster`.
# Targets (issue 10): at 16 clients every list page and API list >= 15% of the bare view's
# req/s; one client: the layout <= 2x the bare view's time, each list <= 8x; import < 30 s,
# export < 10 s. The server and the database are stopped and removed on exit, also on failure.
# Tunables (environment): REQUESTS=400 CONCURRENCY=16 WORKERS=4 IMPORT_ROWS=10000 SCALE=M.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

REQUESTS="${REQUESTS:-400}"
CONCURRENCY="${CONCURRENCY:-16}"
WORKERS="${WORKERS:-4}"
IMPORT_ROWS="${IMPORT_ROWS:-10000}"
SCALE="${SCALE:-M}"

bash scripts/setup.sh --dev
PY="$PWD/.venv/bin/python"

# shellcheck source=scripts/pg_test_server.sh
. scripts/pg_test_server.sh

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vanguard-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$rc" -ne 0 ] && [ -s "$WORK/gunicorn.log" ]; then
        echo "--- gunicorn log (last 40 lines) ---" >&2
        tail -n 40 "$WORK/gunicorn.log" >&2 || true
    fi
    pg_test_stop
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg_test_start
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_TEST_PORT" -U postgres vanguard_bench

# Production-like, but plain http on loopback: vanguard.settings with DEBUG off, plus the
# bare view that load.py measures every page against (benchmarks/settings.py).
export DJANGO_SETTINGS_MODULE=benchmarks.settings
export DATABASE_URL="$PG_TEST_URL_BASE/vanguard_bench"
export DEBUG=false
export SECRET_KEY="benchmark-only-$(date +%s)-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
export ALLOWED_HOSTS=127.0.0.1,localhost
export LOG_LEVEL=WARNING
export VANGUARD_VAR_DIR="$WORK/var"
export MEDIA_ROOT="$WORK/media"
export STATIC_ROOT="${STATIC_ROOT:-$PWD/var/staticfiles}"
mkdir -p "$VANGUARD_VAR_DIR" "$MEDIA_ROOT"

log "migrate"
"$PY" manage.py migrate --noinput -v 0
if [ ! -f "$STATIC_ROOT/staticfiles.json" ]; then
    log "collectstatic"
    "$PY" manage.py collectstatic --noinput -v 0
fi

log "seed_demo --scale $SCALE"
seed_started=$EPOCHREALTIME
"$PY" manage.py seed_demo --scale "$SCALE" >"$WORK/seed.log"
seed_seconds=$(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $seed_started }")
head -n 1 "$WORK/seed.log"
# A freshly bulk-loaded database has no planner statistics yet; autovacuum would gather them
# shortly, so gather them now rather than measure the first minutes of an unanalysed database.
"$PG_BIN/vacuumdb" -h 127.0.0.1 -p "$PG_TEST_PORT" -U postgres --analyze-only --quiet vanguard_bench

PORT="$(_pg_free_port)"
log "gunicorn on 127.0.0.1:$PORT ($WORKERS workers)"
"$PWD/.venv/bin/gunicorn" vanguard.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
    --access-logfile /dev/null --error-logfile "$WORK/gunicorn.log" --timeout 300 &
SERVER_PID=$!
for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || die "gunicorn exited; see the log above"
    sleep 0.2
done

echo
echo "== Vanguard benchmarks: scale $SCALE on PostgreSQL 15, gunicorn --workers $WORKERS, $(nproc) CPUs =="
echo "seed_demo --scale $SCALE: ${seed_seconds} s wall clock incl. start-up ($(head -n 1 "$WORK/seed.log" | sed 's/.* in //') in the command)"
rc=0
"$PY" benchmarks/load.py --base "http://127.0.0.1:$PORT" --requests "$REQUESTS" --concurrency "$CONCURRENCY" || rc=1
echo
"$PY" benchmarks/import_export.py --base "http://127.0.0.1:$PORT" --rows "$IMPORT_ROWS" || rc=1
echo
if [ "$rc" -ne 0 ]; then
    echo "benchmarks: some requests or steps FAILED (see errors above)" >&2
fi
exit "$rc"
