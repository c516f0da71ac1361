"""Roster import from .xlsx: read, validate every row, then save all rows or none.

The steps are plain functions usable without a request (the upload view runs
them in a background job, ``manage.py import_roster`` runs them inline):

- ``parse_workbook(data)`` reads the first sheet into ``RowData`` or raises
  ``RosterFileError`` for problems with the file as a whole;
- ``validate_rows(rows, user)`` checks every row against the rules and the
  user's CHANGE scope and returns ``(valid_rows, errors)``;
- ``apply_rows(valid_rows, user)`` upserts by ID-card number with bulk
  queries inside one transaction and records one IMPORT audit event;
- ``import_roster(data, user)`` chains them and returns the job result.

Blank cells: for a new person they take the default (empty, 汉族, 否); for an
existing person they keep the stored value, so a partial roster never wipes
data. A column missing from the file altogether is treated the same way.
"""

from __future__ import annotations

import datetime
import io
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record, serialise
from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE

from . import idcard
from .models import (
    PARTY_STATUSES,
    Education,
    Gender,
    Membership,
    MembershipReason,
    MemberStatus,
    Org,
    Person,
)

Progress = Callable[[int, int], None]

# (header, model field, required) in template order.
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("姓名", "name", True),
    ("性别", "gender", True),
    ("民族", "ethnicity", False),
    ("出生日期", "birth_date", False),
    ("身份证号码", "id_card", True),
    ("手机号码", "phone", False),
    ("学历", "education", False),
    ("岗位职务", "post", False),
    ("工作单位", "unit", False),
    ("所在组织", "org", True),
    ("政治面貌", "status", True),
    ("入党日期", "join_date", False),
    ("转正日期", "full_date", False),
    ("困难党员", "is_needy", False),
    ("生产骨干", "is_production_backbone", False),
    ("技术骨干", "is_technical_backbone", False),
    ("管理骨干", "is_management_backbone", False),
)
HEADERS = [header for header, _field, _req in COLUMNS]
REQUIRED_HEADERS = [header for header, _field, required in COLUMNS if required]
FIELD_BY_HEADER = {header: name for header, name, _req in COLUMNS}
HEADER_BY_FIELD = {name: header for header, name, _req in COLUMNS}
DATE_FIELDS = ("birth_date", "join_date", "full_date")
FLAG_FIELDS = ("is_needy", "is_production_backbone", "is_technical_backbone", "is_management_backbone")
TEXT_LIMITS = {"name": 50, "ethnicity": 20, "post": 100, "unit": 100}
# Fields an import writes on the Person row (``org`` as ``org_id``).
PERSON_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "phone", "education", "post", "unit", "org_id", "status",
    "join_date", "full_date", *FLAG_FIELDS,
)

SHEET_TITLE = "人员名册"
GUIDE_TITLE = "填写说明"
BATCH = 1000
LOOKUP_CHUNK = 500
PROGRESS_EVERY = 500
MAX_STORED_ERRORS = 2000

ALIASES = {
    "gender": {"男性": Gender.MALE, "女性": Gender.FEMALE},
    "education": {
        "硕士": Education.POSTGRADUATE, "博士": Education.POSTGRADUATE, "硕士研究生": Education.POSTGRADUATE,
        "博士研究生": Education.POSTGRADUATE, "本科": Education.BACHELOR, "大学": Education.BACHELOR,
        "大专": Education.COLLEGE, "专科": Education.COLLEGE, "初中": Education.JUNIOR,
    },
    "status": {
        "中共党员": MemberStatus.FULL, "中共预备党员": MemberStatus.PROBATIONARY, "积极分子": MemberStatus.ACTIVIST,
    },
}
CHOICES = {"gender": Gender, "education": Education, "status": MemberStatus}
YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", "×"}
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_PHONE = re.compile(r"^1\d{10}$")


class RosterFileError(Exception):
    """The file as a whole cannot be imported (message already translated)."""


@dataclass
class RowData:
    """One data row as read: the Excel row number and the raw cell values by field name.

    Only the columns present in the file appear in ``values``.
    """

    row: int
    values: dict[str, Any]
    cell_errors: dict[str, str] = field(default_factory=dict)  # field -> Excel error value (#N/A …)


