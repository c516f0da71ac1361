#!/usr/bin/env bash
# The Test command: every check CI runs, on a fresh machine or a used one.
#
#   bash scripts/test.sh
#
# Installs what is missing (Debian packages, Python test packages, front-end libraries), starts a
# throwaway PostgreSQL 15, then runs each step below even when an earlier one fails, prints a
# PASS/FAIL line per step and exits non-zero if any failed:
#   1. pytest on PostgreSQL          (-m "not browser", 2 xdist workers)
#   2. pytest on SQLite              (-m "not browser and not postgres_only", 2 xdist workers)
#   3. browser tests                 (-m browser; Playwright driving /usr/bin/chromium)
#   4. makemigrations --check        (no model change without a migration)
#   5. check --deploy                (production settings, warnings are failures)
#   6. restore drill                 (scripts/restore_drill.sh: back up, wipe, restore, compare; SQLite and PostgreSQL)
# Extra arguments are passed to every pytest run, e.g. `bash scripts/test.sh -k ballot -x`.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
# shellcheck source=scripts/pg_test_server.sh
. scripts/pg_test_server.sh

START_TIME=$SECONDS
trap pg_test_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_test_system_packages
bash scripts/setup.sh --dev

PY="$PWD/.venv/bin/python"
export PATH="$PWD/.venv/bin:$PATH"
# The settings come from pyproject.toml (vanguard.settings_test) unless a step says otherwise.
unset DJANGO_SETTINGS_MODULE DATABASE_URL
export CHROMIUM_EXECUTABLE="${CHROMIUM_EXECUTABLE:-/usr/bin/chromium}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

pg_test_start

RESULTS=()
FAILED=0

# run_step NAME EMPTY_MESSAGE COMMAND... : run a step, record PASS/FAIL. Pytest's exit code 5
# (nothing collected) is a failure too, with EMPTY_MESSAGE to say so.
run_step() {
    local name="$1" empty_message="$2" rc=0 started=$SECONDS
    shift 2
    log "$name: $*"
    "$@" || rc=$?
    local took=$((SECONDS - started))
    if [ "$rc" -eq 0 ]; then
        RESULTS+=("PASS  $name (${took}s)")
    else
        local why="exit code $rc"
        if [ "$rc" -eq 5 ] && [ -n "$empty_message" ]; then
            why="$empty_message"
            printf '%s: %s\n' "$name" "$empty_message" >&2
        fi
        RESULTS+=("FAIL  $name (${took}s, $why)")
        FAILED=1
    fi
}

run_step "pytest PostgreSQL" "no tests collected" \
    env DATABASE_URL="$PG_TEST_URL_BASE/vanguard_test_base" \
    pytest -m "not browser" -n 2 -p no:cacheprovider "$@"

run_step "pytest SQLite" "no tests collected" \
    pytest -m "not browser and not postgres_only" -n 2 -p no:cacheprovider "$@"

# Playwright's sync API runs an event loop in the test thread; Django's ORM must be allowed there.
run_step "browser tests" "no browser tests" \
    env DJANGO_ALLOW_ASYNC_UNSAFE=true \
    pytest -m browser -p no:cacheprovider "$@"

run_step "makemigrations --check" "" \
    "$PY" manage.py makemigrations --check --dry-run

# A random key of 50 characters, so that check --deploy judges the settings, not the key.
check_deploy() {
    local secret
    secret="$("$PY" -c 'import secrets, string; a = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"; print("".join(secrets.choice(a) for _ in range(50)))')"
    DJANGO_SETTINGS_MODULE=vanguard.settings_production SECRET_KEY="$secret" ALLOWED_HOSTS=example.org \
        "$PY" manage.py check --deploy --fail-level WARNING
}
run_step "check --deploy" "" check_deploy

run_step "restore drill" "" bash scripts/restore_drill.sh sqlite postgres

echo
echo "==================== summary ===================="
for line in "${RESULTS[@]}"; do
    echo "$line"
done
echo "total: $((SECONDS - START_TIME))s"
if [ "$FAILED" -ne 0 ]; then
    echo "RESULT: FAIL"
    exit 1
fi
echo "RESULT: PASS"
