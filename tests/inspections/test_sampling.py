"""The random draw: reproducible from seed and frozen list, uniform, stratified right, never re-rolled quietly."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_org
from vanguard.audit.models import AuditEvent
from vanguard.inspections import sampling, services
from vanguard.inspections.models import InspectionStatus, SampleDraw, Stratification
from vanguard.inspections.services import DrawRequest
from vanguard.orgs.models import OrgCategory, OrgType

from .helpers import campaign_with_rubric, inspect

pytestmark = pytest.mark.django_db


def reference_draw(seed: str, text: str, n: int) -> list[int]:
    """The README's algorithm written again from its prose, with nothing but the standard library."""
    entries = []
    for line in text.split("\n"):
        org_id, stratum = line.split("\t")
        entries.append((int(org_id), stratum))
    total = len(entries)
    groups: dict[str, list[int]] = {}
    for org_id, stratum in entries:
        groups.setdefault(stratum, []).append(org_id)
    seats = {}
    remainders = []
    for stratum in sorted(groups):
        size = len(groups[stratum])
        seats[stratum] = (n * size) // total
        remainders.append((-((n * size) % total), stratum))
    for _, stratum in sorted(remainders)[: n - sum(seats.values())]:
        seats[stratum] += 1
    result = []
    for stratum in sorted(groups):
        ranked = sorted(groups[stratum], key=lambda i: hashlib.sha256(f"{seed}:{i}".encode("utf-8")).hexdigest())
        result += ranked[: seats[stratum]]
    return result


@pytest.fixture
def branches(cast):
    """Twelve more branches: five under unit A (office), seven under unit B (production)."""
    office = OrgCategory.objects.create(code="office", name="机关")
    made = [make_org(f"A区党支部{i}", cast.unit_a, category=office) for i in range(5)]
    made += [make_org(f"B区党支部{i}", cast.unit_b, category=cast.production) for i in range(7)]
    return made


@pytest.fixture
def plan(cast, branches):
    return inspect(campaign_with_rubric(cast), cast.bureau, inspectors=[cast.inspector])


def all_branches(cast, branches):
    return [cast.branch_a1, cast.branch_a2, cast.branch_b1, *branches]


