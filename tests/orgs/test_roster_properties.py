"""Random and mutated rosters (issue 9, sections 1 and 4): whatever the file, the importer answers with
a result (never an exception, never a 500 on the pages) and saves every row or none.

Each example runs in a transaction rolled back at its end, so the cast is the same for the next one.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from vanguard.audit.models import AuditEvent
from vanguard.orgs import idcard, roster, synonyms
from vanguard.orgs.models import Membership, Person

from .test_roster_import import HEADERS, XLSX, xlsx


def valid_row(rng: random.Random, name: str) -> dict:
    """A valid row for a branch of unit A, its ID number drawn from ``rng``."""
    born = date(1960 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28))
    return {
        "姓名": name, "性别": rng.choice(["男", "女"]), "民族": rng.choice(["汉族", "汉", "回", ""]), "出生日期": born,
        "身份证号码": idcard.make("370102", born, rng.randrange(1000)), "手机号码": f"138{rng.randrange(10 ** 8):08d}",
        "学历": rng.choice(["大学本科", "硕士", "大专", None]), "所在组织": rng.choice(["变电一班党支部", "变电二班党支部"]),
        "政治面貌": "中共党员", "入党日期": date(2015, 7, 1), "转正日期": rng.choice([date(2016, 7, 1), None]),
        "困难党员": rng.choice(["是", "否", None]),
    }

EXAMPLES = settings(
    max_examples=40, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

TRICKY = [
    "=1+1", "=SUM(A1:A3)", "#N/A", "#VALUE!", "合计", "总计：3人", "填表人：李娜", "中共党员", "积极分子", "汉", "维吾尔",
    "硕士研究生", "博士后", "1988.05", "2023-02-30", "19900701", "１９９０年７月１日", "+86 138 1234 5678", "１３８１２３４５６７８",
    "370102198803151230", "3.70102E+17", "变电一班党支部", "变电二班党支部", "客户服务党支部", "不存在的党支部",
    "测试供电局党委/变电运维中心党委/变电一班党支部", "是", "否", "√", "'=运维", "\u3000", " ", "", "x" * 300,
    "\u202e反向", "名\u200b字",
]
text = st.text(max_size=20).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))
cell = st.one_of(
    st.none(), text, st.sampled_from(TRICKY),
    st.integers(min_value=-(10 ** 18), max_value=10 ** 19), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), st.dates(min_value=date(1800, 1, 1), max_value=date(2200, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
)
header = st.one_of(
    st.sampled_from(HEADERS),
    st.sampled_from([name for names in synonyms.HEADER_SYNONYMS.values() for name in names]),
    st.sampled_from(["序号", "备注", "", None, "姓名", "身份证号码"]),  # unknown, blank and duplicate headers
    text,
)


@st.composite
def rosters(draw) -> tuple[bytes, int]:
    """A workbook: maybe a note sheet, title lines, headers in any order and words, rows of people
    with random cells replaced, blank rows, totals, hidden columns. Returns (bytes, seed)."""
    seed = draw(st.integers(min_value=0, max_value=10 ** 6))
    rng = random.Random(seed)
    headers = draw(st.one_of(
        st.just(list(HEADERS)),
        st.permutations(HEADERS).map(list),
        st.lists(header, min_size=0, max_size=22),
        st.lists(st.sampled_from(HEADERS), min_size=4, max_size=17, unique=True),
    ))
    workbook = Workbook()
    sheet = workbook.active
    if draw(st.booleans()):
        sheet.title = "说明"
        sheet.append([draw(cell)])
        sheet = workbook.create_sheet("名册")
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        sheet.append([draw(text)])
    sheet.append([h for h in headers])
    people = draw(st.integers(min_value=0, max_value=6))
    mutate = draw(st.booleans())  # half the rosters keep their people's rows valid
    for number in range(people):
        values = valid_row(rng, f"随机{seed}-{number}")
        for _ in range(draw(st.integers(min_value=0, max_value=3)) if mutate else 0):
            values[rng.choice(HEADERS)] = draw(cell)
        sheet.append([values.get(h) if isinstance(h, str) else None for h in headers])
        if draw(st.integers(min_value=0, max_value=4)) == 0:
            sheet.append([])
    if draw(st.booleans()):
        sheet.append(["合计", None, people])
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        sheet.append([draw(cell) for _ in range(draw(st.integers(min_value=0, max_value=8)))])
    if headers and draw(st.booleans()):
        sheet.column_dimensions[chr(ord("A") + rng.randrange(min(len(headers), 26)))].hidden = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), seed


def state() -> tuple:
    people = sorted(Person.objects.values_list(*[f.attname for f in Person._meta.concrete_fields]))
    return people, Membership.objects.count(), AuditEvent.objects.count()


def assert_all_or_nothing(result: dict, before: tuple) -> None:
    assert isinstance(result, dict)
    if result.get("error") or result.get("errors"):
        event("refused: " + ("file" if result.get("error") else "rows"))
        assert state() == before, "a refused file changed the database"
        return
    event("saved")
    people_before, memberships_before, _events = before
    assert result["created"] + result["updated"] + result["unchanged"] == result["total"]
    assert Person.objects.count() == len(people_before) + result["created"]
    assert Membership.objects.count() == memberships_before + result["created"] + result["transferred"]


def rolled_back(check):
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


@EXAMPLES
@given(roster_file=rosters())
def test_any_roster_gives_a_result_and_saves_all_rows_or_none(cast, roster_file):
    data, _seed = roster_file

    def check():
        before = state()
        assert_all_or_nothing(roster.import_roster(data, cast.secretary), before)

    rolled_back(check)


@EXAMPLES
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8),
       cut=st.one_of(st.none(), st.integers(min_value=0)))
def test_damaged_bytes_give_a_result_and_save_nothing_half(cast, flips, cut):
    rng = random.Random(9)
    data = bytearray(xlsx([valid_row(rng, "陈晓明"), valid_row(rng, "周敏")]))
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        data = data[:cut % (len(data) + 1)]

    def check():
        before = state()
        assert_all_or_nothing(roster.import_roster(bytes(data), cast.secretary), before)

    rolled_back(check)


@settings(EXAMPLES, max_examples=10)
@given(roster_file=rosters())
def test_the_upload_page_never_answers_500(cast, client, roster_file, django_capture_on_commit_callbacks):
    data, _seed = roster_file
    client.force_login(cast.secretary)

    def check():
        before = state()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("orgs:roster_import"), {"file": SimpleUploadedFile("名册.xlsx", data, XLSX)})
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            page = client.get(response["Location"])
            assert page.status_code == 200
            from vanguard.core.models import Job

            job = Job.objects.order_by("-pk").first()
            if job.result and (job.result.get("error") or job.result.get("errors")):
                people, memberships, _events = before
                assert (sorted(Person.objects.values_list(*[f.attname for f in Person._meta.concrete_fields])),
                        Membership.objects.count()) == (people, memberships)

    rolled_back(check)


@pytest.mark.parametrize("seed", range(3))
def test_a_generated_valid_roster_is_saved_whole(cast, seed):
    """The property's other half on purpose: a clean random roster is imported entirely."""
    rng = random.Random(seed)
    rows = [valid_row(rng, f"有效{number}") for number in range(5)]
    before = Person.objects.count()
    result = roster.import_roster(xlsx(rows), cast.secretary)
    assert result["created"] == 5 and Person.objects.count() == before + 5