@dataclass
class ValidRow:
    row: int
    id_card: str
    fields: dict[str, Any]  # cleaned values of the non-blank cells (PERSON_FIELDS names)
    person: Person | None = None  # the existing person with this ID number


def max_rows() -> int:
    return int(getattr(settings, "ROSTER_IMPORT_MAX_ROWS", 20000))


# --------------------------------------------------------------------------- reading


def _clean_header(value: Any) -> str:
    text = "" if value is None else str(value)
    text = re.sub(r"\s+", "", text)
    return text.rstrip("*＊").replace("（必填）", "").replace("(必填)", "")


def parse_workbook(data: bytes) -> list[RowData]:
    """Read the roster sheet: header row, then one ``RowData`` per non-blank row."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # corrupt XML inside a valid zip, missing parts, encrypted files …
        raise RosterFileError(_("文件已损坏或不是有效的 Excel 工作簿，无法读取。")) from exc
    try:
        return _read_sheet(workbook)
    except RosterFileError:
        raise
    except Exception as exc:
        raise RosterFileError(_("文件已损坏或不是有效的 Excel 工作簿，无法读取。")) from exc
    finally:
        workbook.close()


def _read_sheet(workbook) -> list[RowData]:
    from openpyxl.utils import get_column_letter

    names = workbook.sheetnames
    if not names:
        raise RosterFileError(_("工作簿中没有工作表。"))
    sheet = workbook[SHEET_TITLE] if SHEET_TITLE in names else workbook[names[0]]
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # don't trust the stored dimension: read every row
    limit = max_rows()
    rows_iter = sheet.iter_rows()
    columns: dict[int, str] | None = None
    rows: list[RowData] = []
    title_lines = 0
    for number, cells in enumerate(rows_iter, start=1):
        for index, cell in enumerate(cells):
            if getattr(cell, "data_type", None) == "f":
                raise RosterFileError(
                    _("文件包含公式（第 %(row)s 行 %(col)s 列），请粘贴为数值后再导入。")
                    % {"row": number, "col": get_column_letter(index + 1)}
                )
        values = [cell.value for cell in cells]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if columns is None:
            headers = [_clean_header(v) for v in values]
            filled = [h for h in headers if h]
            if len(filled) == 1 and filled[0] not in FIELD_BY_HEADER and title_lines < 3:
                title_lines += 1
                continue  # a title line above the header ("某某党支部党员名册")
            columns = _map_headers(headers)
            continue
        if len(rows) >= limit:
            raise RosterFileError(
                _("数据行过多：单次最多导入 %(limit)s 行，请拆分文件后分批导入。") % {"limit": limit}
            )
        row = RowData(row=number, values={})
        for index, name in columns.items():
            cell = cells[index] if index < len(cells) else None
            value = cell.value if cell is not None else None
            if getattr(cell, "data_type", None) == "e":
                row.cell_errors[name] = str(value)
                value = None
            row.values[name] = value
        rows.append(row)
    if columns is None:
        raise RosterFileError(_("工作表是空的：没有表头，也没有数据行。请使用导入模板填写。"))
    if not rows:
        raise RosterFileError(_("工作表中没有数据行：请从表头下一行起填写人员信息。"))
    return rows


def _map_headers(headers: list[str]) -> dict[int, str]:
    columns: dict[int, str] = {}
    unknown: list[str] = []
    seen: set[str] = set()
    duplicated: list[str] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        name = FIELD_BY_HEADER.get(header)
        if name is None:
            unknown.append(header)
        elif header in seen:
            duplicated.append(header)
        else:
            seen.add(header)
            columns[index] = name
    missing = [h for h in REQUIRED_HEADERS if h not in seen]
    problems = []
    if missing:
        problems.append(_("缺少必填列：%(cols)s") % {"cols": "、".join(missing)})
    if unknown:
        problems.append(_("无法识别的列：%(cols)s") % {"cols": "、".join(unknown)})
    if duplicated:
        problems.append(_("列名重复：%(cols)s") % {"cols": "、".join(duplicated)})
    if problems:
        raise RosterFileError(
            "；".join(problems) + _("。请使用导入模板的表头（第一行）：%(headers)s。") % {"headers": "、".join(HEADERS)}
        )
    return columns


# --------------------------------------------------------------------------- cell cleaning


class CellError(Exception):
    pass


def _text(value: Any) -> str:
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


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: Any) -> datetime.date:
    """A real Excel date, or text as YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日 or YYYYMMDD."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 10000101 <= value <= 99991231:
            value = str(int(value))
        else:
            raise CellError(_("无法识别的日期，请填写日期（如 1985-07-01）"))
    text = re.sub(r"\s+", "", str(value))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                raise CellError(_("日期不存在（%(text)s），请检查年月日") % {"text": text}) from None
    raise CellError(_("无法识别的日期，请按 YYYY-MM-DD 格式填写（如 1985-07-01）"))


