"""Tables as people keep them in Excel: find the table, read its header, parse values, collect problems.

A roster from an older system rarely looks like our template: a note sheet comes first, a
title and a blank line sit above the header, the header spans two merged rows ("党员信息"
over "所在支部 | 入党时间"), columns are named in other words (所在支部, 入党时间), some are
hidden or unknown (序号, 备注), and a 合计 row closes the table. This module reads such a
table into plain rows; what the rows mean is the caller's business. The same machinery
serves every import of records kept in Excel:

1. ``Schema``: the fields of one kind of record, each with its template header and the
   other headers that mean the same (the roster's come from ``orgs.synonyms``).
2. ``read_table(data, schema, max_rows=…)``: opens the workbook with ``core.uploads.open_workbook``
   (the zip container judged first, then openpyxl's read-only mode: rows are streamed from the
   sheet's XML; only the header scan and the accepted data rows are kept, and there are at
   most ``max_rows`` of those), picks the sheet whose top rows
   hold the most known headers, skips the title and filler rows above the header, reads a
   header of one row or of two (merged) rows, lists hidden, unknown and duplicate columns as
   ignored, and returns a ``Table`` of ``Row``\\ s of ``Cell``\\ s (value, formula or error flag,
   number format), skipping blank rows and totals or signature lines below the table. Only
   problems of the file as a whole raise ``TableFileError`` (not a workbook, no header, a
   required column missing, too many rows).
3. Parsers turn a cell into a value or raise ``CellError`` with a Chinese message:
   ``clean_text``, ``parse_date`` (Excel dates and serials, 1990-07-01, 1990/7/1, 1990.07.01,
   19900701, 1990年7月1日, and year-month or year alone with their precision), ``parse_phone``,
   ``parse_flag``, ``Choices`` (labels and synonyms of a choice); ``fold`` compares texts
   with full-width forms and spaces removed.
4. ``Problems`` collects every problem of every row (row, column as the file names it, cell,
   value, message) so that one report lists them all; ``Problems.check_cells`` reports
   formulas and error values (#N/A) of the mapped columns.

The caller validates the rows, and saves only when ``Problems`` is empty, in one transaction.

A second use, once meetings held before the system are back-filled from .xlsx (date, kind,
topic, attendance by name or ID number): a ``Schema`` of ``Field("held_on", "召开日期",
("会议日期", "日期", "时间"), required=True)``, ``Field("kind", "会议类型", ("类型", "会议类别"))``,
``Field("topic", "主题", ("会议主题", "内容"))``, ``Field("present", "出席人员", ("参会人员", "应到人员"))``…;
``read_table`` as is; ``parse_date`` for the date, ``Choices`` over ``MeetingKind`` with its
synonyms (支委会 → 支部委员会会议); the attendance cell split on 、，, and each name or ID number
looked up in the org's people (``Problems.add`` for a name that matches nobody or two people);
then one transaction that creates the meetings and their attendance. ``tests/orgs/
test_roster_tabular.py`` reads such a meetings sheet with this module alone.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping

from django.utils.translation import gettext as _

HEADER_SCAN_ROWS = 30  # non-blank rows at the top of a sheet searched for the header
HEADER_SCAN_LIMIT = 200  # and never further down than this row
MAX_COLUMNS = 256  # cells further right are not read (a roster has a few dozen columns)
MIN_KNOWN_HEADERS = 2  # a header row names at least this many fields
FORMULA_GUARD = ("=", "+", "-", "@")  # what vanguard.core.exports prefixes with ' (formula injection)


class TableFileError(Exception):
    """The file as a whole cannot be read as this kind of table (message already translated)."""


class CellError(Exception):
    """One cell's value cannot be used (message already translated)."""


# ------------------------------------------------------------------------------------ texts


_SPACES = re.compile(r"\s+")


def fold(value: Any) -> str:
    """The text for comparisons: full-width forms as ASCII (NFKC), no whitespace at all, lower case."""
    text = "" if value is None else str(value)
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).lower()


_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")


