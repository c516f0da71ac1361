"""manage.py restore: put an archive written by `manage.py backup` back, or only check it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanguard.backup.archive import BackupError
from vanguard.backup.services import restore_backup, verify_backup


class Command(BaseCommand):
    help = (
        "Restore the database and the media files from an archive written by `manage.py backup`. Refuses an "
        "archive of another database engine or migration state, or a damaged one (checksums), and a database "
        "or MEDIA_ROOT that already holds data unless --force. Stop the web server and the workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="the .tar.gz written by manage.py backup")
        parser.add_argument("--force", action="store_true",
                            help="replace the data this instance already has (all of it)")
        parser.add_argument("--verify-only", action="store_true",
                            help="check the archive completely and that it fits this instance; change nothing")

    def handle(self, *args, archive: Path, force: bool, verify_only: bool, **options):
        try:
            if verify_only:
                manifest = verify_backup(archive)
            else:
                result = restore_backup(archive, force=force)
                manifest = result.manifest
        except BackupError as error:
            raise CommandError(str(error)) from error
        figures = {
            "path": archive, "created_at": manifest.created_at, "version": manifest.app_version,
            "tables": len(manifest.tables), "rows": sum(manifest.tables.values()), "files": len(manifest.media_files),
        }
        if verify_only:
            message = _("备份文件完好，可以恢复到本实例：%(path)s（备份于 %(created_at)s，程序版本 %(version)s；"
                        "%(tables)d 张表共 %(rows)d 行，%(files)d 个媒体文件；未做任何更改）")
        else:
            message = _("恢复完成：%(path)s（备份于 %(created_at)s，程序版本 %(version)s；%(tables)d 张表共 %(rows)d 行，"
                        "%(files)d 个媒体文件，行数与清单一致）")
        self.stdout.write(self.style.SUCCESS(message % figures))
