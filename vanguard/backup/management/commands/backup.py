"""manage.py backup: the database and the media files into one .tar.gz archive."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from vanguard.backup.archive import BackupError
from vanguard.backup.services import create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online backup API; PostgreSQL: pg_dump -Fc) and every file under "
        "MEDIA_ROOT into one .tar.gz archive with a manifest (rows per table, size and sha256 of every file, "
        "migration state, app version, created_at). Safe while the application runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", type=Path,
            help="archive file name ending in .tar.gz, or a directory for a timestamped name (default: var/backups/)",
        )

    def handle(self, *args, output: Path | None, **options):
        try:
            result = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        manifest = result.manifest
        self.stdout.write(self.style.SUCCESS(_(
            "备份完成：%(path)s（%(size)s；%(tables)d 张表共 %(rows)d 行，%(files)d 个媒体文件）"
        ) % {
            "path": result.path, "size": filesizeformat(result.path.stat().st_size), "tables": len(manifest.tables),
            "rows": sum(manifest.tables.values()), "files": len(manifest.media_files),
        }))
