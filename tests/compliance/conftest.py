import pytest
from django.utils import timezone


@pytest.fixture
def today(monkeypatch):
    """``today(date)`` makes ``timezone.localdate()`` answer that day for the rest of the test."""

    def freeze(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        return day

    return freeze