def _choice_map(name: str) -> dict[str, str]:
    choices = CHOICES[name]
    mapping: dict[str, str] = {}
    with translation.override("zh-hans"):
        mapping.update({str(label): value for value, label in choices.choices})
    mapping.update({str(label): value for value, label in choices.choices})  # the user's language
    mapping.update({value: value for value in choices.values})
    mapping.update({k: str(v) for k, v in ALIASES.get(name, {}).items()})
    return mapping


def _choice_labels(name: str) -> str:
    return "、".join(str(label) for _value, label in CHOICES[name].choices)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_("请填写“是”或“否”"))


# --------------------------------------------------------------------------- organisations


def _normalise_org_path(text: str) -> list[str]:
    text = text.replace("／", "/").replace("\\", "/").replace(">", "/").replace("＞", "/")
    return [part.strip() for part in text.split("/") if part.strip()]


class OrgResolver:
    """Org names (or name paths) → orgs where the user may change people, from two queries."""

    def __init__(self, user):
        orgs = list(Org.objects.only("pk", "name", "path", "is_active").order_by())
        self.by_id = {org.pk: org for org in orgs}
        self.allowed = set(orgs_for(user, Person, CHANGE).values_list("pk", flat=True))
        self.by_name: dict[str, list[Org]] = {}
        for org in orgs:
            if org.pk in self.allowed:
                self.by_name.setdefault(org.name.strip(), []).append(org)
        self._cache: dict[str, Org | str] = {}

    def name_path(self, org: Org) -> list[str]:
        ids = [int(part) for part in org.path.strip("/").split("/") if part.isdigit()]
        return [self.by_id[i].name.strip() if i in self.by_id else "" for i in ids]

    def resolve(self, text: str) -> Org | str:
        """The org, or an error message."""
        if text in self._cache:
            return self._cache[text]
        parts = _normalise_org_path(text)
        candidates = self.by_name.get(parts[-1], []) if parts else []
        if len(parts) > 1:
            candidates = [org for org in candidates if self.name_path(org)[-len(parts):] == parts]
        if not candidates:
            result: Org | str = _("所在组织不存在或不在您的管理范围内")
        elif len(candidates) > 1:
            result = _("组织名称不唯一，请填写完整路径（如 %(example)s）") % {
                "example": "/".join(self.name_path(candidates[0]))
            }
        elif not candidates[0].is_active:
            result = _("所在组织已撤销，不能导入人员")
        else:
            result = candidates[0]
        self._cache[text] = result
        return result


# --------------------------------------------------------------------------- validation


def _display(value: Any) -> str:
    return _text(value)[:200]


def _load_people(id_cards: Iterable[str], user) -> tuple[dict[str, Person], set[int]]:
    """Existing people by ID number, and which of them the user may change (chunked ``IN``)."""
    id_cards = sorted(set(id_cards))
    people: dict[str, Person] = {}
    changeable: set[int] = set()
    for start in range(0, len(id_cards), LOOKUP_CHUNK):
        chunk = id_cards[start:start + LOOKUP_CHUNK]
        for person in Person.objects.filter(id_card__in=chunk).order_by():
            people[person.id_card] = person
        changeable.update(
            Person.objects.for_user(user, CHANGE).filter(id_card__in=chunk).order_by().values_list("pk", flat=True)
        )
    return people, changeable


