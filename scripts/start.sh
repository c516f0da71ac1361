#!/usr/bin/env bash
# The Start command: a working instance with demo data on http://127.0.0.1:${PORT:-8000}.
#
#   bash scripts/start.sh            (PORT=9000 bash scripts/start.sh for another port)
#
# Sets up the checkout (scripts/setup.sh), migrates the database (SQLite in var/ unless
# DATABASE_URL says otherwise), loads the small demo data set unless data already exists, prints
# the demo accounts, then runs one background-task worker and the web server. Ctrl-C stops both.
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

log "background worker (manage.py db_worker)"
"$PY" manage.py db_worker &
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
