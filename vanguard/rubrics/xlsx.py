"""Rubric import and export as .xlsx (round trip exact).

Sheets: 指标 (one row per indicator; a dimension without indicators gets a row
with the indicator cells empty), 加分项, 否决项, 说明 (rubric metadata, then
the dimension descriptions). Import checks everything first and reports
problems by sheet, row and column; nothing is saved unless all is valid.
A dimension is the campaign's, found by its 维度代码 (its name is the campaign's); a code the
campaign has no dimension for is refused.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from vanguard.core.exports import neutralise

from .models import TITLES, Rubric, VetoEffect, veto_effect_label
from .rules import DataSource, RuleType, Subject, record_metrics, validate_rule, validate_source

INDICATOR_SHEET, BONUS_SHEET, VETO_SHEET, INFO_SHEET = "指标", "加分项", "否决项", "说明"
INDICATOR_HEADERS = ["维度代码", "维度名称", "维度分值", "指标代码", "指标名称", "分值", "说明", "佐证材料",
                     "数据来源", "计分规则", "规则参数(JSON)", "排序"]
BONUS_HEADERS = ["名称", "分值", "说明", "排序"]
VETO_HEADERS = ["名称", "说明", "否决效果", "最高分", "排序"]
INFO_KEYS = ["名称", "对象", "总分", "加分上限", "组织类别"]
DIM_INFO_HEADERS = ["维度代码", "维度说明"]
SOURCE_SEP = "："


class RubricImportError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _number(value: Decimal | None):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral() else float(value)


def source_label(data_source: str, metric: str, subject: str) -> str:
    """The 数据来源 cell: the source, and a record metric by its plain name (read back by ``parse``)."""
    label = str(DataSource(data_source).label)
    if data_source == DataSource.RECORD_METRIC and metric:
        known = record_metrics(subject).get(metric)
        label += SOURCE_SEP + (str(known.name) if known else metric)
    return label


def export_rows(rubric: Rubric) -> dict[str, list[list[Any]]]:
    """The cell values of every sheet (headers included), from a rubric's own content."""
    from .services import with_parts

    rubric = with_parts(Rubric.objects.filter(pk=rubric.pk)).get()
    indicators = [INDICATOR_HEADERS]
    infos = [[key, value] for key, value in zip(INFO_KEYS, [
        rubric.name, str(Subject(rubric.subject).label), _number(rubric.total_points), _number(rubric.bonus_cap),
        rubric.category.name if rubric.category_id else None])]
    infos += [[None, None], DIM_INFO_HEADERS]
    for dim in rubric.dimensions.all():
        infos.append([dim.code, dim.description or None])
        head = [dim.code, dim.name, _number(dim.points)]
        inds = list(dim.indicators.all())
        if not inds:
            indicators.append(head + [None] * 9)
        for ind in inds:
            indicators.append(head + [
                ind.code, ind.name, _number(ind.points), ind.description or None, ind.evidence_required or None,
                source_label(ind.data_source, ind.metric, rubric.subject), str(RuleType(ind.rule_type).label),
                # Sorted: PostgreSQL jsonb reorders keys, and exports must not depend on the database.
                json.dumps(ind.params, ensure_ascii=False, sort_keys=True), ind.sort_order])
    bonus = [BONUS_HEADERS] + [[b.name, _number(b.points), b.description or None, b.sort_order]
                               for b in rubric.bonus_items.all()]
    veto = [VETO_HEADERS] + [[v.name, v.description or None, veto_effect_label(v.effect, rubric.subject),
                              _number(v.cap_points), v.sort_order] for v in rubric.veto_items.all()]
    return {INDICATOR_SHEET: indicators, BONUS_SHEET: bonus, VETO_SHEET: veto, INFO_SHEET: infos}


