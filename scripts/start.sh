#!/usr/bin/env bash
# The Start command: a working instance with demo data on http://127.0.0.1:${PORT:-8000}.
#
#   bash scripts/start.sh            (PORT=9000 bash scripts/start.sh for another port)
#
# Sets up the checkout (scripts/setup.sh), migrates the database (SQLite in var/ unless
# DATABASE_URL says otherwise), loads the small demo data set unless data already exists, prints
# the demo accounts, then runs one background-task worker, restarted whenever it exits, and the web
# server. Ctrl-C stops both.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

PORT="${PORT:-8000}"

bash scripts/setup.sh

PY="$PWD/.venv/bin/python"

log "migrate"
"$PY" manage.py migrate --noinput
log "demo data"
"$PY" manage.py seed_demo --scale S --if-empty

WORKER_PID=""
SERVER_PID=""
cleanup() {
    trap - EXIT INT TERM
    local pid
    for pid in $SERVER_PID $WORKER_PID; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in $SERVER_PID $WORKER_PID; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The worker is supervised: whenever it exits (a crash, the system killing it for its memory, or
# --max-tasks reached, which hands back what a large import took), the jobs it was running are
# marked failed and a new worker starts, so later jobs never stay queued. It runs in the
# background, where Ctrl-C reaches the worker but not this loop; cleanup() ends it with TERM.
WORKER_ID="start-sh-$$"
supervise_worker() {
    trap 'kill -TERM $(jobs -p) 2>/dev/null; wait; exit 0' TERM
    local rc
    while true; do
        "$PY" manage.py db_worker --worker-id "$WORKER_ID" --max-tasks 50 --no-reload &
        rc=0
        wait $! || rc=$?
        "$PY" manage.py fail_interrupted_jobs --worker-id "$WORKER_ID" || true
        log "background worker exited (status $rc); starting a new one"
        # A worker that fails at once is retried slowly rather than in a tight loop.
        sleep "$([ "$rc" -eq 0 ] && echo 1 || echo 5)" &
        wait $! || true
    done
}

log "background worker (manage.py db_worker, restarted when it exits)"
supervise_worker &
WORKER_PID=$!

log "web server"
"$PWD/.venv/bin/gunicorn" vanguard.wsgi --bind "127.0.0.1:$PORT" --workers 2 --access-logfile - &
SERVER_PID=$!

for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
done
echo
echo "  Vanguard is running at http://127.0.0.1:$PORT/   (Ctrl-C to stop)"
echo

# The script lives as long as the web server; the EXIT trap then stops the worker.
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=""
exit "$rc"
