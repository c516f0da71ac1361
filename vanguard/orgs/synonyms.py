"""What rosters kept by hand call things: headers and values, each mapped to the system's own.

One table per kind, read by ``roster.py`` (and the tests). To teach the importer a new
wording, add it here and nothing else:

- ``HEADER_SYNONYMS``: the template header (the key) and the other headers meaning the same
  column, most specific first (when a file has two of them, the earlier one in the tuple is
  used and the other is listed as ignored);
- ``STATUS_SYNONYMS``, ``EDUCATION_SYNONYMS``, ``GENDER_SYNONYMS``: wordings of a choice, mapped
  to its stored value (the choice labels themselves are always accepted);
- ``ETHNICITIES``: the 56 ethnic groups by their full names (GB 3304); the short name (汉, 蒙古,
  维吾尔 …) is the full name without its final 族.

Texts are compared after ``tabular.fold`` (full-width forms to ASCII, no spaces).
"""

from __future__ import annotations

from .models import Education, Gender, MemberStatus

HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "姓名": ("名字", "党员姓名", "人员姓名"),
    "性别": (),
    "民族": (),
    "出生日期": ("出生年月", "出生年月日", "出生时间", "生日"),
    "身份证号码": ("身份证号", "公民身份号码", "公民身份证号码", "身份证", "证件号码", "身份号码"),
    "手机号码": ("手机", "手机号", "联系电话", "联系方式", "电话", "移动电话", "电话号码"),
    "学历": ("文化程度", "最高学历", "全日制学历"),
    "岗位职务": ("岗位", "职务", "现任职务", "岗位名称", "工作岗位"),
    "工作单位": ("单位", "所在单位", "工作单位及部门", "部门"),
    "所在组织": ("所在支部", "支部名称", "所在党组织", "所在党支部", "党组织", "党支部", "所属支部", "所属党组织",
             "党组织名称"),
    "政治面貌": ("党员类别", "人员类别", "人员类型", "党员状态"),
    "入党日期": ("入党时间", "入党年月"),
    "转正日期": ("转正时间", "转正年月"),
    "困难党员": ("是否困难党员",),
    "生产骨干": ("是否生产骨干",),
    "技术骨干": ("是否技术骨干",),
    "管理骨干": ("是否管理骨干",),
}

STATUS_SYNONYMS: dict[str, str] = {
    "中共党员": MemberStatus.FULL,
    "中国共产党党员": MemberStatus.FULL,
    "中共正式党员": MemberStatus.FULL,
    "正式": MemberStatus.FULL,
    "中共预备党员": MemberStatus.PROBATIONARY,
    "中国共产党预备党员": MemberStatus.PROBATIONARY,
    "预备": MemberStatus.PROBATIONARY,
    "积极分子": MemberStatus.ACTIVIST,
    "发展对象": MemberStatus.ACTIVIST,  # an activist chosen for admission: not yet a member
    # Staff who are not party members are 群众 in the system, whatever their other affiliation.
    "共青团员": MemberStatus.MASSES,
    "团员": MemberStatus.MASSES,
    "中国共产主义青年团团员": MemberStatus.MASSES,
    "无党派人士": MemberStatus.MASSES,
    "无党派": MemberStatus.MASSES,
}

# 学历 as GB/T 4658 names it, and the short forms people type. A degree stays a degree:
# 硕士 is 硕士研究生, never the unspecified 研究生.
EDUCATION_SYNONYMS: dict[str, str] = {
    "博士": Education.DOCTORATE,
    "博士研究生": Education.DOCTORATE,
    "研究生(博士)": Education.DOCTORATE,
    "博士研究生毕业": Education.DOCTORATE,
    "硕士": Education.MASTER,
    "硕士研究生": Education.MASTER,
    "研究生(硕士)": Education.MASTER,
    "硕士研究生毕业": Education.MASTER,
    "研究生毕业": Education.POSTGRADUATE,
    "本科": Education.BACHELOR,
    "大学": Education.BACHELOR,
    "大本": Education.BACHELOR,
    "大学本科毕业": Education.BACHELOR,
    "本科(学士)": Education.BACHELOR,
    "大学本科(学士)": Education.BACHELOR,
    "大专": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "高职": Education.COLLEGE,
    "大学专科毕业": Education.COLLEGE,
    "中等专科": Education.SECONDARY,
    "中等专业学校": Education.SECONDARY,
    "中技": Education.SECONDARY,
    "技校": Education.SECONDARY,
    "技工学校": Education.SECONDARY,
    "职高": Education.SECONDARY,
    "职业高中": Education.SECONDARY,
    "普通高中": Education.HIGH_SCHOOL,
    "高中及同等学力": Education.HIGH_SCHOOL,
    "初中": Education.JUNIOR,
    "小学": Education.JUNIOR,
    "初中以下": Education.JUNIOR,
}
# Words before or after an education that say how it was earned, not what it is.
EDUCATION_QUALIFIERS = ("全日制", "在职", "函授", "自考", "成人", "网络教育", "毕业", "学历")

GENDER_SYNONYMS: dict[str, str] = {
    "男性": Gender.MALE,
    "女性": Gender.FEMALE,
    "m": Gender.MALE,
    "f": Gender.FEMALE,
}

ETHNICITIES: tuple[str, ...] = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族",
    "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族",
    "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族",
    "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族",
    "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)
ETHNICITY_SYNONYMS: dict[str, str] = {
    **{name[:-1]: name for name in ETHNICITIES},
    "蒙族": "蒙古族",
    "维族": "维吾尔族",
}

YES_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "有"})
NO_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "✗", "无", "不是"})

# A row whose first filled cell starts with one of these (and which has no ID number) closes a
# table or sits below it: a total, or the signatures of who filled it in.
TOTAL_WORDS = ("合计", "总计", "小计", "共计", "总数")
FOOTER_WORDS = ("填表人", "制表人", "审核人", "填报人", "负责人", "填表日期", "制表日期", "填报日期", "注:", "备注:",
                "说明:")
