"""The appraisal app plugs in: its pages in the 组织生活 menu, its API, to-dos, person section, demo
step and a link from the campaign page."""

from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.hooks import register_work_link
from vanguard.core.registry import (
    register_api, register_demo, register_nav, register_person_section, register_todo, register_urls,
)

from .models import AppraisalRound, RoundMember, evaluation_overdue, self_assessment_overdue, voting_overdue

register_urls("appraisal/", "vanguard.appraisal.urls")
register_nav("life", _("民主评议党员"), "appraisal:round_list", "person-check", model=AppraisalRound, order=70)
register_nav("life", _("我的民主评议"), "appraisal:mine", "check2-square", model=RoundMember, order=71)
register_api("vanguard.appraisal.api.router")

register_todo("appraisal_ballots", _("待投票的民主评议"), "appraisal:mine",
              "vanguard.appraisal.services.ballots_to_cast", icon="check2-square", order=70)
register_todo("appraisal_self_assessments", _("待填写的个人自评"), "appraisal:mine",
              "vanguard.appraisal.services.self_assessments_due", icon="journal-text", order=71,
              overdue=self_assessment_overdue)
register_todo("appraisal_to_close", _("待监票计票的民主评议"), "appraisal:round_list",
              "vanguard.appraisal.services.rounds_to_close", icon="unlock", order=72,
              overdue=voting_overdue)
register_todo("appraisal_to_decide", _("待组织评定的民主评议"), "appraisal:round_list",
              "vanguard.appraisal.services.grades_to_decide", icon="clipboard-check", order=73,
              overdue=evaluation_overdue)
register_todo("appraisal_to_review", _("待审核的民主评议结果"), "appraisal:round_list",
              "vanguard.appraisal.services.grades_to_review", icon="check2-circle", order=74)

register_person_section("appraisal", "appraisal/_person_section.html", "vanguard.appraisal.pages.person_section",
                        order=70)
# After the campaign and its commitments (a self-assessment reads them).
register_demo("appraisal", "vanguard.appraisal.demo.seed_step", order=70)

register_work_link(_("民主评议党员"), "appraisal:round_list", "person-check", model=AppraisalRound, order=70)
