#!/usr/bin/env bash
# Prepare a checkout to run: virtualenv + Python packages, front-end libraries, translations,
# static files. Idempotent; a second run with unchanged requirements/lock files takes seconds.
#
#   bash scripts/setup.sh          # runtime packages (requirements.txt)
#   bash scripts/setup.sh --dev    # plus test packages (requirements-dev.txt)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

DEV=0
for arg in "$@"; do
    case "$arg" in
        --dev) DEV=1 ;;
        *) die "unknown argument: $arg (usage: setup.sh [--dev])" ;;
    esac
done

VENV="$ROOT/.venv"
PY="$VENV/bin/python"

# --- Python -----------------------------------------------------------------------------------
find_python() {
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if ! { [ -x "$PY" ] && "$PY" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' 2>/dev/null; }; then
    BASE_PY="$(find_python)" || { apt_install python3 python3-venv; BASE_PY="$(find_python)"; } || die "Python 3.11+ not found"
    log "creating .venv with $BASE_PY"
    rm -rf "$VENV"
    if ! "$BASE_PY" -m venv "$VENV"; then
        # Debian ships ensurepip separately.
        rm -rf "$VENV"
        apt_install python3-venv
        "$BASE_PY" -m venv "$VENV"
    fi
fi

RUNTIME_HASH="$(files_hash requirements.txt)"
DEV_HASH="$(files_hash requirements.txt requirements-dev.txt)"
STAMP_RUNTIME="$VENV/.vanguard-pip-runtime"
STAMP_DEV="$VENV/.vanguard-pip-dev"
stamp_is() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

if [ "$DEV" -eq 1 ]; then
    if ! stamp_is "$STAMP_DEV" "$DEV_HASH"; then
        log "pip install -r requirements-dev.txt"
        "$PY" -m pip install --disable-pip-version-check -q -r requirements-dev.txt
        echo "$DEV_HASH" >"$STAMP_DEV"
        echo "$RUNTIME_HASH" >"$STAMP_RUNTIME"
    fi
else
    if ! stamp_is "$STAMP_RUNTIME" "$RUNTIME_HASH" && ! stamp_is "$STAMP_DEV" "$DEV_HASH"; then
        log "pip install -r requirements.txt"
        "$PY" -m pip install --disable-pip-version-check -q -r requirements.txt
        echo "$RUNTIME_HASH" >"$STAMP_RUNTIME"
    fi
fi

# --- Front-end libraries ------------------------------------------------------------------------
NODE_HASH="$(files_hash package.json package-lock.json)"
NODE_STAMP="node_modules/.vanguard-npm-stamp"
if ! stamp_is "$NODE_STAMP" "$NODE_HASH"; then
    command -v npm >/dev/null 2>&1 || apt_install nodejs npm
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$NODE_HASH" >"$NODE_STAMP"
fi
"$PY" scripts/vendor_assets.py

# --- CJK fonts (plan export to PDF uses Noto Serif/Sans CJK SC) ------------------------------------
if ! { command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi "Noto Sans CJK"; }; then
    apt_install fonts-noto-cjk
fi
# WeasyPrint (PDF) loads Pango at run time; a fresh Debian image does not have it.
if ! { dpkg_installed libpango-1.0-0 && dpkg_installed libpangoft2-1.0-0; }; then
    apt_install libpango-1.0-0 libpangoft2-1.0-0
fi

# --- Translations (the .mo files are build output, not committed) -------------------------------
PO_FILES="$(find . \( -path ./.venv -o -path ./node_modules -o -path ./var -o -path ./.git \) -prune -o -name '*.po' -path '*/LC_MESSAGES/*' -print)"
if [ -n "$PO_FILES" ]; then
    ensure_gettext
    # compilemessages skips .po files whose .mo is up to date.
    "$PY" manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=var -v 0
fi

# --- Ballot slip key ----------------------------------------------------------------------------
# The slips' HMAC key is kept outside the database (vanguard/ballots/slipkey.py): unless
# BALLOT_SLIP_KEY is set, its file is made here, readable by this user only, so that it exists to
# be kept apart from the database's backups before the first slip is printed. Never replaced: slips
# printed under one key are not recognised under another. The default path is settings.py's.
if [ -z "${BALLOT_SLIP_KEY:-}" ]; then
    SLIP_KEY_FILE="${BALLOT_SLIP_KEY_FILE:-${VANGUARD_VAR_DIR:-$ROOT/var}/ballot_slip.key}"
    if [ ! -e "$SLIP_KEY_FILE" ]; then
        log "creating $SLIP_KEY_FILE (mode 600)"
        "$PY" manage.py shell -c "from vanguard.ballots.slipkey import slip_key; slip_key()"
    fi
fi

# --- Static files -------------------------------------------------------------------------------
# collectstatic with compression takes several seconds, so it is skipped while its inputs (static
# source files, settings, installed packages, STATIC_ROOT) are unchanged and the manifest exists.
mkdir -p var
STATIC_DEST="${STATIC_ROOT:-$ROOT/var/staticfiles}"
STATIC_HASH="$(
    {
        echo "$STATIC_DEST ${DJANGO_SETTINGS_MODULE:-}"
        cat "$STAMP_RUNTIME" "$STAMP_DEV" 2>/dev/null || true
        find vanguard -name '*.py' -path 'vanguard/settings*' -printf '%p %s %T@\n'
        find vanguard -path '*/static/*' -type f -printf '%p %s %T@\n'
    } | LC_ALL=C sort | sha256sum | cut -d' ' -f1
)"
STATIC_STAMP="var/.vanguard-static-stamp"
if ! stamp_is "$STATIC_STAMP" "$STATIC_HASH" || [ ! -f "$STATIC_DEST/staticfiles.json" ]; then
    log "collectstatic"
    "$PY" manage.py collectstatic --noinput -v 0
    echo "$STATIC_HASH" >"$STATIC_STAMP"
fi

log "setup done"