def fold_header(value: Any) -> str:
    """A header for matching: folded, without required marks (*, ★) and without bracketed hints."""
    text = fold(value).strip("*★☆")
    return text.replace("(必填)", "").replace("(选填)", "")


def text_of(value: Any) -> str:
    """A cell's value as the text a person sees, trimmed (also of full-width spaces)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ------------------------------------------------------------------------------------ schema


@dataclass(frozen=True)
class Field:
    """One field of a record: its key, the template's header and the other headers meaning it."""

    key: str
    header: str
    synonyms: tuple[str, ...] = ()
    required: bool = False


class Schema:
    """The fields of one kind of record and the header texts that name each of them."""

    def __init__(self, fields: Iterable[Field], min_known: int = MIN_KNOWN_HEADERS):
        self.fields = tuple(fields)
        self.min_known = min_known
        self.by_key = {f.key: f for f in self.fields}
        self.order = {f.key: position for position, f in enumerate(self.fields)}
        self._names: dict[str, tuple[str, int]] = {}
        for f in self.fields:
            for rank, name in enumerate((f.header, *f.synonyms)):
                existing = self._names.setdefault(fold_header(name), (f.key, rank))
                assert existing == (f.key, rank) or existing[0] == f.key, f"header {name!r} names two fields"

    @property
    def required(self) -> list[Field]:
        return [f for f in self.fields if f.required]

    def match(self, header: Any) -> tuple[str, int] | None:
        """(field key, rank: 0 for the template's header, then the synonyms' order), or None."""
        folded = fold_header(header)
        if not folded:
            return None
        found = self._names.get(folded)
        if found is None and ("(" in folded or "[" in folded or "【" in folded):
            found = self._names.get(_BRACKETED.sub("", folded))  # 身份证号码(18位), 入党时间[年月日]
        return found


# ------------------------------------------------------------------------------------ the table


@dataclass(frozen=True)
class Cell:
    value: Any
    coordinate: str
    formula: bool = False  # the value is the formula's text ("=SUM(A1:A9)")
    error: bool = False  # an Excel error value (#N/A, #VALUE! …)
    number_format: str = "General"

    @property
    def blank(self) -> bool:
        return not self.formula and not self.error and is_blank(self.value)


EMPTY = Cell(None, "")


@dataclass
class Row:
    number: int  # the sheet's row number, as Excel shows it
    cells: dict[str, Cell]

    def cell(self, key: str) -> Cell:
        return self.cells.get(key, EMPTY)

    def value(self, key: str) -> Any:
        return self.cell(key).value


@dataclass(frozen=True)
class Column:
    letter: str
    header: str  # as the file writes it (the two rows of a merged header joined by /)


@dataclass
class Table:
    sheet: str
    header_rows: tuple[int, ...]
    columns: dict[str, Column]  # field key -> the file's column
    ignored: list[dict[str, str]]  # {"column", "header", "reason"}
    rows: list[Row]
    skipped: list[dict[str, Any]]  # {"row", "text"}: totals and signature lines below the table
    epoch: datetime.datetime = datetime.datetime(1899, 12, 30)

    def header(self, key: str, schema: Schema) -> str:
        column = self.columns.get(key)
        return column.header if column else schema.by_key[key].header


# ------------------------------------------------------------------------------------ reading


class _SheetStream:
    """The rows of one read-only sheet as ``(number, {column index: raw cell})``, and its hidden columns.

    openpyxl's own ``iter_rows`` drops what we need (the ``<cols>`` element with hidden
    columns, the formula flag per cell); its sheet parser (pinned openpyxl 3.1) gives both
    while still streaming the XML.
    """

    def __init__(self, workbook, sheet):
        self.workbook = workbook
        self.sheet = sheet
        self.hidden: set[int] = set()

    def rows(self) -> Iterator[tuple[int, dict[int, dict]]]:
        from openpyxl.worksheet._reader import WorkSheetParser

        with self.sheet._get_source() as source:
            parser = WorkSheetParser(
                source, self.sheet._shared_strings, data_only=False, epoch=self.workbook.epoch,
                date_formats=self.workbook._date_formats, timedelta_formats=self.workbook._timedelta_formats,
            )
            first = True
            for number, cells in parser.parse():
                if first:  # <cols> precedes <sheetData>: known once the first row arrives
                    self.hidden = _hidden_columns(parser.column_dimensions)
                    first = False
                yield number, {c["column"]: c for c in cells if c["column"] <= MAX_COLUMNS}


