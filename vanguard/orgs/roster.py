"""Roster import from .xlsx: read, validate every row, then save all rows or none; and its export.

The steps are plain functions usable without a request (the upload view runs them in a
background job, ``manage.py import_roster`` runs them inline):

- ``parse_workbook(data)`` finds the roster in the workbook with ``tabular.read_table``
  (the sheet, the header under a title, two-row headers, header synonyms from
  ``orgs.synonyms``; hidden and unknown columns ignored and listed) and returns a
  ``tabular.Table``, or raises ``RosterFileError`` for problems of the file as a whole;
- ``validate_rows(table, user)`` checks every row against the rules and the user's CHANGE
  scope and returns ``(valid_rows, errors)``: every problem of the file, one per cell;
- ``apply_rows(valid_rows, user)`` upserts by ID-card number with bulk queries inside one
  transaction and records one IMPORT audit event;
- ``import_roster(data, user)`` chains them and returns the job result;
- ``export_rows(people, user)`` writes people in the template's columns, which
  ``import_roster`` reads back as no change (the "export for re-import").

Blank cells: for a new person they take the default (empty, 汉族, 否; the gender and birth
date from the ID number); for an existing person they keep the stored value, so a partial
roster never wipes data. A column missing from the file altogether is treated the same way.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import mask, record, serialise
from vanguard.care.access import needy_org_ids
from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE

from . import idcard, synonyms, tabular
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
from .tabular import CellError, Row, Table

Progress = Callable[[int, int], None]

# (header, model field, required) in template order.
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("姓名", "name", True),
    ("性别", "gender", False),  # blank: from the ID number
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
SCHEMA = tabular.Schema(
    tabular.Field(name, header, synonyms.HEADER_SYNONYMS.get(header, ()), required=required)
    for header, name, required in COLUMNS
)
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

RosterFileError = tabular.TableFileError


@dataclass
class ValidRow:
    row: int
    id_card: str
    fields: dict[str, Any]  # cleaned values of the non-blank cells (PERSON_FIELDS names)
    person: Person | None = None  # the existing person with this ID number


def max_rows() -> int:
    return int(getattr(settings, "ROSTER_IMPORT_MAX_ROWS", 20000))


# --------------------------------------------------------------------------- reading


def parse_workbook(data: bytes) -> Table:
    """The roster table of the workbook (see ``tabular.read_table``)."""
    return tabular.read_table(
        data, SCHEMA, max_rows=max_rows(), guard_key="id_card",
        closing_words=synonyms.TOTAL_WORDS + synonyms.FOOTER_WORDS,
    )


# --------------------------------------------------------------------------- values


class _Values:
    """The parsers of the roster's choice fields, built once per import (labels in two languages)."""

    def __init__(self):
        self.gender = tabular.Choices(Gender, synonyms.GENDER_SYNONYMS)
        self.education = tabular.Choices(Education, synonyms.EDUCATION_SYNONYMS)
        self.status = tabular.Choices(MemberStatus, synonyms.STATUS_SYNONYMS)
        self.ethnicities = {tabular.fold(name): name for name in synonyms.ETHNICITIES}
        self.ethnicities.update({tabular.fold(k): v for k, v in synonyms.ETHNICITY_SYNONYMS.items()})
        self.qualifiers = tuple(tabular.fold(word) for word in synonyms.EDUCATION_QUALIFIERS)

    def education_of(self, text: str) -> str:
        """硕士研究生, 全日制硕士, 研究生（硕士）, 大学本科（学士） … as the stored value, keeping the degree."""
        folded = tabular.fold(text)
        found = self.education.get(folded)
        if found is None:
            bare = folded
            for word in self.qualifiers:
                bare = bare.replace(word, "")
            found = self.education.get(bare) or self.education.get(re.sub(r"\([^)]*\)", "", bare))
        if found is None:
            raise CellError(_("无法识别，应为：%(labels)s") % {"labels": "、".join(self.education.labels)})
        return found

    def ethnicity_of(self, text: str) -> str:
        """The full name of an ethnic group given by its short name (汉 → 汉族); other text as written."""
        return self.ethnicities.get(tabular.fold(text), text)


