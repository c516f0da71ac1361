"""Audit events: who, when, IP, action, object, before/after diff; append-only; admin-only list."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.accounts.models import User
from vanguard.audit.context import Actor, acting_as
from vanguard.audit.models import AppendOnlyError, AuditAction, AuditEvent
from vanguard.audit.services import record
from vanguard.core.roles import Role
from vanguard.orgs.models import MemberStatus

from ..factories import make_person, make_user


def events_for(obj, action=None):
    qs = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return qs.filter(action=action) if action else qs


class TestPersonChangesAreLogged:
    def test_create_update_delete_through_the_model(self, cast):
        with acting_as(Actor(user_id=cast.clerk.pk, username="clerk", ip="10.0.0.9")):
            person = make_person(cast.branch_a1, "周强", post="班长")
            person.post = "副班长"
            person.phone = "13811112222"
            person.save()
            pk = person.pk
            person.memberships.all().delete()
            person.delete()

        created = AuditEvent.objects.get(object_type="orgs.person", object_id=str(pk), action=AuditAction.CREATE)
        assert (created.actor_id, created.actor_name, created.ip) == (cast.clerk.pk, "clerk", "10.0.0.9")
        assert created.changes["name"] == [None, "周强"] and created.changes["post"] == [None, "班长"]
        assert created.object_repr == "周强"

        updated = AuditEvent.objects.get(object_type="orgs.person", object_id=str(pk), action=AuditAction.UPDATE)
        assert updated.changes["post"] == ["班长", "副班长"]
        assert updated.changes["phone"][1] == "138****2222"  # personal numbers stay masked in the log
        assert set(updated.changes) == {"post", "phone"}  # only what changed; not updated_at
        assert updated.at is not None

        deleted = AuditEvent.objects.get(object_type="orgs.person", object_id=str(pk), action=AuditAction.DELETE)
        assert deleted.changes["name"] == ["周强", None]

    def test_saving_without_changes_logs_nothing(self, cast):
        before = events_for(cast.person_a1).count()
        cast.person_a1.save()
        assert events_for(cast.person_a1).count() == before

    def test_edit_through_the_page_records_user_and_ip(self, login, cast):
        person = cast.person_a1
        data = {
            "name": person.name, "gender": person.gender, "ethnicity": person.ethnicity,
            "birth_date": person.birth_date.isoformat(), "id_card": person.id_card, "phone": person.phone,
            "education": "", "post": "安全员", "unit": "", "status": MemberStatus.FULL,
            "join_date": "2005-07-01", "full_date": "", "is_active": "on",
        }
        response = login(cast.clerk).post(reverse("orgs:person_edit", args=[person.pk]), data,
                                          REMOTE_ADDR="10.3.3.3")
        assert response.status_code == 302
        event = events_for(person, AuditAction.UPDATE).get()
        assert (event.actor, event.ip, event.changes) == (cast.clerk, "10.3.3.3", {"post": ["", "安全员"]})

    def test_transfer_and_move_are_logged(self, cast):
        from vanguard.orgs import services

        services.transfer_person(cast.person_a1, cast.branch_a2, date(2026, 3, 1), "工作调动")
        event = events_for(cast.person_a1, AuditAction.TRANSFER).get()
        assert event.changes == {"org_id": [cast.branch_a1.pk, cast.branch_a2.pk]} and event.message == "工作调动"


class TestAppendOnly:
    def test_an_event_cannot_be_changed_or_deleted_through_the_model(self, cast):
        event = record(AuditAction.WORKFLOW, cast.person_a1, message="原始")
        event.message = "篡改"
        with pytest.raises(AppendOnlyError):
            event.save()
        with pytest.raises(AppendOnlyError):
            event.delete()
        assert AuditEvent.objects.get(pk=event.pk).message == "原始"

    def test_nor_through_the_queryset(self, cast):
        event = record(AuditAction.WORKFLOW, cast.person_a1, message="原始")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).update(message="篡改")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).delete()
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.all().delete()
        assert AuditEvent.objects.get(pk=event.pk).message == "原始"

    @pytest.mark.postgres_only
    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL")
    def test_nor_with_raw_sql_on_postgresql(self, cast):
        event = record(AuditAction.WORKFLOW, cast.person_a1, message="原始")
        for sql in ("UPDATE audit_auditevent SET message = 'x' WHERE id = %s",
                    "DELETE FROM audit_auditevent WHERE id = %s"):
            with pytest.raises((InternalError, IntegrityError, ProgrammingError)), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).message == "原始"

    def test_deleting_an_account_keeps_its_events(self, cast):
        """The one change allowed: the actor link is cleared, the name stays."""
        user = User.objects.create_user("temp", password="x")
        event = record(AuditAction.WORKFLOW, cast.person_a1, actor=Actor(user_id=user.pk, username="temp"))
        user.delete()
        event = AuditEvent.objects.get(pk=event.pk)
        assert event.actor_id is None and event.actor_name == "temp"

    def test_the_app_offers_no_edit_or_delete_page(self, login, cast):
        event = record(AuditAction.WORKFLOW, cast.person_a1)
        client = login(cast.admin)
        url = reverse("audit:event_detail", args=[event.pk])
        assert client.get(url).status_code == 200
        client.post(url, {"message": "x"})  # the detail view ignores any form data
        assert AuditEvent.objects.get(pk=event.pk).message == ""
        names = {p.name for p in __import__("vanguard.audit.urls", fromlist=["urlpatterns"]).urlpatterns}
        assert names == {"event_list", "event_detail"}


class TestAuditList:
    @pytest.fixture
    def events(self, cast):
        with acting_as(Actor(user_id=cast.admin.pk, username="admin", ip="10.1.1.1")):
            record(AuditAction.IMPORT, cast.branch_a1, message="导入花名册 20 行")
        with acting_as(Actor(user_id=cast.clerk.pk, username="clerk", ip="10.2.2.2")):
            record(AuditAction.EXPORT, object_type="orgs.person", object_repr="人员名册")

    def test_only_admins_read_the_log(self, login, cast, events):
        for user in (cast.secretary, cast.clerk, cast.leader, cast.inspector, cast.member):
            assert login(user).get(reverse("audit:event_list")).status_code == 403
        assert login(cast.admin).get(reverse("audit:event_list")).status_code == 200

    def test_an_admin_of_one_unit_does_not_read_the_log(self, login, cast, events):
        """The log holds every unit's changes: it is for admins of the whole bureau only."""
        client = login(make_user("unit_admin", Role.ADMIN, cast.unit_a))
        assert client.get(reverse("audit:event_list")).status_code == 403
        event = AuditEvent.objects.filter(object_id=str(cast.branch_a1.pk)).first()
        assert client.get(reverse("audit:event_detail", args=[event.pk])).status_code == 403

    def test_it_filters_by_action_text_and_date(self, login, cast, events):
        client = login(cast.admin)

        def shown(query):
            return [e.action for e in client.get(reverse("audit:event_list") + query).context["page_obj"]]

        assert shown("?action=import") == ["import"]
        assert shown("?q=花名册") == ["import"]
        assert set(shown("?q=clerk")) >= {"export"}
        today = date.today().isoformat()
        assert len(shown(f"?since={today}&until={today}")) == AuditEvent.objects.count()
        assert shown("?until=2000-01-01") == []

    def test_detail_shows_the_diff(self, login, cast):
        cast.person_a1.post = "安全员"
        cast.person_a1.save()
        event = events_for(cast.person_a1, AuditAction.UPDATE).get()
        page = login(cast.admin).get(reverse("audit:event_detail", args=[event.pk])).content.decode()
        changes = page.split('data-testid="changes"')[1]
        assert "岗位职务" in changes and "安全员" in changes and "post" not in changes

    def test_exports_are_logged_with_their_filters(self, login, cast):
        client = login(cast.secretary)
        response = client.get(reverse("orgs:person_list") + "?status=full&export=xlsx", REMOTE_ADDR="10.4.4.4")
        assert response.status_code == 200
        event = AuditEvent.objects.get(action=AuditAction.EXPORT)
        assert (event.actor, event.ip, event.object_type) == (cast.secretary, "10.4.4.4", "orgs.person")
        assert "status=full" in event.message

    def test_the_log_itself_exports(self, login, cast, events):
        response = login(cast.admin).get(reverse("audit:event_list") + "?action=import&export=xlsx")
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == 2 and rows[1][1] == "admin" and rows[1][2] == "10.1.1.1"


