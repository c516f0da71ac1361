"""What the apps built on a campaign plug into it, so that ``campaigns`` imports none of them.

Rubrics, plans and activities depend on campaigns, never the reverse. Each registers from its
``registrations.py`` (imported once by ``vanguard.core.registry.discover``); a callable may be
given as its dotted path, imported on first use:

- ``register_launch_check(check)``: ``check(campaign) -> list[str]``, why a draft campaign may
  not be launched yet (rubrics: the org rubric is missing or invalid);
- ``register_status_change(hook)``: ``hook(campaign, before, after)``, run inside the transaction
  that moves the campaign a step, so that a failing hook undoes the step (rubrics freeze when
  assessment starts);
- ``register_campaign_copy(hook)``: ``hook(source, target, dimensions)``, run inside the
  transaction that copies a campaign into a new year, to copy the app's part (rubrics: new
  drafts); ``dimensions`` maps each source dimension id to its copy in the target;
- ``register_work_link(...)``: a link on the campaign page to the app's work for this campaign
  (its list filtered with ``?campaign=<pk>``), shown like a menu entry: to those whom the policy
  of ``model`` could allow ``action`` (the test its page applies), so no link leads to a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from django.urls import reverse

from vanguard.core.policy import could
from vanguard.core.registry import discover, resolve
from vanguard.core.scoping import VIEW

LaunchCheck = Callable[[Any], list] | str
StatusChange = Callable[[Any, str, str], None] | str
CampaignCopy = Callable[[Any, Any, dict], None] | str


@dataclass(frozen=True)
class WorkLink:
    label: Any
    url_name: str
    icon: str
    model: type
    action: str = VIEW
    order: int = 100

    def visible_to(self, user) -> bool:
        return could(user, self.model, self.action)


_launch_checks: list[LaunchCheck] = []
_status_changes: list[StatusChange] = []
_campaign_copies: list[CampaignCopy] = []
_work_links: list[WorkLink] = []


def _add(registry: list, item) -> None:
    if item not in registry:  # a registrations module imported twice registers once
        registry.append(item)


def register_launch_check(check: LaunchCheck) -> None:
    _add(_launch_checks, check)


def register_status_change(hook: StatusChange) -> None:
    _add(_status_changes, hook)


def register_campaign_copy(hook: CampaignCopy) -> None:
    _add(_campaign_copies, hook)


def register_work_link(label, url_name: str, icon: str, *, model, action: str = VIEW, order: int = 100) -> None:
    _add(_work_links, WorkLink(label, url_name, icon, model, action, order))


def launch_checks() -> list[Callable]:
    discover()
    return [resolve(check) for check in _launch_checks]


def status_changes() -> list[Callable]:
    discover()
    return [resolve(hook) for hook in _status_changes]


def campaign_copies() -> list[Callable]:
    discover()
    return [resolve(hook) for hook in _campaign_copies]


def work_links(user, campaign) -> list[dict]:
    """The links of the campaign page this user may follow, in order."""
    discover()
    return [{"label": link.label, "icon": link.icon, "url": f"{reverse(link.url_name)}?campaign={campaign.pk}"}
            for link in sorted(_work_links, key=lambda link: link.order) if link.visible_to(user)]
