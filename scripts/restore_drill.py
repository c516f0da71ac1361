"""Helpers of the restore drill (scripts/restore_drill.sh), run with the drill's environment.

    python scripts/restore_drill.py add-media          a few media files: nested, Chinese names, binary, empty
    python scripts/restore_drill.py fingerprint FILE   what a restore must bring back, as JSON

The fingerprint is computed without the backup code, so that the drill checks it rather than
trusting it: the rows of every table, the size and sha256 of every media file, and for every model
a digest of all its rows plus its first and last record (readable in a diff).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")
django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection  # noqa: E402

MEDIA_FIXTURE = {
    "plans/evidence/drill/佐证 材料.txt": "支部书记讲党课记录\n".encode(),
    "plans/evidence/drill/photo.bin": hashlib.sha256(b"drill").digest() * 8192,  # 256 KiB, not compressible text
    "drill/空文件.txt": b"",
}


def add_media() -> None:
    for name, content in MEDIA_FIXTURE.items():
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:
            sys.exit(f"restore drill: {name} exists already (saved as {saved}); run the drill on a fresh instance")


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def fingerprint() -> dict:
    with connection.cursor() as cursor:
        tables = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            tables[table] = cursor.fetchone()[0]
    media_root = Path(settings.MEDIA_ROOT)
    files = {
        path.relative_to(media_root).as_posix(): [path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest()]
        for path in sorted(media_root.rglob("*")) if path.is_file()
    }
    models = {}
    for model in apps.get_models(include_auto_created=True):
        rows = list(model._base_manager.order_by("pk").values())
        models[model._meta.label] = {
            "rows": len(rows),
            "digest": hashlib.sha256(_json(rows).encode()).hexdigest(),
            "first": json.loads(_json(rows[0])) if rows else None,
            "last": json.loads(_json(rows[-1])) if rows else None,
        }
    return {"tables": tables, "media": files, "models": models}


def main(argv: list[str]) -> None:
    if argv[:1] == ["add-media"]:
        add_media()
    elif argv[:1] == ["fingerprint"] and len(argv) == 2:
        Path(argv[1]).write_text(json.dumps(fingerprint(), indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
