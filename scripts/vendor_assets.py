#!/usr/bin/env python3
"""Copy the pinned front-end libraries from node_modules into vanguard/static/vendor/.

The page templates load everything from our own origin (the CSP allows only 'self'), so the
libraries are copied, not linked to a CDN. ``sourceMappingURL`` comments are stripped because the
maps are not shipped and ManifestStaticFilesStorage would fail on the missing files during
collectstatic. Running it again rewrites only files whose content changed.

Resulting static paths (use with ``{% static %}``):
    vendor/bootstrap/bootstrap.min.css
    vendor/bootstrap/bootstrap.bundle.min.js
    vendor/bootstrap-icons/bootstrap-icons.min.css   (+ fonts/bootstrap-icons.woff2, .woff)
    vendor/htmx/htmx.min.js
    vendor/echarts/echarts.min.js
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
DEST = ROOT / "vanguard" / "static" / "vendor"

# (source relative to node_modules, destination relative to vanguard/static/vendor)
FILES = [
    ("bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    ("bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
    ("bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"),
    ("bootstrap-icons/font/fonts/bootstrap-icons.woff2", "bootstrap-icons/fonts/bootstrap-icons.woff2"),
    ("bootstrap-icons/font/fonts/bootstrap-icons.woff", "bootstrap-icons/fonts/bootstrap-icons.woff"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
    ("echarts/dist/echarts.min.js", "echarts/echarts.min.js"),
]

# `//# sourceMappingURL=...` (JS) and `/*# sourceMappingURL=... */` (CSS), on their own line or trailing.
SOURCE_MAP = re.compile(rb"(?://[#@] ?sourceMappingURL=[^\r\n]*|/\*[#@] ?sourceMappingURL=.*?\*/)")


def transform(src: Path, data: bytes) -> bytes:
    if src.suffix in {".css", ".js"}:
        data = SOURCE_MAP.sub(b"", data)
    return data


def main() -> int:
    missing = [src for src, _ in FILES if not (NODE_MODULES / src).is_file()]
    if missing:
        for src in missing:
            print(f"vendor_assets: missing {NODE_MODULES / src}", file=sys.stderr)
        print("vendor_assets: run `npm ci` first (scripts/setup.sh does it)", file=sys.stderr)
        return 1

    written = 0
    for src_rel, dest_rel in FILES:
        src = NODE_MODULES / src_rel
        dest = DEST / dest_rel
        data = transform(src, src.read_bytes())
        if dest.is_file() and dest.read_bytes() == data:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(dest)
        written += 1
    print(f"vendor_assets: {len(FILES)} files in {DEST.relative_to(ROOT)} ({written} updated)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