def _flag(value: Any) -> bool:
    return tabular.parse_flag(value, synonyms.YES_WORDS, synonyms.NO_WORDS)


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

    def label(self, org_id: int) -> str:
        """How an export names the org so that ``resolve`` finds it again: its name, or its path if the name repeats."""
        org = self.by_id[org_id]
        if len(self.by_name.get(org.name.strip(), ())) > 1:
            return "/".join(self.name_path(org))
        return org.name.strip()

    def resolve(self, text: str) -> Org | str:
        """The org (dissolved ones too: the caller decides), or an error message."""
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
        else:
            result = candidates[0]
        self._cache[text] = result
        return result


# --------------------------------------------------------------------------- validation


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


_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")


def _id_number(row: Row) -> str | None:
    cell = row.cell("id_card")
    if cell.blank or cell.formula or cell.error:
        return None
    return tabular.digits(cell.value)


class _RowChecker:
    """The checks of one import: what every row needs (orgs, existing people, parsers) loaded once."""

    def __init__(self, table: Table, user):
        self.table = table
        self.problems = tabular.Problems(table, SCHEMA)
        self.orgs = OrgResolver(user)
        self.values = _Values()
        self.today = timezone.localdate()
        self.numbers: dict[int, str] = {}
        self.rows_by_number: dict[str, list[int]] = {}
        for row in table.rows:
            number = _id_number(row)
            if number:
                self.numbers[row.number] = number
                self.rows_by_number.setdefault(number, []).append(row.number)
        self.people, self.changeable = _load_people(
            [n for n in self.rows_by_number if idcard.is_valid(n)], user)
        self.needy_orgs = needy_org_ids(user, CHANGE)

    def error(self, row: Row, name: str, message: str, value: Any = None) -> None:
        self.problems.add(row, name, message, value)

    def check(self, row: Row) -> ValidRow | None:
        before = len(self.problems)
        bad = self.problems.check_cells(row)
        cleaned: dict[str, Any] = {}
        number, person = self.id_card(row, bad)
        self.texts(row, bad, cleaned)
        self.choices(row, bad, cleaned, number, person)
        birth = self.dates(row, bad, cleaned)
        self.phone_and_flags(row, bad, cleaned)
        self.org(row, bad, cleaned, person)
        self.needy_flag(row, cleaned, person)
        self.across_fields(row, cleaned, number, person, birth)
        if len(self.problems) == before and number:
            return ValidRow(row=row.number, id_card=number, fields=cleaned, person=person)
        return None

    def id_card(self, row: Row, bad: set[str]) -> tuple[str | None, Person | None]:
        if "id_card" in bad:
            return None, None
        number = self.numbers.get(row.number)
        raw = row.value("id_card")
        as_number = (isinstance(raw, (int, float)) and not isinstance(raw, bool)) or bool(
            number and _SCIENTIFIC.match(number))
        lost_digits = _("身份证号码以数字格式保存，末几位已丢失（Excel 只保留 15 位有效数字）；"
                        "请把该列设为文本格式后重新填写")
        if number is None:
            self.error(row, "id_card", _("必填项为空"))
            return None, None
        if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
            self.error(row, "id_card", lost_digits if as_number else _("身份证号码应为 18 位（最后一位可以是 X）"))
            return None, None
        if not idcard.is_valid(number):
            try:
                idcard.birth_date(number)
            except ValueError:
                self.error(row, "id_card", _("身份证号码中的出生日期无效"))
            else:
                self.error(row, "id_card", lost_digits if as_number else _("身份证号码校验位不正确"))
            return None, None
        others = [other for other in self.rows_by_number[number] if other != row.number]
        if others:
            shown = "、".join(map(str, others[:5])) + (_(" 等 %(n)s") % {"n": len(others)} if len(others) > 5 else "")
            self.error(row, "id_card", _("身份证号码与第 %(rows)s 行重复") % {"rows": shown})
        person = self.people.get(number)
        if person is not None and person.pk not in self.changeable:
            self.error(row, "id_card", _("该身份证号码不能由您导入或修改，请联系上级党组织"))
            person = None
        return number, person

    def texts(self, row: Row, bad: set[str], cleaned: dict) -> None:
        for name in ("name", "ethnicity", "post", "unit"):
            if name not in row.cells or name in bad:
                continue
            text = tabular.clean_text(row.value(name))
            if name == "name" and re.fullmatch(r"[\u4e00-\u9fff\s\u3000·•]+", text):
                text = re.sub(r"[\s\u3000]+", "", text)  # 张　伟 typed to align two-character names
            if name == "ethnicity":
                text = self.values.ethnicity_of(text)
            if not text:
                if name == "name":
                    self.error(row, name, _("必填项为空"))
                continue
            if len(text) > TEXT_LIMITS[name]:
                self.error(row, name, _("内容过长（最多 %(n)s 个字）") % {"n": TEXT_LIMITS[name]})
                continue
            cleaned[name] = text

    def choices(self, row: Row, bad: set[str], cleaned: dict, number: str | None, person: Person | None) -> None:
        parsers = {"gender": self.values.gender.parse, "education": self.values.education_of,
                   "status": self.values.status.parse}
        for name, parse in parsers.items():
            if name in bad:
                continue
            text = tabular.clean_text(row.value(name))
            if not text:
                if name == "status":
                    self.error(row, name, _("必填项为空"))
                elif name == "gender" and person is None and number:
                    cleaned["gender"] = idcard.gender_code(number)  # a new person's, from the ID number
                continue
            try:
                cleaned[name] = parse(text)
            except CellError as exc:
                self.error(row, name, str(exc))

    def dates(self, row: Row, bad: set[str], cleaned: dict) -> tabular.ParsedDate | None:
        """Parse the dates; a birth date may be a year and month (the ID number has the day), returned as given."""
        birth = None
        for name in DATE_FIELDS:
            cell = row.cell(name)
            if name in bad or cell.blank:
                continue
            try:
                parsed = tabular.parse_date(cell, self.table.epoch)
            except CellError as exc:
                self.error(row, name, str(exc))
                continue
            if name == "birth_date":
                birth = parsed
            elif not parsed.complete:
                self.error(row, name, _("请填写完整的年月日（如 2012-07-01）"))
                continue
            if parsed.year < tabular.MIN_YEAR:
                self.error(row, name, _("日期过早，请检查年份"))
                continue
            if (parsed.year, parsed.month or 1, parsed.day or 1) > (self.today.year, self.today.month, self.today.day):
                self.error(row, name, _("日期不能晚于今天"))
                continue
            if parsed.complete:
                cleaned[name] = parsed.as_date()
        return birth

    def phone_and_flags(self, row: Row, bad: set[str], cleaned: dict) -> None:
        cell = row.cell("phone")
        if "phone" not in bad and not cell.blank:
            try:
                cleaned["phone"] = tabular.parse_phone(cell.value)
            except CellError as exc:
                self.error(row, "phone", str(exc))
        for name in FLAG_FIELDS:
            cell = row.cell(name)
            if name in bad or cell.blank:
                continue
            try:
                cleaned[name] = _flag(cell.value)
            except CellError as exc:
                self.error(row, name, str(exc))

    def org(self, row: Row, bad: set[str], cleaned: dict, person: Person | None) -> None:
        if "org" in bad:
            return
        text = tabular.clean_text(row.value("org"))
        if not text:
            self.error(row, "org", _("必填项为空"))
            return
        found = self.orgs.resolve(text)
        if isinstance(found, str):
            self.error(row, "org", found)
        elif not found.is_active and (person is None or person.org_id != found.pk):
            self.error(row, "org", _("所在组织已撤销，不能导入人员"))
        else:
            cleaned["org_id"] = found.pk

    def needy_flag(self, row: Row, cleaned: dict, person: Person | None) -> None:
        """The 困难党员 flag is for the care roles only (``care.access``): a user they do not include
        for the person's org (or the org they are imported into) must leave the cell blank."""
        if "is_needy" not in cleaned:
            return
        orgs = {cleaned.get("org_id"), person.org_id if person is not None else None} - {None}
        if not orgs <= self.needy_orgs:
            self.error(row, "is_needy", _("您无权登记该人员的困难党员标记，请保持空白"))
            del cleaned["is_needy"]

    def across_fields(self, row: Row, cleaned: dict, number: str | None, person: Person | None,
                      birth: tabular.ParsedDate | None) -> None:
        """Rules across fields, on the merged record (blank cells keep stored values)."""
        if number and not self.problems.on(row, "birth_date"):
            from_id = idcard.birth_date(number)
            if birth is not None and not birth.agrees_with(from_id):
                self.error(row, "birth_date",
                           _("出生日期与身份证号码不一致（身份证为 %(d)s）") % {"d": from_id.isoformat()})
                cleaned.pop("birth_date", None)
            else:
                cleaned["birth_date"] = from_id  # also when the file gave only the year and month
        merged = {f: getattr(person, f) for f in PERSON_FIELDS} if person is not None else {}
        merged.update(cleaned)
        status = merged.get("status")
        join_date, full_date, born = merged.get("join_date"), merged.get("full_date"), merged.get("birth_date")
        if not self.problems.on(row, "join_date", "full_date", "status"):
            if status in PARTY_STATUSES and not join_date:
                self.error(row, "join_date", _("正式党员和预备党员须填写入党日期"))
            elif join_date and full_date and full_date < join_date:
                self.error(row, "full_date", _("转正日期不能早于入党日期"), full_date)
            elif born and join_date and join_date <= born:
                self.error(row, "join_date", _("入党日期不能早于出生日期"), join_date)


