"""The one export path: tables to .xlsx, streamed from a temporary file.

openpyxl's write-only mode keeps memory flat whatever the row count; the
finished file is sent with FileResponse in chunks and deleted when closed.
"""

from __future__ import annotations

import datetime
import tempfile
from typing import Any, Iterable, Sequence
from urllib.parse import quote

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """Make text that a spreadsheet would run as a formula stay text (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def write_xlsx(
    target,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "Sheet1",
    widths: Sequence[int] | None = None,
) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    for index, width in enumerate(widths or [max(10, len(str(h)) * 2 + 2) for h in headers]):
        sheet.column_dimensions[_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.freeze_panes = "A2"  # write-only sheets ignore it once a row is written
    sheet.append(header_cells)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    workbook.save(target)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def xlsx_response(
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "Sheet1",
    widths: Sequence[int] | None = None,
) -> FileResponse:
    spool = tempfile.TemporaryFile()
    write_xlsx(spool, headers, rows, sheet_title, widths)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def stamped(name: str) -> str:
    return f"{name}_{timezone.localtime():%Y%m%d_%H%M}.xlsx"

