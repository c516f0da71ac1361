"""A to-do's count is one part of a UNION: its annotations must not clash with the fields of the
model it counts (Meeting has a ``kind``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from tests.activities.helpers import planned
from vanguard.activities.models import Meeting, MeetingStatus
from vanguard.core import registry
from vanguard.core.registry import REGISTRY, Todo, todo_counts

pytestmark = pytest.mark.django_db


def planned_meetings(user):
    return Meeting.objects.filter(status=MeetingStatus.PLANNED)


def test_a_todo_over_a_model_with_a_kind_field_is_counted(cast, monkeypatch):
    registry.discover()
    today = timezone.localdate()
    planned(cast.branch_a1, on=today + timedelta(days=3))
    planned(cast.branch_a1, on=today - timedelta(days=2))
    planned(cast.branch_a2, on=today - timedelta(days=1))
    todo = Todo("test-planned-meetings", "待召开的会议", "activities:meeting_list", planned_meetings, order=-1,
                overdue=lambda day: Q(planned_on__lt=day))
    monkeypatch.setattr(REGISTRY, "todos", {**REGISTRY.todos, todo.key: todo})
    counts = todo_counts(cast.admin)
    item = next(i for i in counts["items"] if i["key"] == todo.key)
    assert (item["count"], item["overdue"]) == (3, 2)
    assert counts["total"] >= 3 and counts["overdue"] >= 2


def test_the_figures_keep_the_models_own_field_names_free(cast):
    todo = Todo("test-planned-meetings", "待召开的会议", "activities:meeting_list", planned_meetings)
    planned(cast.branch_a1, on=date(2026, 5, 1))
    (row,) = todo.figures(cast.admin, date(2026, 5, 2), 7)
    assert not set(row) & {field.name for field in Meeting._meta.get_fields()}
    assert list(row.values()) == [7, 1, 0]