def validate_rows(rows: list[RowData], user, progress: Progress | None = None
                  ) -> tuple[list[ValidRow], list[dict[str, Any]]]:
    """Check every row; return the clean rows and every problem found as {row, column, value, message}."""
    errors: list[dict[str, Any]] = []
    orgs = OrgResolver(user)
    choice_maps = {name: _choice_map(name) for name in CHOICES}
    total = len(rows)

    def error(row: RowData, name: str, message: str, value: Any = None) -> None:
        errors.append({
            "row": row.row,
            "column": HEADER_BY_FIELD[name],
            "value": _display(row.values.get(name) if value is None else value),
            "message": message,
        })

    # ID numbers first: duplicates and existing people need the whole file.
    id_rows: dict[str, list[RowData]] = {}
    id_of: dict[int, str] = {}
    for row in rows:
        raw = row.values.get("id_card")
        if _is_blank(raw) or row.cell_errors.get("id_card"):
            continue
        number = idcard.normalise(_text(raw).replace(" ", ""))
        id_of[row.row] = number
        id_rows.setdefault(number, []).append(row)
    people, changeable = _load_people([n for n in id_rows if idcard.is_valid(n)], user)

    valid: list[ValidRow] = []
    for position, row in enumerate(rows, start=1):
        if progress and position % PROGRESS_EVERY == 0:
            progress(position, total)
        before = len(errors)
        values = row.values
        cleaned: dict[str, Any] = {}
        for name, bad in row.cell_errors.items():
            error(row, name, _("单元格是错误值（%(v)s），请更正") % {"v": bad}, bad)

        # ID number
        number = id_of.get(row.row)
        person: Person | None = None
        if "id_card" in row.cell_errors:
            pass
        elif number is None:
            error(row, "id_card", _("必填项为空"))
        elif len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
            hint = _("；请把该列设为文本格式") if isinstance(values.get("id_card"), (int, float)) else ""
            error(row, "id_card", _("身份证号码应为 18 位（最后一位可以是 X）") + hint)
            number = None
        elif not idcard.is_valid(number):
            try:
                idcard.birth_date(number)
            except ValueError:
                error(row, "id_card", _("身份证号码中的出生日期无效"))
            else:
                hint = _("；数字格式会丢失末几位，请把该列设为文本格式") if isinstance(
                    values.get("id_card"), (int, float)) else ""
                error(row, "id_card", _("身份证号码校验位不正确") + hint)
            number = None
        else:
            others = [other.row for other in id_rows[number] if other.row != row.row]
            if others:
                error(row, "id_card", _("身份证号码与第 %(rows)s 行重复") % {"rows": "、".join(map(str, others))})
            person = people.get(number)
            if person is not None and person.pk not in changeable:
                error(row, "id_card", _("该身份证号码不能由您导入或修改，请联系上级党组织"))
                person = None

        # Text fields
        for name in ("name", "ethnicity", "post", "unit"):
            if name not in values or name in row.cell_errors:
                continue
            text = _text(values[name])
            if name == "name":
                text = re.sub(r"\s+", "", text) if re.fullmatch(r"[\u4e00-\u9fff\s·]+", text) else text
            if not text:
                if name == "name":
                    error(row, name, _("必填项为空"))
                continue
            if len(text) > TEXT_LIMITS[name]:
                error(row, name, _("内容过长（最多 %(n)s 个字）") % {"n": TEXT_LIMITS[name]})
                continue
            cleaned[name] = text

        # Choices
        for name in ("gender", "education", "status"):
            if name not in values or name in row.cell_errors:
                continue
            text = re.sub(r"\s+", "", _text(values[name]))
            if not text:
                if name != "education":
                    error(row, name, _("必填项为空"))
                continue
            value = choice_maps[name].get(text)
            if value is None:
                error(row, name, _("无法识别，应为：%(labels)s") % {"labels": _choice_labels(name)})
                continue
            cleaned[name] = value

        # Dates
        for name in DATE_FIELDS:
            if name not in values or name in row.cell_errors or _is_blank(values[name]):
                continue
            try:
                day = parse_date(values[name])
            except CellError as exc:
                error(row, name, str(exc))
                continue
            if day > timezone.localdate():
                error(row, name, _("日期不能晚于今天"))
                continue
            if day.year < 1900:
                error(row, name, _("日期过早，请检查年份"))
                continue
            cleaned[name] = day

        # Phone
        if "phone" in values and "phone" not in row.cell_errors and not _is_blank(values["phone"]):
            phone = re.sub(r"[\s-]", "", _text(values["phone"]))
            if not _PHONE.match(phone):
                error(row, "phone", _("手机号码应为以 1 开头的 11 位数字"))
            else:
                cleaned["phone"] = phone

        # Flags
        for name in FLAG_FIELDS:
            if name not in values or name in row.cell_errors or _is_blank(values[name]):
                continue
            try:
                cleaned[name] = _flag(values[name])
            except CellError as exc:
                error(row, name, str(exc))

        # Organisation
        if "org" not in row.cell_errors:
            org_text = _text(values.get("org"))
            if not org_text:
                error(row, "org", _("必填项为空"))
            else:
                found = orgs.resolve(org_text)
                if isinstance(found, str):
                    error(row, "org", found)
                else:
                    cleaned["org_id"] = found.pk

        # Rules across fields, on the merged record (blank cells keep stored values).
        if number and not _failed_on(errors, before, "出生日期"):
            from_id = idcard.birth_date(number)
            if "birth_date" in cleaned and cleaned["birth_date"] != from_id:
                error(row, "birth_date", _("出生日期与身份证号码不一致（身份证为 %(d)s）") % {"d": from_id.isoformat()})
                cleaned.pop("birth_date")
            elif "birth_date" not in cleaned:
                cleaned["birth_date"] = from_id
        merged = {f: getattr(person, f) for f in PERSON_FIELDS} if person is not None else {}
        merged.update(cleaned)
        status = merged.get("status")
        join_date, full_date, birth = merged.get("join_date"), merged.get("full_date"), merged.get("birth_date")
        if not _failed_on(errors, before, "入党日期", "转正日期", "政治面貌"):
            if status in PARTY_STATUSES and not join_date:
                error(row, "join_date", _("正式党员和预备党员须填写入党日期"))
            elif join_date and full_date and full_date < join_date:
                error(row, "full_date", _("转正日期不能早于入党日期"), full_date)
            elif birth and join_date and join_date <= birth:
                error(row, "join_date", _("入党日期不能早于出生日期"), join_date)

        if len(errors) == before and number:
            valid.append(ValidRow(row=row.row, id_card=number, fields=cleaned, person=person))
    if progress:
        progress(total, total)
    errors.sort(key=lambda e: (e["row"], HEADERS.index(e["column"])))
    return valid, errors


