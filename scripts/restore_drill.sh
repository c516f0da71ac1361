#!/usr/bin/env bash
# The restore drill: back up a populated instance, wipe it, restore it, compare.
#
#   bash scripts/restore_drill.sh                  # both databases
#   bash scripts/restore_drill.sh sqlite           # or one: sqlite | postgres
#
# For each database, in a fresh temporary instance (its own var/ directory; on PostgreSQL its own
# database on the server of $PG_TEST_URL_BASE, or on a throwaway server started here):
#   1. migrate, seed_demo --scale S, a few media files (scripts/restore_drill.py add-media);
#   2. fingerprint: rows of every table, sha256 of every media file, a digest of every model's rows
#      with its first and last record (the audit log among them), computed without the backup code;
#   3. manage.py backup;
#   4. wipe: SQLite: the var/ directory (database, WAL, media) is deleted; PostgreSQL: the database is
#      dropped and created again, and the media directory deleted;
#   5. manage.py restore into the empty instance, fingerprint again, and diff the two;
#   6. a second restore without --force must be refused (the instance is not empty any more).
# The databases are drilled side by side (one CPU each); each prints its log when done. Exits
# non-zero when either finds a difference. Run by scripts/test.sh ("restore drill").
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

PY="$PWD/.venv/bin/python"
[ -x "$PY" ] || die "no .venv; run bash scripts/setup.sh first"
DRILL_DATABASE="vanguard_restore_drill"
LOGS="$(mktemp -d "${TMPDIR:-/tmp}/vanguard-drill-logs.XXXXXX")"
STARTED_PG=""

cleanup() {
    rm -rf "$LOGS"
    if [ -n "$STARTED_PG" ]; then pg_test_stop; fi
}
trap cleanup EXIT

manage() { "$PY" manage.py "$@"; }

# psql on the server's maintenance database: DROP/CREATE DATABASE run outside any transaction.
pg_admin() { PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$PG_TEST_URL_BASE/postgres" "$@"; }

recreate_drill_database() {
    pg_admin -c "DROP DATABASE IF EXISTS $DRILL_DATABASE WITH (FORCE)" -c "CREATE DATABASE $DRILL_DATABASE"
}

# drill ENGINE: the whole drill in a fresh instance; run in a subshell of its own (it exports its
# instance's environment and removes its directory on exit).
drill() {
    local engine="$1" started=$SECONDS
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/vanguard-drill.XXXXXX")"
    trap 'rm -rf "$WORK"' EXIT
    export DJANGO_SETTINGS_MODULE=vanguard.settings
    export VANGUARD_VAR_DIR="$WORK/var"
    export MEDIA_ROOT="$WORK/var/media"
    if [ "$engine" = postgres ]; then
        export DATABASE_URL="$PG_TEST_URL_BASE/$DRILL_DATABASE"
        recreate_drill_database
    else
        unset DATABASE_URL
    fi

    log "restore drill ($engine): populate (migrate, seed_demo --scale S, media files)"
    mkdir -p "$VANGUARD_VAR_DIR"
    manage migrate --noinput -v 0
    manage seed_demo --scale S >/dev/null
    "$PY" scripts/restore_drill.py add-media
    "$PY" scripts/restore_drill.py fingerprint "$WORK/before.json"

    log "restore drill ($engine): backup"
    manage backup --output "$WORK/drill.tar.gz"

    log "restore drill ($engine): wipe"
    if [ "$engine" = postgres ]; then
        recreate_drill_database
        rm -rf "$MEDIA_ROOT"
    else
        rm -rf "$VANGUARD_VAR_DIR"
    fi

    log "restore drill ($engine): restore and compare"
    manage restore "$WORK/drill.tar.gz"
    "$PY" scripts/restore_drill.py fingerprint "$WORK/after.json"
    if ! diff -u "$WORK/before.json" "$WORK/after.json" >"$WORK/fingerprint.diff"; then
        head -n 80 "$WORK/fingerprint.diff" >&2
        die "restore drill ($engine): the restored instance differs from the one backed up (diff above)"
    fi

    if manage restore "$WORK/drill.tar.gz" >/dev/null 2>"$WORK/refused.txt"; then
        die "restore drill ($engine): a restore over existing data without --force was not refused"
    fi
    grep -q -- "--force" "$WORK/refused.txt" \
        || die "restore drill ($engine): the refusal does not say how to go on: $(cat "$WORK/refused.txt")"

    "$PY" - "$WORK/after.json" "$engine" "$((SECONDS - started))" <<'EOF'
import json, sys
fingerprint = json.load(open(sys.argv[1]))
audit = fingerprint["models"]["audit.AuditEvent"]["rows"]
print(f"restore drill ({sys.argv[2]}): OK in {sys.argv[3]}s — {len(fingerprint['tables'])} tables, "
      f"{sum(fingerprint['tables'].values())} rows (audit events: {audit}), {len(fingerprint['media'])} media files "
      "identical after backup, wipe and restore")
EOF
    if [ "$engine" = postgres ]; then
        pg_admin -c "DROP DATABASE IF EXISTS $DRILL_DATABASE WITH (FORCE)"
    fi
}

engines=("$@")
[ "${#engines[@]}" -gt 0 ] || engines=(sqlite postgres)
for engine in "${engines[@]}"; do
    case "$engine" in
        sqlite) ;;
        postgres)
            if [ -z "${PG_TEST_URL_BASE:-}" ]; then
                # shellcheck source=scripts/pg_test_server.sh
                . scripts/pg_test_server.sh
                pg_test_start
                STARTED_PG=1
            fi
            ;;
        *) die "unknown database '$engine' (sqlite or postgres)" ;;
    esac
done
pids=()
for engine in "${engines[@]}"; do
    (drill "$engine") >"$LOGS/$engine.log" 2>&1 &
    pids+=($!)
done
failed=0
for i in "${!engines[@]}"; do
    wait "${pids[$i]}" || failed=1
    cat "$LOGS/${engines[$i]}.log"
done
exit "$failed"
