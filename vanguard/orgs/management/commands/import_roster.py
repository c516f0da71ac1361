"""Import a roster .xlsx synchronously: the same checks and saving as the upload page."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from vanguard.audit.context import Actor, acting_as
from vanguard.core.uploads import sniff
from vanguard.orgs import roster


class Command(BaseCommand):
    help = "Import people from a roster .xlsx (upsert by ID-card number; all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .xlsx file")
        parser.add_argument("--user", required=True, help="username whose CHANGE scope the import uses")
        parser.add_argument("--dry-run", action="store_true", help="validate only, save nothing")

    def handle(self, *args, file: str, user: str, dry_run: bool, **options):
        started = time.monotonic()
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            account = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"用户不存在：{user}") from None
        data = path.read_bytes()
        if len(data) > settings.UPLOAD_MAX_BYTES:
            self.stderr.write(f"注意：文件大小 {len(data)} 字节超过上传上限 {settings.UPLOAD_MAX_BYTES} 字节（命令行导入不受此限制）。")
        if sniff(data) != "xlsx":
            raise CommandError("文件内容不是有效的 Excel（.xlsx）工作簿。")

        def progress(done: int, total: int) -> None:
            if options.get("verbosity", 1) >= 2:
                self.stdout.write(f"  {done}/{total}")

        with acting_as(Actor(user_id=account.pk, username=account.get_username(), ip=None)):
            result = roster.import_roster(data, account, progress=progress, file_name=path.name, dry_run=dry_run)
        elapsed = time.monotonic() - started
        self.describe_file(result)
        if result.get("error"):
            self.stderr.write(f"文件无法导入，未保存任何数据：{result['error']}")
            self.stderr.write(f"用时 {elapsed:.2f} 秒")
            raise CommandError("导入失败", returncode=1)
        if result.get("errors"):
            self.stderr.write(
                f"检查发现 {result['error_rows']} 行共 {result['error_count']} 处问题（全文件 {result['total']} 行），"
                "未保存任何数据："
            )
            for e in result["errors"]:
                cell = f" {e['cell']}" if e.get("cell") else ""
                self.stderr.write(f"  第 {e['row']} 行 [{e['column']}{cell}] {e['value'] or '（空）'}：{e['message']}")
            if result.get("truncated"):
                self.stderr.write(f"  ……只列出前 {len(result['errors'])} 处")
            self.stderr.write(f"用时 {elapsed:.2f} 秒")
            raise CommandError("导入失败", returncode=1)
        if dry_run:
            self.stdout.write(f"检查通过：{result['valid']} 行（未保存）。")
        else:
            self.stdout.write(
                f"已导入 {result['total']} 行：新增 {result['created']} 人，更新 {result['updated']} 人，"
                f"未变 {result['unchanged']} 人，组织关系转接 {result['transferred']} 人。"
            )
        self.stdout.write(f"用时 {elapsed:.2f} 秒")

    def describe_file(self, result: dict) -> None:
        """Which sheet and header rows were read, and what was left out (columns, totals, signatures)."""
        if not result.get("sheet"):
            return
        rows = "-".join(map(str, result["header_rows"]))
        self.stdout.write(f"读取工作表“{result['sheet']}”，表头在第 {rows} 行。")
        for column in result.get("ignored", []):
            self.stdout.write(f"  未导入 {column['column']} 列“{column['header']}”：{column['reason']}")
        for line in result.get("skipped", []):
            self.stdout.write(f"  跳过第 {line['row']} 行：{line['text']}")