def export_xlsx(rubric: Rubric) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for title, rows in export_rows(rubric).items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([neutralise(v) for v in row])
        for cell in sheet[1]:
            cell.font = bold
        for index, header in enumerate(rows[0], start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 14 if index > 1 else 24
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_sheets(data: bytes) -> dict[str, list[list[Any]]]:
    """Cell values per sheet; formulas are refused."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise RubricImportError([_("无法读取该 .xlsx 文件：%(error)s") % {"error": exc}]) from exc
    sheets: dict[str, list[list[Any]]] = {}
    problems: list[str] = []
    for sheet in workbook.worksheets:
        rows = []
        for r, row in enumerate(sheet.iter_rows(), start=1):
            values = []
            for c, cell in enumerate(row, start=1):
                value = cell.value
                if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
                    problems.append(_("工作表“%(sheet)s”第 %(row)s 行第 %(col)s 列含有公式，不允许导入公式。")
                                    % {"sheet": sheet.title, "row": r, "col": c})
                if isinstance(value, str):
                    value = value.strip()
                    if value.startswith("'") and value[1:].startswith(("=", "+", "-", "@")):
                        value = value[1:]
                    value = value or None
                values.append(value)
            rows.append(values)
        sheets[sheet.title] = rows
    workbook.close()
    if problems:
        raise RubricImportError(problems)
    return sheets


def _dec(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _label_map(choices) -> dict[str, str]:
    mapping = {}
    for value, label in choices:
        mapping[str(value)] = value
        mapping[str(label)] = value
    return mapping


def parse(sheets: dict[str, list[list[Any]]]) -> dict:
    """Sheets → the default-file dict shape; raises RubricImportError with every problem."""
    problems: list[str] = []

    def err(sheet, row, column, message):
        problems.append(_("工作表“%(sheet)s”第 %(row)s 行“%(col)s”：%(msg)s")
                        % {"sheet": sheet, "row": row, "col": column, "msg": message})

    for title in (INDICATOR_SHEET, INFO_SHEET):
        if title not in sheets:
            raise RubricImportError([_("缺少工作表“%(sheet)s”。") % {"sheet": title}])

    def table(title, headers):
        rows = sheets.get(title) or []
        if not rows:
            return []
        header = [str(h) if h is not None else "" for h in rows[0]]
        missing = [h for h in headers if h not in header]
        if missing:
            problems.append(_("工作表“%(sheet)s”缺少列：%(cols)s。") % {"sheet": title, "cols": "、".join(missing)})
            return []
        index = {h: header.index(h) for h in headers}
        out = []
        for number, row in enumerate(rows[1:], start=2):
            cells = {h: (row[index[h]] if index[h] < len(row) else None) for h in headers}
            if any(v is not None for v in cells.values()):
                out.append((number, cells))
        return out

    # 说明
    info: dict[str, Any] = {}
    dim_descriptions: dict[str, str] = {}
    in_dims = False
    for number, row in enumerate(sheets[INFO_SHEET], start=1):
        key = row[0] if row else None
        value = row[1] if len(row) > 1 else None
        if key == DIM_INFO_HEADERS[0] and value == DIM_INFO_HEADERS[1]:
            in_dims = True
            continue
        if key is None:
            continue
        if in_dims:
            dim_descriptions[str(key)] = "" if value is None else str(value)
        elif key in INFO_KEYS:
            info[key] = value
    subjects = _label_map(Subject.choices)
    data: dict[str, Any] = {"name": info.get("名称"), "category": info.get("组织类别")}
    if not data["name"]:
        err(INFO_SHEET, 1, "名称", _("不能为空。"))
    subject = subjects.get(str(info.get("对象")))
    if subject is None:
        err(INFO_SHEET, 2, "对象", _("必须是“组织”或“党员”。"))
    data["subject"] = subject
    for key, field, row in (("总分", "total_points", 3), ("加分上限", "bonus_cap", 4)):
        number = _dec(info.get(key))
        if number is None or number < 0:
            err(INFO_SHEET, row, key, _("必须是不小于 0 的数字。"))
        data[field] = number

    # 指标
    sources = _label_map(DataSource.choices)
    # A record metric is read by its name or its code, among those of the rubric's subject.
    metrics = record_metrics(subject) if subject else {}
    metric_by_label = {str(m.name): code for code, m in metrics.items()} | {code: code for code in metrics}
    rules = _label_map(RuleType.choices)
    dims: dict[str, dict] = {}
    codes_seen: dict[str, int] = {}
    for number, cells in table(INDICATOR_SHEET, INDICATOR_HEADERS):
        S = INDICATOR_SHEET
        code = cells["维度代码"]
        if code is None:
            err(S, number, "维度代码", _("不能为空。"))
            continue
        code = str(code)
        points = _dec(cells["维度分值"])
        if points is None:
            err(S, number, "维度分值", _("必须是数字。"))
        dim = dims.get(code)
        if dim is None:
            dim = dims[code] = {"code": code, "name": cells["维度名称"], "points": points,
                                "description": dim_descriptions.get(code, ""), "indicators": []}
            if not cells["维度名称"]:
                err(S, number, "维度名称", _("不能为空。"))
        elif points is not None and (dim["points"] != points or dim["name"] != cells["维度名称"]):
            err(S, number, "维度分值", _("同一维度的名称和分值必须一致。"))
        if cells["指标代码"] is None and cells["指标名称"] is None:
            continue
        ind_code = str(cells["指标代码"] or "")
        if not ind_code:
            err(S, number, "指标代码", _("不能为空。"))
        elif ind_code in codes_seen:
            err(S, number, "指标代码", _("与第 %(row)s 行重复。") % {"row": codes_seen[ind_code]})
        codes_seen.setdefault(ind_code, number)
        if not cells["指标名称"]:
            err(S, number, "指标名称", _("不能为空。"))
        ind_points = _dec(cells["分值"])
        if ind_points is None:
            err(S, number, "分值", _("必须是数字。"))
        raw_source = str(cells["数据来源"] or "")
        source_text, _sep, metric_text = raw_source.partition(SOURCE_SEP)
        if ":" in raw_source and not _sep:
            source_text, _sep, metric_text = raw_source.partition(":")
        source = sources.get(source_text.strip())
        metric = ""
        if source is None:
            err(S, number, "数据来源", _("无法识别“%(value)s”。") % {"value": raw_source})
        elif subject is not None:  # metrics depend on the subject (an unreadable one is reported above)
            if metric_text.strip():
                metric = metric_by_label.get(metric_text.strip(), None)
                if metric is None:
                    err(S, number, "数据来源", _("未知的记录指标“%(value)s”。") % {"value": metric_text.strip()})
                    metric = ""
            for problem in validate_source(source, metric, subject):
                err(S, number, "数据来源", problem)
        rule = rules.get(str(cells["计分规则"] or ""))
        if rule is None:
            err(S, number, "计分规则", _("无法识别“%(value)s”。") % {"value": cells["计分规则"] or ""})
        try:
            params = json.loads(cells["规则参数(JSON)"]) if cells["规则参数(JSON)"] else {}
        except (TypeError, ValueError):
            err(S, number, "规则参数(JSON)", _("不是有效的 JSON。"))
            params = None
        if rule is not None and params is not None and ind_points is not None:
            for problem in validate_rule(rule, params, ind_points, keys=True):
                err(S, number, "规则参数(JSON)", problem)
        order = cells["排序"]
        if order is not None and (_dec(order) is None or _dec(order) < 0 or _dec(order) != int(_dec(order))):
            err(S, number, "排序", _("必须是非负整数。"))
            order = None
        dim["indicators"].append({
            "code": ind_code, "name": cells["指标名称"], "points": ind_points,
            "description": cells["说明"] or "", "evidence_required": cells["佐证材料"] or "",
            "data_source": source, "metric": metric, "rule_type": rule, "params": params,
            "sort_order": int(order) if order is not None else len(dim["indicators"]) + 1,
        })
    if not dims and not problems:
        problems.append(_("工作表“指标”没有任何数据行。"))
    data["dimensions"] = list(dims.values())

    data["bonus_items"] = []
    for number, cells in table(BONUS_SHEET, BONUS_HEADERS):
        points = _dec(cells["分值"])
        if not cells["名称"]:
            err(BONUS_SHEET, number, "名称", _("不能为空。"))
        if points is None:
            err(BONUS_SHEET, number, "分值", _("必须是数字。"))
        data["bonus_items"].append({"name": cells["名称"], "points": points, "description": cells["说明"] or "",
                                    "sort_order": int(_dec(cells["排序"]) or 0) if _dec(cells["排序"]) is not None else number - 1})
    # Each effect by its code and labels: the generic one, and how each subject reads it (files
    # written before the label named the title always read 取消“四强”评选资格).
    effects = _label_map(VetoEffect.choices) | {
        veto_effect_label(effect, subject): effect for effect in VetoEffect.values for subject in TITLES}
    data["veto_items"] = []
    for number, cells in table(VETO_SHEET, VETO_HEADERS):
        effect = effects.get(str(cells["否决效果"] or ""))
        if not cells["名称"]:
            err(VETO_SHEET, number, "名称", _("不能为空。"))
        if effect is None:
            err(VETO_SHEET, number, "否决效果", _("无法识别“%(value)s”。") % {"value": cells["否决效果"] or ""})
        cap = cells["最高分"]
        if cap is not None and _dec(cap) is None:
            err(VETO_SHEET, number, "最高分", _("必须是数字。"))
        data["veto_items"].append({"name": cells["名称"], "description": cells["说明"] or "", "effect": effect,
                                   "cap_points": _dec(cap),
                                   "sort_order": int(_dec(cells["排序"])) if _dec(cells["排序"]) is not None else number - 1})
    if problems:
        raise RubricImportError(problems)
    return data


def import_xlsx(data: bytes, campaign, user=None) -> Rubric:
    """Create a new draft rubric from an exported workbook; all or nothing."""
    from vanguard.audit.models import AuditAction
    from vanguard.audit.services import record
    from vanguard.orgs.models import OrgCategory

    from .services import create_from_data, latest, unknown_dimensions, validate_rubric, with_parts

    parsed = parse(read_sheets(data))
    unknown = unknown_dimensions(campaign, parsed)
    if unknown:
        raise RubricImportError(unknown)
    category = base = None
    if parsed.get("category"):
        category = OrgCategory.objects.filter(name=parsed["category"]).first()
        if category is None:
            raise RubricImportError([_("工作表“说明”：未知的组织类别“%(name)s”。") % {"name": parsed["category"]}])
        base = latest(campaign, parsed["subject"])
        if base is None:
            raise RubricImportError([_("该活动还没有基础标准，不能导入类别变体。")])
    with transaction.atomic():
        rubric = create_from_data(campaign, parsed, category=category, base=base)
        problems = validate_rubric(with_parts(Rubric.objects.filter(pk=rubric.pk)).get())
        if problems:
            transaction.set_rollback(True)
            raise RubricImportError(problems)
        record(AuditAction.IMPORT, rubric, message=_("从 .xlsx 导入创建标准"))
    return rubric