def test_every_domain_model_is_audited():
    """Domain data of every app of the project is an AuditedModel; the exceptions are listed with their reason."""
    from django.apps import apps

    from vanguard.audit.models import AuditedModel

    secret_ballot = ("a ballot box's table: never audited, the log would link voters to ballots "
                     "(docs/BALLOTS.md); the box's events are WORKFLOW events of the box: ")
    not_audited = {
        "orgs.OrgMove": "history itself; a move records a MOVE event",
        "orgs.Membership": "history itself; transfers record a TRANSFER event, imports an IMPORT event",
        "orgs.OrgHeadcount": "derived counters kept by database triggers on orgs_person, whose rows are audited",
        "accounts.User": "password hashes and login times stay out of the log; creation and resets are recorded",
        "accounts.ApiToken": "token creation and revocation are recorded as TOKEN events",
        "core.Job": "a job's row is its own log; what it changes is audited",
        "audit.AuditEvent": "the log itself",
        "campaigns.PlanImportDraft": "a scratch copy until confirmed; the plan it becomes is audited",
        "plans.OrgPlanVersion": "each version is written with a WORKFLOW event of its plan",
        "activities.Attendance": "saved per meeting in bulk, with one event listing the changes",
        "activities.TalkPair": "saved per 谈心谈话 record (services.save_talks) with an UPDATE event of the meeting",
        "activities.MeetingAttachment": "uploads, replacements and deletions are UPDATE events of the meeting "
                                        "(attachments.services)",
        "improvements.TechParticipant": "saved per project in bulk (services.save_team), with one event of the "
                                        "project listing the changes",
        "ballots.BallotBox": secret_ballot + "opening, slips issued and voided, the count, paper counts",
        "ballots.ScrutineerShare": secret_ballot + "the opening names the scrutineers; shares are key material",
        "ballots.Participation": secret_ballot + "who voted is the secret's other half",
        "ballots.SealedBallot": secret_ballot + "the ballot itself",
        "ballots.Slip": secret_ballot + "issuing and voiding are the box's events",
        "ballots.BoxTally": secret_ballot + "derived at the audited count",
        "ballots.BoxComment": secret_ballot + "written unlinked at the audited count",
        "ballots.CountedReceipt": secret_ballot + "published at the audited count",
        "surveys.DimensionResult": "derived tallies, written once by the audited close of the survey",
        "inspections.InspectionTarget": "set per inspection (services.set_targets) with an UPDATE event of the "
                                        "inspection listing the orgs; signing for the notice is a WORKFLOW event",
        "inspections.ChecklistItem": "set per inspection (services.set_checklist) with an UPDATE event of the "
                                     "inspection listing the indicators",
        "inspections.SampleDraw": "each step of a draw (seed, frozen list's hash, selection) is a WORKFLOW event "
                                  "of the draw, in that order (services.draw_sample)",
        "inspections.FindingAttachment": "uploads, replacements and deletions are UPDATE events of the finding "
                                         "(attachments.services)",
        "rectifications.RectificationEvidence": "uploads, replacements and deletions are UPDATE events of the "
                                                "rectification (attachments.services)",
        "rectifications.RectificationReview": "written once per 通过/退回 with the WORKFLOW event of its "
                                              "rectification (services.review); never changed",
        "selfchecks.SelfAssessmentEvidence": "uploads, replacements and deletions are UPDATE events of the item "
                                             "(attachments.services)",
        "appeals.AppealEvidence": "uploads, replacements and deletions are UPDATE events of the appeal "
                                  "(attachments.services)",
        "assessment.Result": "written only by a recompute, in bulk, with the snapshot's audited creation; "
                             "never changed afterwards (a correction is a new snapshot)",
        "appraisal.PaperCount": "one scrutineer's draft of a paper count, read by its author only until a second "
                                "entry agrees; the agreed counts are WORKFLOW events of the box and the round",
    }
    missing = [
        model._meta.label for model in apps.get_models()
        if apps.get_app_config(model._meta.app_label).name.startswith("vanguard.")
        and not issubclass(model, AuditedModel) and model._meta.label not in not_audited
    ]
    assert not missing, f"models neither audited nor listed with a reason: {missing}"


