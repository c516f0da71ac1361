"""The registries apps plug into: what they refuse, and how core reads them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from vanguard.core import registry
from vanguard.core.jobs import runner_for, start_job
from vanguard.core.models import Job


def test_a_key_registered_twice_with_another_meaning_is_refused():
    kind = registry.job_kinds()["roster_import"]
    registry.register_job(kind.kind, kind.runner, kind.label, kind.result_template)  # the same again: fine
    with pytest.raises(ValueError, match="registered twice"):
        registry.register_job("roster_import", "elsewhere.run")
    with pytest.raises(ValueError, match="registered twice"):
        registry.register_menu("system", "另一个菜单", "gear")
    with pytest.raises(ValueError, match="registered twice"):
        registry.register_home("elsewhere.home")


def test_every_app_mounts_its_urls_and_router():
    prefixes = dict((urlconf, prefix) for prefix, urlconf in registry.url_includes())
    assert prefixes["vanguard.orgs.urls"] == "orgs/" and prefixes["vanguard.core.urls"] == ""
    assert reverse("orgs:tree") == "/orgs/"
    tags = [router.tags for _prefix, router in registry.api_routers()]
    assert ["orgs"] in tags and ["plans"] in tags
    assert reverse("api:list_orgs") == "/api/v1/orgs"


class TestJobKinds:
    def test_a_registered_kind_names_its_runner(self):
        assert runner_for("roster_import") == "vanguard.orgs.roster.run_import_job"
        with pytest.raises(ImproperlyConfigured, match="runs vanguard.orgs.roster.run_import_job"):
            runner_for("roster_import", "tests.core.elsewhere")

    def test_an_unregistered_kind_needs_its_runner(self):
        assert runner_for("test", "tests.core.test_exports_uploads.runner_ok") == "tests.core.test_exports_uploads.runner_ok"
        with pytest.raises(ImproperlyConfigured, match="not registered"):
            runner_for("test")

    def test_start_job_takes_the_registered_runner(self, cast):
        job = start_job(kind="roster_import", title="导入", user=cast.clerk, params={"path": "x"})
        assert Job.objects.get(pk=job.pk).params["_runner"] == "vanguard.orgs.roster.run_import_job"


def test_demo_steps_run_in_order_with_the_orgs_first():
    steps = registry.demo_steps()
    assert [s.name for s in steps][:2] == ["orgs", "campaign"]
    assert steps[0].exists is not None and steps[0].accounts is not None
