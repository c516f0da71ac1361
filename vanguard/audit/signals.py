"""Model signals that audit every AuditedModel, and login signals.

Bulk operations (``QuerySet.update``, ``bulk_create``) bypass these signals by
design; the services that use them (imports, moves) record one event each.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .context import actor_for, client_ip, current_actor
from .models import AuditAction, AuditedModel
from .services import diff, record, snapshot


def _is_audited(sender) -> bool:
    return issubclass(sender, AuditedModel) and not sender._meta.abstract


@receiver(pre_save)
def remember_previous_state(sender, instance, raw=False, **kwargs):
    if raw or not _is_audited(sender) or instance._state.adding or instance.pk is None:
        return
    previous = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(previous, sender.audit_exclude) if previous else None


@receiver(post_save)
def audit_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not _is_audited(sender):
        return
    after = snapshot(instance, sender.audit_exclude)
    if created:
        record(sender.audit_actions.get("create", AuditAction.CREATE), instance, changes={k: [None, v] for k, v in after.items() if v not in (None, "")})
        return
    before = getattr(instance, "_audit_before", None) or {}
    changes = diff(before, after)
    instance._audit_before = after
    if changes:
        record(AuditAction.UPDATE, instance, changes=changes)


@receiver(post_delete)
def audit_delete(sender, instance, **kwargs):
    if not _is_audited(sender):
        return
    before = snapshot(instance, sender.audit_exclude)
    record(sender.audit_actions.get("delete", AuditAction.DELETE), instance, changes={k: [v, None] for k, v in before.items() if v not in (None, "")})


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    record(AuditAction.LOGIN, user, actor=actor_for(user, client_ip(request) if request else None))


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record(AuditAction.LOGOUT, user, actor=actor_for(user, client_ip(request) if request else None))


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    ip = client_ip(request) if request is not None else current_actor().ip
    record(
        AuditAction.LOGIN_FAILED,
        object_type="accounts.user",
        object_repr=username,
        message=f"登录失败：{username}",
        actor=actor_for(None, ip),
    )
