"""The one export path: tables to .xlsx, streamed from a temporary file.

XlsxWriter in constant-memory mode writes row by row with flat memory whatever
the row count, about a third faster than openpyxl's write-only mode (60,000
people: 4.4 s against 6.4 s here); openpyxl stays the reader for imports. The
finished file is sent with FileResponse in chunks and deleted when closed.
"""

from __future__ import annotations

import datetime
import decimal
import tempfile
from typing import Any, Iterable, Sequence
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """Make text that a spreadsheet would run as a formula stay text (formula injection)."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_xlsx(
    target,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "Sheet1",
    widths: Sequence[int] | None = None,
) -> None:
    """One sheet: a bold, frozen header row, then the rows; values keep their types."""
    workbook = xlsxwriter.Workbook(target, {
        "constant_memory": True,
        # Text is always written as text: never turned into a formula, a link or a number.
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    sheet = workbook.add_worksheet(str(sheet_title)[:31])
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for index, width in enumerate(widths or [max(10, len(str(h)) * 2 + 2) for h in headers]):
        sheet.set_column(index, index, width)
    sheet.write_row(0, 0, [str(h) for h in headers], workbook.add_format({"bold": True}))
    sheet.freeze_panes(1, 0)
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            _write_cell(sheet, row_number, column, neutralise(value), date_format, datetime_format)
    workbook.close()


def _write_cell(sheet, row: int, column: int, value: Any, date_format, datetime_format) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        sheet.write_datetime(row, column, local.replace(tzinfo=None), datetime_format)
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, column, datetime.datetime.combine(value, datetime.time()), date_format)
    elif isinstance(value, (int, float, decimal.Decimal)):
        sheet.write_number(row, column, value)
    else:
        sheet.write_string(row, column, str(value))


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
