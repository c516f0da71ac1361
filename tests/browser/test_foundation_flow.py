"""Issue 3's end-to-end flow in Chromium: scope, roster import with a bad row, English."""

from datetime import date

import pytest
from openpyxl import Workbook

from vanguard.orgs import idcard
from vanguard.orgs.roster import HEADERS

from ..factories import PASSWORD, build_cast
from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def roster_file(tmp_path, id_card: str):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    values = {
        "姓名": "赵晓东", "性别": "男", "民族": "汉族", "出生日期": "1990-05-04", "身份证号码": id_card,
        "手机号码": "13812345678", "学历": "大学本科", "岗位职务": "变电运维工", "工作单位": "变电运维中心",
        "所在组织": "变电二班党支部", "政治面貌": "正式党员", "入党日期": "2015-07-01", "转正日期": "2016-07-01",
        "困难党员": "否", "生产骨干": "是", "技术骨干": "否", "管理骨干": "否",
    }
    sheet.append([values[h] for h in HEADERS])
    path = tmp_path / f"roster-{id_card[-4:]}.xlsx"
    workbook.save(path)
    return path


def test_secretary_imports_a_roster_and_switches_to_english(page, tmp_path):
    build_cast()
    good_id = idcard.make("440106", date(1990, 5, 4), 17)
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")  # wrong check digit

    sign_in(page, "secretary", PASSWORD)

    # Only the own subtree: unit A is there, unit B is not.
    page.goto(f"{page.base_url}/orgs/")
    tree = page.get_by_test_id("org-tree")
    assert tree.get_by_text("变电运维中心党委").is_visible()
    assert tree.get_by_text("营销服务中心党委").count() == 0
    page.goto(f"{page.base_url}/orgs/people/")
    assert page.get_by_role("link", name="李娜").is_visible()
    assert page.get_by_role("link", name="王芳").count() == 0

    # A file with a bad ID number: the error table names the row and the column; nothing saved.
    page.goto(f"{page.base_url}/orgs/people/import/")
    page.set_input_files("#id_file", str(roster_file(tmp_path, bad_id)))
    page.get_by_test_id("roster-import-form").locator("button[type=submit]").click()
    errors = page.get_by_test_id("import-errors")
    errors.wait_for()
    assert "身份证号码" in errors.inner_text()
    assert "2" in errors.locator("tbody tr").first.locator("td").first.inner_text()

    # Fixed file: imported, and the new member can be found.
    page.get_by_test_id("reimport").click()
    page.set_input_files("#id_file", str(roster_file(tmp_path, good_id)))
    page.get_by_test_id("roster-import-form").locator("button[type=submit]").click()
    page.get_by_test_id("import-summary").wait_for()
    page.goto(f"{page.base_url}/orgs/people/?q=赵晓东")
    page.get_by_role("link", name="赵晓东").click()
    assert page.get_by_text("变电二班党支部").first.is_visible()

    # Switch to English.
    page.get_by_test_id("lang-en").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav.navbar").get_by_text("人员名册").count() == 0  # the menu is translated
    assert page.get_by_text("赵晓东").first.is_visible()  # data stays as entered