def _failed_on(errors: list[dict], since: int, *headers: str) -> bool:
    """Whether this row (errors after ``since``) already failed on one of these columns."""
    return any(e["column"] in headers for e in errors[since:])


# --------------------------------------------------------------------------- saving


def apply_rows(valid_rows: list[ValidRow], user, progress: Progress | None = None, file_name: str = "") -> dict:
    """Upsert every row in one transaction; one IMPORT audit event. Returns the counts."""
    today = timezone.localdate()
    now = timezone.now()
    total = len(valid_rows)
    new_people: list[Person] = []
    changed: list[Person] = []
    changed_fields: set[str] = set()
    moves: list[tuple[Person, int]] = []  # (person, from_org_id)
    diffs: dict[str, dict] = {}
    unchanged = 0
    for position, item in enumerate(valid_rows, start=1):
        if progress and position % PROGRESS_EVERY == 0:
            progress(position, total)
        if item.person is None:
            person = Person(id_card=item.id_card, **item.fields)
            if not person.ethnicity:
                person.ethnicity = "汉族"
            new_people.append(person)
            continue
        person = item.person
        diff = {}
        for name, value in item.fields.items():
            old = getattr(person, name)
            if old != value:
                diff[name] = [serialise(old), serialise(value)]
                if name == "org_id":
                    moves.append((person, old))
                setattr(person, name, value)
                changed_fields.add(name)
        if diff:
            person.updated_at = now
            changed.append(person)
            diffs[str(person.pk)] = diff
        else:
            unchanged += 1

    with transaction.atomic():
        created = Person.objects.bulk_create(new_people, batch_size=BATCH)
        if any(p.pk is None for p in created):  # a backend that can't return ids from bulk inserts
            ids = dict(_ids_by_card([p.id_card for p in created]))
            for person in created:
                person.pk = ids[person.id_card]
        if changed:
            _update_people(changed, sorted(changed_fields | {"updated_at"}))
        if moves:
            moved_ids = [person.pk for person, _from in moves]
            for start in range(0, len(moved_ids), LOOKUP_CHUNK):
                Membership.objects.filter(
                    person_id__in=moved_ids[start:start + LOOKUP_CHUNK], ended_on__isnull=True
                ).update(ended_on=today, end_reason=MembershipReason.TRANSFER_OUT)
        memberships = [
            Membership(person=p, org_id=p.org_id, started_on=p.join_date or today,
                       start_reason=MembershipReason.INITIAL, note=_("名册导入"))
            for p in created
        ] + [
            Membership(person=p, org_id=p.org_id, started_on=today, start_reason=MembershipReason.TRANSFER_IN,
                       note=_("名册导入"))
            for p, _from in moves
        ]
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
        counts = {
            "created": len(created), "updated": len(changed), "unchanged": unchanged,
            "transferred": len(moves), "total": total,
        }
        record(
            AuditAction.IMPORT,
            object_type=Person._meta.label_lower,
            object_repr=_("人员名册导入：%(file)s") % {"file": file_name or "-"},
            message=_("新增 %(created)s 人，更新 %(updated)s 人，未变 %(unchanged)s 人，转接 %(transferred)s 人")
            % counts,
            changes={
                "created": len(created), "updated": len(changed), "file": file_name,
                "transferred": len(moves), "unchanged": unchanged,
                "created_ids": [p.pk for p in created], "diffs": diffs,
            },
        )
    if progress:
        progress(total, total)
    return counts