def _hidden_columns(dimensions: Mapping[str, dict]) -> set[int]:
    hidden: set[int] = set()
    for attrs in dimensions.values():
        if str(attrs.get("hidden", "")).lower() not in ("1", "true"):
            continue
        low, high = int(attrs.get("min", 0)), int(attrs.get("max", 0))
        hidden.update(range(max(low, 1), min(high, MAX_COLUMNS) + 1))
    return hidden


def _raw_text(cell: dict) -> str:
    return "" if cell["data_type"] in ("f", "e") else text_of(cell["value"])


def _row_texts(cells: dict[int, dict]) -> dict[int, str]:
    return {col: text for col, cell in cells.items() if (text := _raw_text(cell))}


@dataclass
class _Header:
    rows: tuple[int, ...]
    texts: dict[int, str]  # column index -> header as written
    matches: dict[int, tuple[str, int]]  # column index -> (key, rank)

    @property
    def score(self) -> int:
        return len({key for key, _rank in self.matches.values()})


def _one_row_header(number: int, texts: dict[int, str], schema: Schema) -> _Header:
    matches = {col: found for col, text in texts.items() if (found := schema.match(text))}
    return _Header((number,), dict(texts), matches)


def _two_row_header(number: int, upper: dict[int, str], lower: dict[int, str], schema: Schema) -> _Header:
    """A header over two rows: a vertically merged cell has its text in the upper row, a group
    ("党员信息" merged over three columns) has its sub-headers in the lower row; the group's text
    reaches right over the columns below it whose upper cell is empty."""
    texts: dict[int, str] = {}
    matches: dict[int, tuple[str, int]] = {}
    group = ""
    for col in sorted(upper.keys() | lower.keys()):
        top, bottom = upper.get(col, ""), lower.get(col, "")
        if top:
            group = top
        elif not bottom:
            group = ""
        span = top or group
        candidates = [bottom, span + bottom, top] if bottom else [top]
        found = next((hit for text in candidates if text and (hit := schema.match(text))), None)
        texts[col] = "/".join(part for part in (span if bottom else top, bottom) if part)
        if found:
            matches[col] = found
    return _Header((number, number + 1), texts, matches)


def _find_header(stream: _SheetStream, schema: Schema) -> tuple[_Header | None, bool]:
    """The best header in the sheet's top rows, and whether the sheet has any content."""
    scanned: list[tuple[int, dict[int, str]]] = []
    rows = stream.rows()
    try:
        for number, cells in rows:
            if number > HEADER_SCAN_LIMIT:
                break
            texts = _row_texts(cells)
            if texts:
                scanned.append((number, texts))
                if len(scanned) >= HEADER_SCAN_ROWS + 1:
                    break
    finally:
        rows.close()  # closes the sheet's XML stream
    singles = [_one_row_header(number, texts, schema) for number, texts in scanned]
    best: _Header | None = None
    for position, (number, texts) in enumerate(scanned[:HEADER_SCAN_ROWS]):
        candidate = singles[position]
        if position + 1 < len(scanned) and scanned[position + 1][0] == number + 1:
            # Two rows only when they name more fields than either row alone (a title line
            # right above a one-row header adds nothing).
            two = _two_row_header(number, texts, scanned[position + 1][1], schema)
            if two.score > max(candidate.score, singles[position + 1].score):
                candidate = two
        if best is None or candidate.score > best.score:
            best = candidate
    if best is not None and best.score < schema.min_known:
        best = None
    return best, bool(scanned)


