"""The official frequencies of DOMAIN.md as the rules every installation starts with (admins edit them)."""

from django.db import migrations

# (name, kind, period, minimum, org types, by the secretary, basis)
DEFAULT_RULES = (
    ("支部党员大会", "branch_general_meeting", "quarter", 1, ["branch"], False, "支部党员大会一般每季度召开1次"),
    ("支部委员会会议", "committee_meeting", "month", 1, ["branch"], False, "支部委员会会议一般每月召开1次"),
    ("党小组会", "group_meeting", "month", 1, ["group"], False, "党小组会一般每月召开1次"),
    ("党课", "party_lecture", "quarter", 1, ["branch"], False, "党课一般每季度1次"),
    ("书记讲党课", "party_lecture", "year", 1, ["branch"], True, "党支部书记每年至少讲1次党课"),
    ("主题党日", "themed_day", "month", 1, ["branch"], False, "党支部每月相对固定1天开展主题党日"),
    ("组织生活会", "org_life_meeting", "year", 1, ["branch"], False, "组织生活会一般每年召开1次"),
    ("民主评议党员", "democratic_appraisal", "year", 1, ["branch"], False, "民主评议党员一般每年开展1次"),
)


def add_defaults(apps, schema_editor):
    FrequencyRule = apps.get_model("compliance", "FrequencyRule")
    for order, (name, kind, period, minimum, org_types, by_secretary, note) in enumerate(DEFAULT_RULES, start=1):
        FrequencyRule.objects.get_or_create(name=name, defaults=dict(
            kind=kind, period=period, minimum=minimum, org_types=org_types, by_secretary=by_secretary,
            note=note, sort_order=order * 10))


def remove_defaults(apps, schema_editor):
    FrequencyRule = apps.get_model("compliance", "FrequencyRule")
    FrequencyRule.objects.filter(name__in=[rule[0] for rule in DEFAULT_RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