def _update_people(people: list[Person], names: list[str]) -> None:
    """One parameterised UPDATE per person, sent with ``executemany`` in batches.

    ``QuerySet.bulk_update`` builds a ``CASE WHEN`` per field and row and spends
    seconds resolving those expressions in Python for a few thousand rows; the
    same statement with different parameters is what both SQLite and psycopg
    execute fastest.
    """
    connection = connections[Person.objects.db]
    quote = connection.ops.quote_name
    fields = [Person._meta.get_field(name) for name in names]
    sql = "UPDATE {table} SET {sets} WHERE {pk} = %s".format(
        table=quote(Person._meta.db_table),
        sets=", ".join(f"{quote(f.column)} = %s" for f in fields),
        pk=quote(Person._meta.pk.column),
    )
    params = [
        [f.get_db_prep_save(getattr(person, f.attname), connection) for f in fields] + [person.pk]
        for person in people
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, params[start:start + BATCH])


def _ids_by_card(cards: list[str]):
    for start in range(0, len(cards), LOOKUP_CHUNK):
        yield from Person.objects.filter(id_card__in=cards[start:start + LOOKUP_CHUNK]).values_list("id_card", "pk")


# --------------------------------------------------------------------------- the whole import


def import_roster(data: bytes, user, progress: Progress | None = None, file_name: str = "",
                  dry_run: bool = False) -> dict:
    """Read, validate and (if every row is valid) save. The result is JSON-ready.

    ``{"error": …}`` for a file-level problem, ``{"errors": [...]}`` for row problems (nothing saved),
    otherwise the counts ``{"created", "updated", "unchanged", "transferred", "total"}``.
    """
    started = time.monotonic()
    result: dict[str, Any] = {"file": file_name}
    try:
        rows = parse_workbook(data)
    except RosterFileError as exc:
        return {**result, "error": str(exc)}
    result["total"] = len(rows)
    if progress:
        progress(0, len(rows))
    valid, errors = validate_rows(rows, user, progress)
    if errors:
        result.update(
            errors=errors[:MAX_STORED_ERRORS],
            error_count=len(errors),
            error_rows=len({e["row"] for e in errors}),
            truncated=len(errors) > MAX_STORED_ERRORS,
        )
    elif not dry_run:
        try:
            result.update(apply_rows(valid, user, progress, file_name=file_name))
        except IntegrityError:
            return {**result, "error": _("保存时发现身份证号码已被同时登记（可能有人在同一时间导入或录入），"
                                          "未保存任何数据，请重新导入。")}
    else:
        result.update(dry_run=True, valid=len(valid))
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


