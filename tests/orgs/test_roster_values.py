"""Values as people write them (issue 9, section 1): choice synonyms, the 56 ethnic groups,
education with its degree, dates in every common form, full-width digits, phones and ID numbers."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from vanguard.orgs import idcard, roster, synonyms, tabular
from vanguard.orgs.models import Education, MemberStatus

from .test_roster_import import HEADERS, person_row, xlsx

BORN = date(1988, 3, 15)


def check(user, **overrides):
    """(cleaned fields, [(column, message)]) of one row with these cells."""
    overrides.setdefault("born", BORN)
    table = roster.parse_workbook(xlsx([person_row(**overrides)]))
    valid, errors = roster.validate_rows(table, user)
    return (valid[0].fields if valid else None), [(e["column"], e["message"]) for e in errors]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


@pytest.mark.parametrize("text, status", [
    ("中共党员", MemberStatus.FULL), ("正式党员", MemberStatus.FULL), ("中共预备党员", MemberStatus.PROBATIONARY),
    ("预备党员", MemberStatus.PROBATIONARY), ("积极分子", MemberStatus.ACTIVIST),
    ("入党积极分子", MemberStatus.ACTIVIST), ("群众", MemberStatus.MASSES), ("共青团员", MemberStatus.MASSES),
    (" 中共 党员 ", MemberStatus.FULL),
])
def test_status_synonyms(cast, text, status):
    fields, errors = check(cast.secretary, 政治面貌=text, 入党日期=date(2012, 7, 1), 转正日期=None)
    assert errors == [] and fields["status"] == status


@pytest.mark.parametrize("full_name", synonyms.ETHNICITIES)
def test_every_ethnic_group_by_its_short_and_full_name(cast, full_name):
    assert len(synonyms.ETHNICITIES) == 56 == len(set(synonyms.ETHNICITIES))
    for written in (full_name[:-1], full_name, f" {full_name} "):
        fields, errors = check(cast.secretary, 民族=written)
        assert errors == [] and fields["ethnicity"] == full_name, written


def test_an_ethnicity_outside_the_list_is_kept_as_written(cast):
    fields, errors = check(cast.secretary, 民族="穿青人")
    assert errors == [] and fields["ethnicity"] == "穿青人"


@pytest.mark.parametrize("text, education", [
    ("硕士研究生", Education.MASTER), ("硕士", Education.MASTER), ("全日制硕士研究生", Education.MASTER),
    ("研究生（硕士）", Education.MASTER), ("在职硕士", Education.MASTER),
    ("博士研究生", Education.DOCTORATE), ("博士", Education.DOCTORATE),
    ("研究生", Education.POSTGRADUATE), ("研究生学历", Education.POSTGRADUATE),
    ("大学本科", Education.BACHELOR), ("本科", Education.BACHELOR), ("大学本科（学士）", Education.BACHELOR),
    ("大学", Education.BACHELOR), ("大专", Education.COLLEGE), ("大学专科", Education.COLLEGE),
    ("中专", Education.SECONDARY), ("中等专科", Education.SECONDARY), ("技校", Education.SECONDARY),
    ("高中", Education.HIGH_SCHOOL), ("普通高中", Education.HIGH_SCHOOL), ("初中", Education.JUNIOR),
    ("小学", Education.JUNIOR), ("初中及以下", Education.JUNIOR),
])
def test_education_wordings_keep_the_degree(cast, text, education):
    fields, errors = check(cast.secretary, 学历=text)
    assert errors == [] and fields["education"] == education


def test_a_master_is_stored_and_shown_as_a_master(cast):
    result = roster.import_roster(xlsx([person_row(学历="硕士研究生", born=BORN)]), cast.secretary)
    assert result["created"] == 1
    from vanguard.orgs.models import Person

    person = Person.objects.get(name="陈晓明", birth_date=BORN)
    assert person.get_education_display() == "硕士研究生"


@pytest.mark.parametrize("value", [
    date(2012, 7, 1), datetime(2012, 7, 1), datetime(2012, 7, 1, 0, 0), 41091, 41091.0,
    "2012-07-01", "2012-7-1", "2012/7/1", "2012/07/01", "2012.07.01", "2012.7.1", "20120701", 20120701,
    "2012年7月1日", "2012年07月01日", "2012年7月1号", " 2012 - 07 - 01 ", full_width("2012-07-01"),
    full_width("2012年7月1日"), "2012-07-01 00:00:00",
])
def test_every_common_date_form(cast, value):
    fields, errors = check(cast.secretary, 入党日期=value, 转正日期=None)
    assert errors == [] and fields["join_date"] == date(2012, 7, 1), value


@pytest.mark.parametrize("value, message", [
    ("2012.07", "请填写完整的年月日（如 2012-07-01）"),
    (2012.07, "请填写完整的年月日（如 2012-07-01）"),
    ("2012", "请填写完整的年月日（如 2012-07-01）"),
    ("2012-13-01", "日期不存在（2012-13-01），请检查年月日"),
    ("2012-02-30", "日期不存在（2012-02-30），请检查年月日"),
    ("2012.13", "日期不存在（2012.13），请检查年月日"),
    ("七月一日", "无法识别的日期，请按 YYYY-MM-DD 格式填写（如 1985-07-01）"),
    (-5, "无法识别的日期，请填写日期（如 1985-07-01）"),
    (True, "无法识别的日期，请填写日期（如 1985-07-01）"),
    ("1850-01-01", "日期过早，请检查年份"),
    ("2999-01-01", "日期不能晚于今天"),
])
def test_dates_that_are_not_a_join_date(cast, value, message):
    _fields, errors = check(cast.secretary, 入党日期=value, 转正日期=None)
    assert errors == [("入党日期", message)]


@pytest.mark.parametrize("value", [
    "1988.03", "1988.3", "1988-03", "1988/3", "1988年3月", "198803", 198803, 1988.03, "1988", 1988,
    date(1988, 3, 15), "1988-03-15", 32217,
])
def test_a_birth_date_as_year_and_month_comes_from_the_id_number(cast, value):
    fields, errors = check(cast.secretary, 出生日期=value)
    assert errors == [] and fields["birth_date"] == BORN, value


def test_a_number_that_lost_its_trailing_zero_reads_as_january_or_october(cast):
    october = date(1988, 10, 9)
    for born, typed in ((october, 1988.1), (date(1988, 1, 9), 1988.1), (october, "1988.10")):
        fields, errors = check(cast.secretary, born=born, 出生日期=typed)
        assert errors == [] and fields["birth_date"] == born
    _fields, errors = check(cast.secretary, born=october, 出生日期="1988.1")  # text keeps what was typed
    assert errors == [("出生日期", "出生日期与身份证号码不一致（身份证为 1988-10-09）")]


def test_a_date_cell_formatted_as_year_and_month_is_a_year_and_month(cast):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    row = person_row(born=BORN, 出生日期=date(1988, 3, 1))  # how Excel stores "1988.03"
    sheet.append([row[h] for h in HEADERS])
    sheet["D2"].number_format = 'yyyy"年"m"月"'
    buffer = io.BytesIO()
    workbook.save(buffer)
    valid, errors = roster.validate_rows(roster.parse_workbook(buffer.getvalue()), cast.secretary)
    assert errors == [] and valid[0].fields["birth_date"] == BORN


@pytest.mark.parametrize("value", ["1988.04", "1987年3月", date(1988, 3, 16), "1988-03-14", 1989])
def test_a_birth_date_contradicting_the_id_number_is_an_error(cast, value):
    _fields, errors = check(cast.secretary, 出生日期=value)
    assert errors == [("出生日期", "出生日期与身份证号码不一致（身份证为 1988-03-15）")]


@pytest.mark.parametrize("value", [
    "13812345678", 13812345678, "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+8613812345678",
    "86-138-1234-5678", "0086 13812345678", "(+86) 138-1234-5678", full_width("138 1234 5678"),
    full_width("+86 13812345678"), " 13812345678\u3000",
])
def test_phones_as_people_write_them(cast, value):
    fields, errors = check(cast.secretary, 手机号码=value)
    assert errors == [] and fields["phone"] == "13812345678", value


@pytest.mark.parametrize("value", ["0871-63123456", "1381234567", "+1 13812345678", "138123456789", "电话"])
def test_what_is_not_a_mobile_number(cast, value):
    _fields, errors = check(cast.secretary, 手机号码=value)
    assert errors == [("手机号码", "手机号码应为以 1 开头的 11 位数字")]


def test_id_numbers_with_a_lowercase_x_full_width_digits_and_spaces(cast):
    number = next(idcard.make("110101", BORN, seq) for seq in range(1000)
                  if idcard.make("110101", BORN, seq).endswith("X"))
    for written in (number.lower(), full_width(number), f" {number[:6]} {number[6:14]} {number[14:]} ",
                    full_width(number.lower())):
        fields, errors = check(cast.secretary, 身份证号码=written)
        assert errors == [], written
    valid, _errors = roster.validate_rows(roster.parse_workbook(xlsx([person_row(身份证号码=number.lower(),
                                                                                 born=BORN)])), cast.secretary)
    assert valid[0].id_card == number


def _as_excel_keeps_it(seq: int) -> float:
    """An ID number typed into a number cell: a float, its last digits gone (openpyxl writes it so too)."""
    return float(idcard.make("370102", BORN, seq))


@pytest.mark.parametrize("value", [
    next(_as_excel_keeps_it(seq) for seq in range(100) if not idcard.is_valid(str(int(_as_excel_keeps_it(seq))))),
    int(idcard.make("370102", BORN, 7)), "3.70102E+17", 370102198803151,
])
def test_an_id_stored_as_a_number_that_lost_digits_says_so(cast, value):
    _fields, errors = check(cast.secretary, 身份证号码=value)
    assert errors == [("身份证号码", "身份证号码以数字格式保存，末几位已丢失（Excel 只保留 15 位有效数字）；"
                                    "请把该列设为文本格式后重新填写")]


def test_full_width_digits_in_dates_flags_and_names(cast):
    fields, errors = check(cast.secretary, 姓名="张\u3000伟", 入党日期=full_width("2012.07.01"), 转正日期=None,
                           困难党员=full_width("1"), 生产骨干="√", 技术骨干="无")
    assert errors == []
    assert (fields["name"], fields["join_date"], fields["is_needy"], fields["is_production_backbone"],
            fields["is_technical_backbone"]) == ("张伟", date(2012, 7, 1), True, True, False)


def test_a_blank_gender_comes_from_the_id_number_for_a_new_person(cast):
    woman = idcard.make("110101", BORN, 124)  # the 17th digit even
    fields, errors = check(cast.secretary, 性别=None, 身份证号码=woman)
    assert errors == [] and fields["gender"] == "female"
    headers = [h for h in HEADERS if h != "性别"]
    valid, errors = roster.validate_rows(roster.parse_workbook(xlsx([person_row(born=BORN)], headers=headers)),
                                         cast.secretary)
    assert errors == [] and valid[0].fields["gender"] in ("male", "female")


def test_the_exports_formula_guard_is_removed(cast):
    fields, errors = check(cast.secretary, 岗位职务="'-值班长", 工作单位="'=运维")
    assert errors == [] and (fields["post"], fields["unit"]) == ("-值班长", "=运维")


def test_fold_and_the_date_parser_alone():
    assert tabular.fold("Ｘ　１２ ３") == "x123"
    assert tabular.parse_date("1988.05") == tabular.ParsedDate(1988, 5)
    assert tabular.parse_date(32874).as_date() == date(1990, 1, 1)
    assert tabular.parse_date("1990年7月").agrees_with(date(1990, 7, 30))
    assert not tabular.parse_date("1990年7月").agrees_with(date(1990, 8, 1))
