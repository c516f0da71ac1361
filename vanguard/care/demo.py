"""Demo care records for ``seed_demo``: the hardships of the roster's 困难党员 and the help they got.

Every member the orgs step flagged 困难党员 (about 3 % of the party members) gets a recorded
hardship in their branch; about one in eight of them was resolved during the year (and the flag
cleared, as the needs register does). Most needy members were visited or helped in the demo
year — 春节慰问, 七一走访, 金秋助学, 医疗救助 — with realistic amounts; some were not (realistic
gaps for ``needy_members_assisted``), and a few were helped the year before only.

Rows are bulk-inserted without a per-row audit entry; one import event records the run.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.orgs.models import Person

from .models import Assistance, AssistanceKind, CareNeed, NeedCategory, NeedStatus

BATCH = 2000
YEAR = 2026
RESOLVED_SHARE = 0.12
HELPED_SHARE = 0.8  # of the needy members: helped in the demo year

NEEDS = {
    NeedCategory.ILLNESS: ("本人患慢性病长期治疗，医疗费用负担较重。", "配偶患重病住院，家庭支出大幅增加。"),
    NeedCategory.LIVING: ("家庭成员多，仅本人有固定收入，生活较为困难。", "单亲家庭，独自抚养子女，经济压力大。"),
    NeedCategory.DISASTER: ("住房在汛期受损，正在修缮，临时租房居住。",),
    NeedCategory.EDUCATION: ("两名子女在读大学，学费和生活费负担重。", "子女在外地就读高中，费用支出较大。"),
    NeedCategory.ELDERLY: ("家中有两位高龄老人需长期照护。",),
}
# (kind, month range, amounts, content)
HELP = (
    (AssistanceKind.VISIT, (1, 2), (Decimal("500"), Decimal("800")), "春节前走访慰问，送去慰问金和节日问候。"),
    (AssistanceKind.VISIT, (6, 7), (Decimal("0"), Decimal("300")), "“七一”前走访困难党员，了解生活和工作情况。"),
    (AssistanceKind.EDUCATION, (8, 9), (Decimal("1000"), Decimal("2000")), "金秋助学，资助子女学费。"),
    (AssistanceKind.MEDICAL, (3, 11), (Decimal("2000"), Decimal("5000")), "协助申请医疗互助金并送去救助款。"),
    (AssistanceKind.GOODS, (10, 12), (Decimal("600"),), "送去冬季取暖用品和米面油等生活物资。"),
)
GIVERS = ("支部书记、组织委员", "支部书记、工会小组长", "党委副书记、支部书记", "支部委员、党员代表")


def _day(rng: random.Random, year: int, months: tuple[int, int], before: date) -> date:
    start = date(year, months[0], 1)
    end = min(date(year, months[1], 28), before)
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def build_care(rng: random.Random, today: date) -> str:
    needy = list(Person.objects.filter(is_needy=True).order_by("pk").values_list("pk", "org_id"))
    if not needy:
        return "care: no 困难党员 in the roster"
    needs, assistance, resolved = [], [], []
    categories = list(NEEDS)
    for person_id, org_id in needy:
        category = rng.choice(categories)
        need = CareNeed(person_id=person_id, org_id=org_id, category=category, description=rng.choice(NEEDS[category]),
                        identified_on=date(rng.randint(YEAR - 2, YEAR - 1), rng.randint(1, 12), rng.randint(1, 28)))
        if rng.random() < RESOLVED_SHARE:
            need.status, need.resolved_on = NeedStatus.RESOLVED, date(YEAR, rng.randint(6, 10), rng.randint(1, 28))
            resolved.append(person_id)
        needs.append(need)
    CareNeed.objects.bulk_create(needs, batch_size=BATCH)
    for need in needs:
        year = YEAR if rng.random() < HELPED_SHARE else YEAR - 1
        for kind, months, amounts, content in rng.sample(HELP, rng.randint(1, 3)):
            if kind == AssistanceKind.EDUCATION and need.category != NeedCategory.EDUCATION:
                continue
            assistance.append(Assistance(
                person_id=need.person_id, org_id=need.org_id, need=need, kind=kind, content=content,
                given_on=_day(rng, year, months, today), given_by=rng.choice(GIVERS), amount=rng.choice(amounts)))
    Assistance.objects.bulk_create(assistance, batch_size=BATCH)
    # As the needs register does when a hardship is over: the member is no longer flagged.
    Person.objects.filter(pk__in=resolved).update(is_needy=False)
    summary = f"care: {len(needs)} hardships of 困难党员 ({len(resolved)} resolved), {len(assistance)} assistance records"
    record(AuditAction.IMPORT, object_type="care.careneed", object_repr="seed_demo", message=summary)
    return summary


def seed_step(context) -> str:
    """The ``seed_demo`` step: care records for the roster's 困难党员 (after the orgs step)."""
    from vanguard.campaigns.demo import DEMO_TODAY

    return build_care(random.Random(f"care:{context.seed}"), DEMO_TODAY)