def validate_rows(table: Table, user, progress: Progress | None = None
                  ) -> tuple[list[ValidRow], list[dict[str, Any]]]:
    """Check every row; return the clean rows and every problem found as {row, column, cell, value, message}."""
    checker = _RowChecker(table, user)
    total = len(table.rows)
    valid: list[ValidRow] = []
    for position, row in enumerate(table.rows, start=1):
        if progress and position % PROGRESS_EVERY == 0:
            progress(position, total)
        checked = checker.check(row)
        if checked is not None:
            valid.append(checked)
    if progress:
        progress(total, total)
    return valid, checker.problems.as_list()


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
                diff[name] = [_logged(name, old), _logged(name, value)]
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


def _logged(name: str, value: Any) -> Any:
    """A value as the import's audit diff keeps it: masked where Person's own audit events mask it (phone)."""
    value = serialise(value)
    return mask(value) if name in Person.audit_masked else value


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
    otherwise the counts ``{"created", "updated", "unchanged", "transferred", "total"}``; with the
    rows and the file's sheet, header rows, ignored columns and skipped lines (totals, signatures).
    """
    started = time.monotonic()
    result: dict[str, Any] = {"file": file_name}
    try:
        table = parse_workbook(data)
    except RosterFileError as exc:
        return {**result, "error": str(exc)}
    result.update(
        total=len(table.rows), sheet=table.sheet, header_rows=list(table.header_rows),
        ignored=table.ignored, skipped=table.skipped,
    )
    if progress:
        progress(0, len(table.rows))
    valid, errors = validate_rows(table, user, progress)
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


# --------------------------------------------------------------------------- export for re-import


EXPORT_WIDTHS = [10, 6, 8, 12, 22, 14, 12, 18, 18, 30, 14, 12, 12, 10, 10, 10, 10]


def exportable(people):
    """The people an export for re-import lists: those with an ID number (the import matches by it)."""
    return people.exclude(id_card__isnull=True).exclude(id_card="").order_by("org__path", "name", "pk")


def export_rows(people, user) -> Iterator[list[Any]]:
    """One row per person in the template's columns, with values the import reads back unchanged.

    Orgs are named as the import resolves them (by name, by path where the name repeats),
    choices by their labels, flags 是/否; dates stay dates and numbers text. Two queries for
    the orgs, then the people streamed in chunks.
    """
    orgs = OrgResolver(user)
    yes, no = _("是"), _("否")
    # Blank where the user may not know of the person's hardship: re-imported blank, it keeps the stored flag.
    needy_orgs = needy_org_ids(user)
    for person in people.iterator(chunk_size=2000):
        values = {
            "name": person.name, "gender": person.get_gender_display(), "ethnicity": person.ethnicity,
            "birth_date": person.birth_date, "id_card": person.id_card, "phone": person.phone,
            "education": person.get_education_display() if person.education else "", "post": person.post,
            "unit": person.unit, "org": orgs.label(person.org_id), "status": person.get_status_display(),
            "join_date": person.join_date, "full_date": person.full_date,
            **{name: yes if getattr(person, name) else no for name in FLAG_FIELDS},
        }
        if person.org_id not in needy_orgs:
            values["is_needy"] = None
        yield [values[name] for _header, name, _req in COLUMNS]


def export_response(people, user):
    """The .xlsx download of ``export_rows`` (streamed from a temporary file)."""
    from vanguard.core.exports import stamped, xlsx_response

    return xlsx_response(stamped(_("人员名册_用于导入")), HEADERS, export_rows(exportable(people), user),
                         sheet_title=SHEET_TITLE, widths=EXPORT_WIDTHS)


# --------------------------------------------------------------------------- the template


def _labels(choices) -> str:
    return "、".join(str(label) for _value, label in choices.choices)


def guide_rows() -> list[tuple[str, str, str, str]]:
    required = _("必填")
    optional = _("选填")
    yes_no = _("填“是”或“否”，空白视为“否”")
    date_rule = _("Excel 日期，或文本 YYYY-MM-DD、YYYY/MM/DD、YYYY.MM.DD、YYYYMMDD、YYYY年M月D日")
    notes = {
        "name": _("人员姓名"),
        "gender": _("可填：%(labels)s；新增人员空白时按身份证号码填入") % {"labels": _labels(Gender)},
        "ethnicity": _("如 汉族、回族（也可只写 汉、回）；新增人员空白时为“汉族”"),
        "birth_date": date_rule + _("；也可只填年月（如 1988.05）；须与身份证号码一致，空白时按身份证号码填入"),
        "id_card": _("18 位，末位可为 X；请把该列设为文本格式。按身份证号码匹配：已有人员则更新，否则新增"),
        "phone": _("11 位手机号码，可带 +86、空格或短横线"),
        "education": _("可填：%(labels)s（也可写 硕士、本科、大专 等）") % {"labels": _labels(Education)},
        "post": _("如 变电运维班班长"),
        "unit": _("如 变电运维中心"),
        "org": _("组织的准确名称；重名时填写完整路径，如 局党委/变电运维中心党委/变电一班党支部。"
                 "只能导入到您管理范围内的组织"),
        "status": _("可填：%(labels)s（也可写 中共党员、中共预备党员、积极分子）") % {"labels": _labels(MemberStatus)},
        "join_date": date_rule + _("；正式党员、预备党员必填"),
        "full_date": date_rule + _("；不能早于入党日期"),
        "is_needy": yes_no + _("；只有本组织的书记、党务工作者和管理员可以填写，其他人导出时为空白，导入时请保持空白"),
    }
    rows = []
    for header, name, is_required in COLUMNS:
        rows.append((header, required if is_required else optional, notes.get(name, yes_no),
                     "、".join(synonyms.HEADER_SYNONYMS.get(header, ()))))
    rows.append(("", "", "", ""))
    rows.append((_("说明"), "", _("表头可以在标题行下面；列名也可以用“其他列名”中的写法，无法识别的列和隐藏的列不导入。"), ""))
    rows.append(("", "", _("单元格不能包含公式，请粘贴为数值。空行和末尾的“合计”行不导入。"), ""))
    rows.append(("", "", _("任何一行有错误时，整个文件都不会保存；请按错误列表修改后重新导入。"), ""))
    rows.append(("", "", _("更新已有人员时，空白单元格保留原有内容；所在组织改变时自动记录组织关系转接（转接日期为导入当天）。"), ""))
    rows.append(("", "", _("单次最多 %(n)s 行。") % {"n": max_rows()}, ""))
    return rows


def template_bytes() -> bytes:
    """The downloadable template: the header row, text-formatted ID/phone columns, drop-downs and a guide sheet."""
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from vanguard.core.exports import write_xlsx

    buffer = io.BytesIO()
    write_xlsx(buffer, HEADERS, [], sheet_title=SHEET_TITLE, widths=EXPORT_WIDTHS)
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
    lists = {name: [str(label) for _v, label in choices.choices]
             for name, choices in (("gender", Gender), ("education", Education), ("status", MemberStatus))}
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
    guide.append([_("列名"), _("是否必填"), _("填写要求"), _("其他列名")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for row in guide_rows():
        guide.append(list(row))
    for letter, width in zip("ABCD", (14, 10, 90, 40)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in (row[2], row[3]):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
