"""Roles a user can be granted on an organisation subtree, and the sets policies are built from."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员（局党委组织部）")
    INSPECTOR = "inspector", _("督查员")
    SECRETARY = "secretary", _("书记")
    CLERK = "clerk", _("党务工作者")
    MEMBER = "member", _("党员")
    LEADER = "leader", _("领导（只读）")


ALL_ROLES = frozenset(Role.values)
# Roles that read the roster and records of a granted subtree. Not the inspector: an inspector
# reads only the orgs of the inspections assigned to them (``policy.Assigned``), not a subtree.
STAFF_ROLES = frozenset({Role.ADMIN, Role.SECRETARY, Role.CLERK, Role.LEADER})
# Roles whose grant shows the org tree of their subtree (a member sees their branch's tree).
SUBTREE_ROLES = STAFF_ROLES | {Role.MEMBER}
# Roles that write organisations, people and records of a subtree.
EDITOR_ROLES = frozenset({Role.ADMIN, Role.SECRETARY, Role.CLERK})
ADMIN_ROLES = frozenset({Role.ADMIN})
# The level above an org reviews its plan: its secretary, clerk or an admin.
REVIEWER_ROLES = frozenset({Role.ADMIN, Role.SECRETARY, Role.CLERK})