def _choose_sheet(workbook, schema: Schema) -> tuple[Any, _Header]:
    found: list[tuple[int, int, int, Any, _Header]] = []
    any_content = False
    for index, sheet in enumerate(workbook.worksheets):
        header, has_content = _find_header(_SheetStream(workbook, sheet), schema)
        any_content = any_content or has_content
        if header is not None:
            visible = 1 if getattr(sheet, "sheet_state", "visible") == "visible" else 0
            found.append((header.score, visible, -index, sheet, header))
    if not workbook.worksheets:
        raise TableFileError(_("工作簿中没有工作表。"))
    if not found:
        if not any_content:
            raise TableFileError(_("工作表是空的：没有表头，也没有数据行。请使用导入模板填写。"))
        raise TableFileError(
            _("没有找到表头：工作簿的各工作表（%(sheets)s）前 %(n)s 行中没有一行包含“%(example)s”等列名。"
              "请使用导入模板，或把表头改为模板中的列名。")
            % {"sheets": "、".join(workbook.sheetnames), "n": HEADER_SCAN_ROWS,
               "example": "”“".join(f.header for f in schema.fields[:3])}
        )
    found.sort(key=lambda item: item[:3], reverse=True)
    return found[0][3], found[0][4]


def _map_columns(header: _Header, hidden: set[int], schema: Schema, sheet: str
                 ) -> tuple[dict[str, int], dict[str, Column], list[dict[str, str]]]:
    from openpyxl.utils import get_column_letter

    ignored: list[tuple[int, str]] = []
    best: dict[str, tuple[int, int]] = {}  # key -> (rank, column)
    hidden_known: dict[str, int] = {}
    for col in sorted(header.texts):
        found = header.matches.get(col)
        if col in hidden:
            ignored.append((col, _("隐藏列")))
            if found:
                hidden_known.setdefault(found[0], col)
            continue
        if found is None:
            ignored.append((col, _("无法识别的列")))
            continue
        key, rank = found
        if key in best and best[key] <= (rank, col):
            ignored.append((col, _("与 %(col)s 列重复（%(header)s）") % {
                "col": get_column_letter(best[key][1]), "header": schema.by_key[key].header}))
            continue
        if key in best:
            loser = best[key][1]
            ignored.append((loser, _("与 %(col)s 列重复（%(header)s）") % {
                "col": get_column_letter(col), "header": schema.by_key[key].header}))
        best[key] = (rank, col)
    positions = {key: col for key, (_rank, col) in best.items()}
    columns = {key: Column(get_column_letter(col), header.texts[col]) for key, col in positions.items()}
    ignored_list = [
        {"column": get_column_letter(col), "header": header.texts[col], "reason": reason}
        for col, reason in sorted(ignored)
    ]
    missing = [f for f in schema.required if f.key not in positions]
    if missing:
        parts = []
        for f in missing:
            if f.key in hidden_known:
                parts.append(_("%(header)s（%(col)s 列已隐藏，请取消隐藏）") % {
                    "header": f.header, "col": get_column_letter(hidden_known[f.key])})
            else:
                parts.append(f.header)
        raise TableFileError(
            _("缺少必填列：%(cols)s。表头在工作表“%(sheet)s”第 %(rows)s 行；可用的列名见导入模板的“填写说明”。")
            % {"cols": "、".join(parts), "sheet": sheet, "rows": "-".join(map(str, header.rows))}
        )
    return positions, columns, ignored_list


def _is_closing_line(cells: dict[int, dict], guard: int | None, starts: tuple[str, ...]) -> str:
    """The text of a total or signature line (合计：35人, 填表人：…), or ""."""
    if guard is not None and guard in cells and not is_blank(cells[guard]["value"]):
        return ""  # a row with an ID number is a person, whatever its first cell says
    for col in sorted(cells):
        text = _raw_text(cells[col])
        if text:
            return text if fold(text).startswith(starts) else ""
    return ""


def _number_format(workbook, style_id: int, cache: dict[int, str]) -> str:
    if style_id not in cache:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

        try:
            fmt_id = workbook._cell_styles[style_id].numFmtId
            cache[style_id] = (BUILTIN_FORMATS.get(fmt_id, "General") if fmt_id < BUILTIN_FORMATS_MAX_SIZE
                               else workbook._number_formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE])
        except (IndexError, AttributeError):
            cache[style_id] = "General"
    return cache[style_id]