def test_issue_four_models_log_create_update_delete(cast):
    from datetime import date

    from vanguard.activities.models import Meeting
    from vanguard.campaigns.models import Campaign, CampaignPhase, TermCorrection

    campaign = Campaign.objects.create(name="2026年活动", year=2026, scope_org=cast.bureau)
    phase = CampaignPhase.objects.create(campaign=campaign, name="动员部署", starts_on=date(2026, 3, 1),
                                         ends_on=date(2026, 3, 31))
    phase.ends_on = date(2026, 4, 5)
    phase.save()
    term = TermCorrection.objects.create(wrong="测试错词", right="测试正词")
    term.delete()
    meeting = Meeting.objects.create(org=cast.branch_a1, kind="mobilisation", topic="动员部署会",
                                     held_on=date(2026, 3, 5))
    events = AuditEvent.objects.values_list("object_type", "action")
    assert ("campaigns.campaign", AuditAction.CREATE) in events
    assert ("campaigns.campaignphase", AuditAction.UPDATE) in events
    assert ("campaigns.termcorrection", AuditAction.DELETE) in events
    assert ("activities.meeting", AuditAction.CREATE) in events
    change = AuditEvent.objects.get(object_type="campaigns.campaignphase", action=AuditAction.UPDATE).changes
    assert change["ends_on"] == ["2026-03-31", "2026-04-05"]
    assert meeting.pk
