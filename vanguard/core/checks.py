"""System check: every model of the project declares an access policy or says why it has none."""

from __future__ import annotations

from django.apps import apps
from django.core import checks

from .policy import Policy
from .scoping import ScopedQuerySet


def project_models():
    """Concrete models of the project's own apps (``vanguard.*`` and apps marked ``policy_checked``)."""
    for config in apps.get_app_configs():
        if not (config.name.startswith("vanguard.") or getattr(config, "policy_checked", False)):
            continue
        for model in config.get_models():
            if not model._meta.auto_created:
                yield model


@checks.register(checks.Tags.security)
def check_access_policies(app_configs=None, **kwargs):
    errors = []
    for model in project_models():
        label = model._meta.label
        policy = getattr(model, "policy", None)
        reason = getattr(model, "unscoped", None)
        if policy is None:
            if not (isinstance(reason, str) and reason.strip()):
                errors.append(checks.Error(
                    f"{label} has no access policy",
                    hint="Declare `policy = Policy(...)` (vanguard.core.policy), or set `unscoped = \"<why>\"` "
                         "for a model no user reaches through their grants (ballots, token slips, public pages).",
                    obj=model, id="vanguard.E001"))
            continue
        if not isinstance(policy, Policy):
            errors.append(checks.Error(f"{label}.policy is not a vanguard.core.policy.Policy", obj=model,
                                       id="vanguard.E002"))
            continue
        if reason:
            errors.append(checks.Error(f"{label} declares both a policy and `unscoped`", obj=model,
                                       id="vanguard.E003"))
        manager = model._default_manager
        if not isinstance(manager.get_queryset(), ScopedQuerySet):
            errors.append(checks.Error(
                f"{label} has a policy but its default manager's queryset is not a ScopedQuerySet",
                hint="Use `objects = ScopedQuerySet.as_manager()` (or a subclass) so `for_user` applies the policy.",
                obj=model, id="vanguard.E004"))
    return errors