def read_table(data: bytes, schema: Schema, *, max_rows: int, guard_key: str | None = None,
               closing_words: tuple[str, ...] = ()) -> Table:
    """The table of ``schema`` in the workbook ``data`` (see the module docstring).

    ``guard_key``: a field whose value makes a row a record for sure (never skipped as a total);
    ``closing_words``: folded prefixes of rows that are totals or signatures, not records.
    """
    from vanguard.core.uploads import UploadError, open_workbook

    try:
        # formulas kept as formulas (data_only=False): each one is reported, never its cached value used
        with open_workbook(data, data_only=False) as workbook:
            return _read(workbook, schema, max_rows, guard_key, tuple(fold(w) for w in closing_words))
    except TableFileError:
        raise
    except UploadError as exc:  # not a workbook, or a container too costly to read
        raise TableFileError(str(exc)) from exc
    except Exception as exc:  # a damaged part found while streaming (broken XML …)
        raise TableFileError(_("文件已损坏或不是有效的 Excel 工作簿，无法读取。")) from exc


def _read(workbook, schema: Schema, max_rows: int, guard_key: str | None, closing: tuple[str, ...]) -> Table:
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    sheet, header = _choose_sheet(workbook, schema)
    stream = _SheetStream(workbook, sheet)
    rows: list[Row] = []
    skipped: list[dict[str, Any]] = []
    positions: dict[str, int] | None = None
    columns: dict[str, Column] = {}
    ignored: list[dict[str, str]] = []
    formats: dict[int, str] = {}
    last_header_row = header.rows[-1]
    for number, cells in stream.rows():
        if number <= last_header_row:
            continue
        if positions is None:  # the sheet's hidden columns are known from its first row on
            positions, columns, ignored = _map_columns(header, stream.hidden, schema, sheet.title)
        if closing:
            text = _is_closing_line(cells, positions.get(guard_key) if guard_key else None, closing)
            if text:
                skipped.append({"row": number, "text": text[:100]})
                continue
        mapped = {key: cells[col] for key, col in positions.items() if col in cells}
        if all(c["data_type"] not in ("f", "e") and is_blank(c["value"]) for c in mapped.values()):
            continue  # blank, or only unmapped cells filled (序号 of an unused template row)
        if len(rows) >= max_rows:
            raise TableFileError(
                _("数据行过多：单次最多导入 %(limit)s 行，请拆分文件后分批导入。") % {"limit": max_rows}
            )
        row_cells = {}
        for key, raw in mapped.items():
            kind = raw["data_type"]
            row_cells[key] = Cell(
                value=raw["value"] if kind != "f" else str(raw["value"]),
                coordinate=f"{get_column_letter(positions[key])}{number}",
                formula=kind == "f",
                error=kind == "e",
                number_format=_number_format(workbook, raw["style_id"], formats) if kind in ("d", "n") else "General",
            )
        rows.append(Row(number, row_cells))
    if positions is None:  # the header was the sheet's last row
        positions, columns, ignored = _map_columns(header, stream.hidden, schema, sheet.title)
    if not rows:
        raise TableFileError(_("工作表“%(sheet)s”中没有数据行：请从表头下一行起逐行填写。") % {"sheet": sheet.title})
    epoch = CALENDAR_MAC_1904 if workbook.epoch == CALENDAR_MAC_1904 else CALENDAR_WINDOWS_1900
    return Table(sheet=sheet.title, header_rows=header.rows, columns=columns, ignored=ignored, rows=rows,
                 skipped=skipped, epoch=epoch)


# ------------------------------------------------------------------------------------ parsers


FULL_WIDTH_SPACE = "\u3000"


def clean_text(value: Any) -> str:
    """Free text as written, trimmed; the export's formula guard (a leading ') removed."""
    text = text_of(value).strip(" \t\r\n" + FULL_WIDTH_SPACE)
    if text.startswith("'") and text[1:2] in FORMULA_GUARD:
        text = text[1:]
    return text


