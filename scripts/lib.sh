# Shared helpers for scripts/*.sh. Source it; it defines functions only.

# shellcheck shell=bash

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

_APT_UPDATED=""
# apt_install PKG... : install Debian packages, running `apt-get update` only when needed
# (empty package lists, or a first install attempt that failed).
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these packages by hand: $*"
    log "apt-get install $*"
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$_APT_UPDATED" ] && [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e '^lock$' -e '^partial$' -e '^auxfiles$')" ]; then
        as_root apt-get update -q
        _APT_UPDATED=1
    fi
    if ! as_root apt-get install -y -q "$@"; then
        [ -n "$_APT_UPDATED" ] && die "apt-get install $* failed"
        as_root apt-get update -q
        _APT_UPDATED=1
        as_root apt-get install -y -q "$@" || die "apt-get install $* failed"
    fi
}

dpkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# ensure_gettext: msgfmt is needed by `manage.py compilemessages` (the .mo files are not committed).
ensure_gettext() {
    command -v msgfmt >/dev/null 2>&1 || apt_install gettext
}

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

# ensure_test_system_packages: everything scripts/test.sh needs from Debian.
ensure_test_system_packages() {
    local missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    dpkg_installed fonts-noto-cjk || missing+=(fonts-noto-cjk)
    command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
    command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)  # tests read generated PDFs
    [ -x "$PG_BIN/initdb" ] || missing+=(postgresql-15)
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
}

# sha256 of the given files (missing files count as empty), one line.
files_hash() {
    local f
    for f in "$@"; do
        printf '%s\n' "$f"
        if [ -f "$f" ]; then cat "$f"; fi
    done | sha256sum | cut -d' ' -f1
}
