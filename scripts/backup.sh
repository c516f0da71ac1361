#!/usr/bin/env bash
# The scheduled backup (for cron or a systemd timer): one archive, checked, old ones removed.
#
#   BACKUP_DIR=/srv/backups/vanguard BACKUP_KEEP_DAYS=30 bash scripts/backup.sh
#
# Runs with the instance's environment (DJANGO_SETTINGS_MODULE, DATABASE_URL, SECRET_KEY, MEDIA_ROOT, …):
#   1. manage.py backup: database and media files into $BACKUP_DIR/vanguard-<date>-<time>.tar.gz;
#   2. manage.py restore --verify-only on that archive: every checksum, the dump, the migration state;
#   3. deletes archives in $BACKUP_DIR older than $BACKUP_KEEP_DAYS days (never the one just made).
# Exits non-zero when any step fails, so that cron mails the output. Copy the archives to another
# machine as well: a backup on the same disk as the data does not survive the disk.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

PY="$PWD/.venv/bin/python"
BACKUP_DIR="${BACKUP_DIR:-$PWD/var/backups}"
BACKUP_KEEP_DAYS="${BACKUP_KEEP_DAYS:-30}"
[[ "$BACKUP_KEEP_DAYS" =~ ^[0-9]+$ ]] || die "BACKUP_KEEP_DAYS must be a number of days, not '$BACKUP_KEEP_DAYS'"

mkdir -p "$BACKUP_DIR"
chmod 700 "$BACKUP_DIR"
# Named in the time of the app (settings.TIME_ZONE), as `manage.py backup` names archives itself.
archive="$BACKUP_DIR/vanguard-$(TZ=Asia/Shanghai date +%Y%m%d-%H%M%S).tar.gz"

log "backup to $archive"
"$PY" manage.py backup --output "$archive"
log "verify $archive"
"$PY" manage.py restore --verify-only "$archive"
log "remove archives older than $BACKUP_KEEP_DAYS days from $BACKUP_DIR"
find "$BACKUP_DIR" -maxdepth 1 -type f -name 'vanguard-*.tar.gz' -mtime "+$BACKUP_KEEP_DAYS" ! -path "$archive" -print -delete