def digits(value: Any) -> str:
    """A number-like text: full-width digits and letters as ASCII, no spaces, upper case."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return fold(value).upper()


@dataclass(frozen=True)
class ParsedDate:
    """A date as precise as the cell: ``month`` and ``day`` are None when it did not say them."""

    year: int
    month: int | None = None
    day: int | None = None
    # a number like 1988.1 lost its trailing zero: the month is January or October
    other_month: int | None = None

    @property
    def complete(self) -> bool:
        return self.day is not None

    def as_date(self) -> datetime.date:
        assert self.month is not None and self.day is not None
        return datetime.date(self.year, self.month, self.day)

    def agrees_with(self, day: datetime.date) -> bool:
        if self.year != day.year:
            return False
        if self.month is not None and day.month not in (self.month, self.other_month):
            return False
        return self.day is None or self.day == day.day


_FULL_DATE = (
    # folded: "1990-07-01 00:00:00" has lost its space
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:t?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_YEAR_MONTH = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)
_YEAR = re.compile(r"^(\d{4})年?$")
MIN_YEAR, MAX_YEAR = 1900, 2100


def _existing(year: int, month: int, day: int, shown: str) -> ParsedDate:
    try:
        datetime.date(year, month, day)
    except ValueError:
        raise CellError(_("日期不存在（%(text)s），请检查年月日") % {"text": shown}) from None
    return ParsedDate(year, month, day)


def _precision_of_format(number_format: str) -> str:
    """"day", "month" or "year": what a date cell's number format shows (yyyy.mm hides the day)."""
    fmt = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", number_format or "").lower()
    if "d" in fmt or fmt in ("", "general"):
        return "day"
    return "month" if "m" in fmt else "year"


def parse_date(cell: Cell | Any, epoch: datetime.datetime | None = None) -> ParsedDate:
    """A date from a date cell, an Excel serial number or text in any of the usual forms.

    Year-month (1988.05, 1988年5月, 198805, a date cell formatted yyyy.mm) and a year alone
    come back without day (and month): the caller decides whether that is enough.
    """
    from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel

    number_format = cell.number_format if isinstance(cell, Cell) else "General"
    value = cell.value if isinstance(cell, Cell) else cell
    if isinstance(value, datetime.datetime) or isinstance(value, datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        precision = _precision_of_format(number_format)
        if precision == "month":
            return ParsedDate(day.year, day.month)
        if precision == "year":
            return ParsedDate(day.year)
        return ParsedDate(day.year, day.month, day.day)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise CellError(_("无法识别的日期，请填写日期（如 1985-07-01）"))
    if isinstance(value, (int, float)):
        whole = float(value).is_integer()
        number = int(value) if whole else value
        if whole and 19000101 <= number <= 21001231:
            text = str(number)  # 19900701 typed as a number
        elif whole and 190001 <= number <= 210012:
            text = str(number)  # 199007
        elif whole and MIN_YEAR <= number <= MAX_YEAR:
            text = str(number)
        elif not whole and MIN_YEAR <= int(value) <= MAX_YEAR:
            # 1988.05 typed into a number cell: year and month. A number keeps no trailing zero,
            # so 1988.1 was 1988.1 or 1988.10: January or October.
            year, fraction = repr(value).split(".")
            month = int(fraction) if len(fraction) <= 2 else 0
            if not 1 <= month <= 12:
                raise CellError(_("无法识别的日期（%(text)s），请按 1985-07-01 填写") % {"text": repr(value)})
            return ParsedDate(int(year), month, other_month=10 if fraction == "1" else None)
        elif 1 <= value < 2958466:  # an Excel serial (32874 is 1990-01-01)
            moment = from_excel(value, epoch or CALENDAR_WINDOWS_1900)
            day = moment.date() if isinstance(moment, datetime.datetime) else None
            if day is None:
                raise CellError(_("无法识别的日期，请填写日期（如 1985-07-01）"))
            return ParsedDate(day.year, day.month, day.day)
        else:
            raise CellError(_("无法识别的日期，请填写日期（如 1985-07-01）"))
    else:
        text = fold(value)
    for pattern in _FULL_DATE:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return _existing(year, month, day, text_of(value))
    for pattern in _YEAR_MONTH:
        match = pattern.match(text)
        if match:
            year, month = (int(part) for part in match.groups())
            if not 1 <= month <= 12:
                raise CellError(_("日期不存在（%(text)s），请检查年月日") % {"text": text_of(value)})
            return ParsedDate(year, month)
    match = _YEAR.match(text)
    if match:
        return ParsedDate(int(match.group(1)))
    raise CellError(_("无法识别的日期，请按 YYYY-MM-DD 格式填写（如 1985-07-01）"))


_PHONE = re.compile(r"^1\d{10}$")
_PHONE_NOISE = re.compile(r"[\s\-()（）.]")


def parse_phone(value: Any) -> str:
    """A mainland mobile number from 138 1234 5678, 138-1234-5678, +86 13812345678, full-width digits …"""
    text = _PHONE_NOISE.sub("", digits(value))
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix):]
            break
    if not _PHONE.match(text):
        raise CellError(_("手机号码应为以 1 开头的 11 位数字"))
    return text