def run_import_job(job) -> dict:
    """Job runner: import the stored upload as the job's creator, then delete the file."""
    path = Path(settings.MEDIA_ROOT) / job.params["path"]
    try:
        data = path.read_bytes()
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            return import_roster(data, job.created_by, progress=job.set_progress, file_name=job.params.get("name", ""))
    finally:
        path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- the template


def guide_rows() -> list[tuple[str, str, str]]:
    required = _("必填")
    optional = _("选填")
    yes_no = _("填“是”或“否”，空白视为“否”")
    date_rule = _("Excel 日期，或文本 YYYY-MM-DD、YYYY/MM/DD、YYYY年M月D日")
    notes = {
        "name": _("人员姓名"),
        "gender": _("可填：%(labels)s") % {"labels": _choice_labels("gender")},
        "ethnicity": _("如 汉族、回族；新增人员空白时为“汉族”"),
        "birth_date": date_rule + _("；须与身份证号码一致，空白时按身份证号码填入"),
        "id_card": _("18 位，末位可为 X；请把该列设为文本格式。按身份证号码匹配：已有人员则更新，否则新增"),
        "phone": _("11 位手机号码"),
        "education": _("可填：%(labels)s") % {"labels": _choice_labels("education")},
        "post": _("如 变电运维班班长"),
        "unit": _("如 变电运维中心"),
        "org": _("组织的准确名称；重名时填写完整路径，如 局党委/变电运维中心党委/变电一班党支部。"
                 "只能导入到您管理范围内的组织"),
        "status": _("可填：%(labels)s") % {"labels": _choice_labels("status")},
        "join_date": date_rule + _("；正式党员、预备党员必填"),
        "full_date": date_rule + _("；不能早于入党日期"),
    }
    rows = []
    for header, name, is_required in COLUMNS:
        rows.append((header, required if is_required else optional, notes.get(name, yes_no)))
    rows.append(("", "", ""))
    rows.append((_("说明"), "", _("第一行为表头，请勿修改列名；从第二行起每行一人。")))
    rows.append(("", "", _("单元格不能包含公式，请粘贴为数值。")))
    rows.append(("", "", _("任何一行有错误时，整个文件都不会保存；请按错误列表修改后重新导入。")))
    rows.append(("", "", _("更新已有人员时，空白单元格保留原有内容；所在组织改变时自动记录组织关系转接（转接日期为导入当天）。")))
    rows.append(("", "", _("单次最多 %(n)s 行。") % {"n": max_rows()}))
    return rows


def template_bytes() -> bytes:
    """The downloadable template: the header row, text-formatted ID/phone columns, drop-downs and a guide sheet."""
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from vanguard.core.exports import write_xlsx

    buffer = io.BytesIO()
    widths = [10, 6, 8, 12, 22, 14, 12, 18, 18, 30, 14, 12, 12, 10, 10, 10, 10]
    write_xlsx(buffer, HEADERS, [], sheet_title=SHEET_TITLE, widths=widths)
    buffer.seek(0)
    workbook = load_workbook(buffer)
    sheet = workbook[SHEET_TITLE]
    text_format = "@"
    for name in ("id_card", "phone"):
        letter = get_column_letter(HEADERS.index(HEADER_BY_FIELD[name]) + 1)
        sheet.column_dimensions[letter].number_format = text_format
        for row in range(2, 1002):
            sheet[f"{letter}{row}"].number_format = text_format
    for name in DATE_FIELDS:
        letter = get_column_letter(HEADERS.index(HEADER_BY_FIELD[name]) + 1)
        for row in range(2, 1002):
            sheet[f"{letter}{row}"].number_format = "yyyy-mm-dd"
    lists = {name: [str(label) for _v, label in CHOICES[name].choices] for name in CHOICES}
    for name in FLAG_FIELDS:
        lists[name] = [str(_("是")), str(_("否"))]
    for name, options in lists.items():
        letter = get_column_letter(HEADERS.index(HEADER_BY_FIELD[name]) + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        validation.error = _("请从下拉列表中选择")
        validation.showErrorMessage = True
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{max_rows() + 1}")
    guide = workbook.create_sheet(GUIDE_TITLE)
    guide.append([_("列名"), _("是否必填"), _("填写要求")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for row in guide_rows():
        guide.append(list(row))
    guide.column_dimensions["A"].width = 14
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 90
    for row in guide.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
