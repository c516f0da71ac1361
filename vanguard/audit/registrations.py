"""The audit app plugs in: it records list exports and acts as a job's submitter while it runs."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.jobs import register_job_context
from vanguard.core.registry import register_nav, register_urls
from vanguard.core.signals import list_exported

from .context import Actor, acting_as
from .models import AuditAction, AuditEvent
from .services import record


def record_export(sender, request, model, name, query, **kwargs):
    record(AuditAction.EXPORT, object_type=model._meta.label_lower, object_repr=name, message=query[:500])


def act_as_submitter(actor):
    return acting_as(Actor(user_id=actor.user_id, username=actor.username, ip=actor.ip))


list_exported.connect(record_export, dispatch_uid="audit.record_export")
register_job_context(act_as_submitter)
register_urls("audit/", "vanguard.audit.urls")
register_nav("system", _("审计日志"), "audit:event_list", "journal-text", model=AuditEvent, order=30)