def parse_flag(value: Any, yes: Iterable[str], no: Iterable[str]) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(text_of(value))
    if text in yes:
        return True
    if text in no:
        return False
    raise CellError(_("请填写“是”或“否”"))


class Choices:
    """A choice field's labels and synonyms, compared folded: 中共党员, 正式党员 and "full" are one value."""

    def __init__(self, choices, synonyms: Mapping[str, str] | None = None):
        from django.utils import translation

        self.labels = [str(label) for _value, label in choices.choices]
        self.mapping: dict[str, str] = {}
        with translation.override("zh-hans"):
            self.mapping.update({fold(label): value for value, label in choices.choices})
        self.mapping.update({fold(label): value for value, label in choices.choices})  # the user's language
        self.mapping.update({fold(value): value for value in choices.values})
        self.mapping.update({fold(text): str(value) for text, value in (synonyms or {}).items()})

    def get(self, text: str) -> str | None:
        return self.mapping.get(fold(text))

    def parse(self, value: Any) -> str:
        found = self.get(text_of(value))
        if found is None:
            raise CellError(_("无法识别，应为：%(labels)s") % {"labels": "、".join(self.labels)})
        return found


# ------------------------------------------------------------------------------------ problems


@dataclass
class Problems:
    """Every problem found in a table, reported together (nothing is saved while there is one)."""

    table: Table
    schema: Schema
    items: list[dict[str, Any]] = field(default_factory=list)
    _keys_by_row: dict[int, set[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, row: Row, key: str, message: str, value: Any = None) -> None:
        cell = row.cell(key)
        shown = cell.value if value is None else value
        self.items.append({
            "row": row.number,
            "column": self.table.header(key, self.schema),
            "cell": cell.coordinate,
            "value": text_of(shown)[:200],
            "message": message,
            "_key": key,
        })
        self._keys_by_row.setdefault(row.number, set()).add(key)

    def on(self, row: Row, *keys: str) -> bool:
        """Whether this row already has a problem in one of these fields."""
        return not self._keys_by_row.get(row.number, set()).isdisjoint(keys)

    def check_cells(self, row: Row) -> set[str]:
        """Report formulas and error values among the row's cells; return the fields that have one."""
        bad = set()
        for key, cell in row.cells.items():
            if cell.formula:
                self.add(row, key, _("单元格含公式，请复制后“选择性粘贴为数值”再导入"))
                bad.add(key)
            elif cell.error:
                self.add(row, key, _("单元格是错误值（%(v)s），请更正") % {"v": text_of(cell.value)})
                bad.add(key)
        return bad

    def as_list(self) -> list[dict[str, Any]]:
        order = self.schema.order
        ordered = sorted(self.items, key=lambda item: (item["row"], order.get(item["_key"], len(order))))
        return [{k: v for k, v in item.items() if k != "_key"} for item in ordered]