class TestReproducible:
    def test_the_draw_is_the_readme_algorithm_on_the_frozen_list(self, cast, plan):
        draw = services.draw_sample(plan, cast.admin, DrawRequest(size=5, stratify=Stratification.UNIT, seed="2026-督查"))
        text = services.frozen_text(draw)
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == draw.eligible_hash
        assert reference_draw("2026-督查", text, 5) == draw.selected
        assert len(draw.selected) == 5

    def test_the_verification_snippet_on_the_page_reproduces_the_draw(self, cast, plan, tmp_path, monkeypatch, capsys):
        draw = services.draw_sample(plan, cast.admin, DrawRequest(share=40, stratify=Stratification.CATEGORY))
        (tmp_path / "eligible.txt").write_text(services.frozen_text(draw), encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        exec(services.verification_text(draw), {})
        assert capsys.readouterr().out.strip() == str(draw.selected)

    def test_the_frozen_list_is_every_active_branch_of_the_subtree_in_id_order(self, cast, plan, branches):
        closed = make_org("已撤销党支部", cast.unit_a, is_active=False, dissolved_on="2025-01-01")
        draw = services.draw_sample(plan, cast.admin, DrawRequest(size=3))
        ids = [org_id for org_id, _ in draw.eligible]
        assert ids == sorted(org.pk for org in all_branches(cast, branches))
        assert closed.pk not in ids and cast.unit_a.pk not in ids and cast.group_a1.pk not in ids

    def test_a_generated_seed_is_kept_and_logged_before_the_list_is_frozen(self, cast, plan):
        draw = services.draw_sample(plan, cast.admin, DrawRequest(size=3))
        assert len(draw.seed) == 16
        events = list(AuditEvent.objects.filter(object_type="inspections.sampledraw", object_id=str(draw.pk))
                      .order_by("pk").values_list("message", flat=True))
        assert events[0] == f"确定随机种子：{draw.seed}"
        assert draw.eligible_hash in events[1]
        assert events[2].startswith("抽取 3 个")


class TestUniform:
    # chi-square critical value for 14 degrees of freedom at p = 0.001 (statistical tables).
    CRITICAL_14_DF = 36.123

    @staticmethod
    def chi_square(counts: Counter, keys, expected: float) -> float:
        return sum((counts[key] - expected) ** 2 / expected for key in keys)

    def test_every_org_is_equally_likely_over_many_seeds(self):
        entries = [(org_id, "") for org_id in range(101, 116)]  # 15 orgs, draw 4: expected 4/15 each
        counts = Counter()
        draws = 3000
        for n in range(draws):
            counts.update(sampling.draw(f"seed-{n}", entries, 4))
        expected = draws * 4 / 15
        assert self.chi_square(counts, [e[0] for e in entries], expected) < self.CRITICAL_14_DF

    def test_the_statistic_catches_a_biased_draw(self):
        """The same test refuses a draw that favours low ids (so the test above can fail)."""
        entries = [(org_id, "") for org_id in range(101, 116)]
        counts = Counter()
        for n in range(3000):
            biased = sorted(sampling.draw(f"seed-{n}", entries, 5))[:4]
            counts.update(biased)
        assert self.chi_square(counts, [e[0] for e in entries], 3000 * 4 / 15) > self.CRITICAL_14_DF


class TestStratified:
    def test_seats_are_proportional_with_the_largest_remainder(self):
        assert sampling.allocate({"a": 5, "b": 7, "c": 3}, 5) == {"a": 2, "b": 2, "c": 1}
        # 3 × (1, 1, 2) / 4 = 0.75, 0.75, 1.5: floors 0, 0, 1; remainders 3, 3, 2 get the two left.
        assert sampling.allocate({"x": 1, "y": 1, "z": 2}, 3) == {"x": 1, "y": 1, "z": 1}
        # Equal remainders: the stratum that sorts first.
        assert sampling.allocate({"y": 1, "x": 1}, 1) == {"x": 1, "y": 0}
        assert sum(sampling.allocate({"a": 9, "b": 2, "c": 4}, 7).values()) == 7

    def test_the_draw_by_unit_takes_each_units_share(self, cast, plan):
        # Unit A: 2 + 5 branches, unit B: 1 + 7; 6 of 15 → 2.8 and 3.2 → 3 and 3.
        draw = services.draw_sample(plan, cast.admin, DrawRequest(size=6, stratify=Stratification.UNIT))
        units = Counter(str(cast.unit_a.pk) if org_id in self.unit_a_ids(cast) else str(cast.unit_b.pk)
                        for org_id in draw.selected)
        assert units == {str(cast.unit_a.pk): 3, str(cast.unit_b.pk): 3}
        assert dict(draw.eligible) == {org_id: (str(cast.unit_a.pk) if org_id in self.unit_a_ids(cast)
                                                else str(cast.unit_b.pk)) for org_id, _ in draw.eligible}

    @staticmethod
    def unit_a_ids(cast):
        from vanguard.orgs.models import Org

        return set(Org.objects.subtree(cast.unit_a).values_list("pk", flat=True))

    def test_the_draw_by_category_counts_orgs_without_one_as_their_own_stratum(self, cast, plan):
        draw = services.draw_sample(plan, cast.admin, DrawRequest(share=50, stratify=Stratification.CATEGORY))
        strata = Counter(stratum for _, stratum in draw.eligible)
        assert strata["-"] == 2  # branch A2 and B1 have no category
        chosen = Counter(dict(draw.eligible)[org_id] for org_id in draw.selected)
        assert sum(chosen.values()) == 8  # ceil(15 × 50%)
        assert chosen == sampling.allocate(dict(strata), 8)

    def test_recently_inspected_orgs_are_left_out(self, cast, plan):
        earlier = inspect(plan.campaign, cast.bureau, targets=[cast.branch_a1], status=InspectionStatus.CLOSED,
                          starts_in=-60, title="上次督查")
        draw = services.draw_sample(plan, cast.admin, DrawRequest(size=3, exclude_months=3))
        assert cast.branch_a1.pk not in dict(draw.eligible)
        assert earlier.targets.count() == 1
        longer_ago = services.draw_sample(plan, cast.admin, DrawRequest(size=3, exclude_months=1, reason="范围调整"))
        assert cast.branch_a1.pk in dict(longer_ago.eligible)


class TestNoQuietRedraw:
    def test_a_second_draw_without_a_reason_is_refused_and_changes_nothing(self, cast, plan):
        first = services.draw_sample(plan, cast.admin, DrawRequest(size=3, seed="a"))
        with pytest.raises(ValidationError, match="说明原因"):
            services.draw_sample(plan, cast.admin, DrawRequest(size=3, seed="b"))
        assert list(SampleDraw.objects.filter(inspection=plan)) == [first]
        assert sorted(plan.targets.values_list("org_id", flat=True)) == sorted(first.selected)

    def test_a_redraw_with_a_reason_keeps_the_first_and_logs_why(self, cast, plan):
        first = services.draw_sample(plan, cast.admin, DrawRequest(size=3, seed="a"))
        second = services.draw_sample(plan, cast.admin, DrawRequest(size=3, seed="b", reason="抽中的支部已撤并"))
        first.refresh_from_db()
        assert first.superseded and not second.superseded and second.number == 2
        assert first.selected and first.eligible_hash  # kept as it was
        assert sorted(plan.targets.values_list("org_id", flat=True)) == sorted(second.selected)
        assert AuditEvent.objects.filter(object_type="inspections.sampledraw", object_id=str(first.pk),
                                         message__contains="抽中的支部已撤并").exists()

    def test_no_draw_once_the_inspection_has_started(self, cast, plan):
        services.draw_sample(plan, cast.admin, DrawRequest(size=3, seed="a"))
        services.start(plan, cast.admin)
        with pytest.raises(ValidationError, match="已开始"):
            services.draw_sample(plan, cast.admin, DrawRequest(size=3, seed="b", reason="想换一批"))
        assert SampleDraw.objects.filter(inspection=plan).count() == 1

    def test_the_branch_type_is_what_is_drawn_by_default(self, cast, plan):
        draw = services.draw_sample(plan, cast.admin, DrawRequest(size=2))
        assert draw.org_type == OrgType.BRANCH


def test_the_readmes_code_repeats_a_draw(cast, plan, tmp_path, monkeypatch, capsys):
    """The README's few lines of standard Python, run as written on a draw's seed and downloaded list."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Random sampling of inspections"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    draw = services.draw_sample(plan, cast.admin, DrawRequest(size=5, stratify=Stratification.UNIT, seed="2026-抽查"))
    inputs = 'seed, n = "20260510", 5'
    assert inputs in code
    (tmp_path / "eligible.txt").write_text(services.frozen_text(draw), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    exec(code.replace(inputs, f"seed, n = {draw.seed!r}, {len(draw.selected)}"), {})
    printed_hash, printed_list = capsys.readouterr().out.strip().split("\n")
    assert printed_hash == draw.eligible_hash and printed_list == str(draw.selected)
