"""Load deterministic demo data (S) or scale data (M) and print the demo accounts."""

from __future__ import annotations

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from vanguard.accounts.models import RoleGrant
from vanguard.campaigns.demo import build_campaign_demo
from vanguard.core.roles import Role
from vanguard.orgs import demo
from vanguard.orgs.models import Org


class Command(BaseCommand):
    help = (
        "Generate a power-supply bureau's party organisations, people and one demo account per role. "
        "S: 62 orgs / 800 people; M: 3,000 orgs / 60,000 people. Same --seed, same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="S", type=str.upper, choices=sorted(demo.SCALES),
                            help="S (demo) or M (benchmarks)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing if any organisation exists (still print the demo accounts)")

    def handle(self, *args, scale: str, seed: int, if_empty: bool, **options):
        if Org.objects.exists():
            if not if_empty:
                raise CommandError(
                    "数据库中已有组织数据，未生成演示数据。The database already has organisations; "
                    "seed_demo only fills an empty database (use --if-empty to skip quietly)."
                )
            self.stdout.write("Organisations exist; demo data not generated (--if-empty).")
        else:
            started = time.monotonic()
            with transaction.atomic():
                summary = demo.generate(scale, seed)
                elapsed = time.monotonic() - started
                campaign = self.build_campaign(seed)
            total = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(
                f"seed_demo scale={summary['scale']} seed={seed}: {summary['orgs']} orgs "
                f"({summary['branches']} branches, {summary['groups']} groups), {summary['people']} people, "
                f"{summary['memberships']} memberships in {elapsed:.1f} s"
            ))
            self.stdout.write(self.style.SUCCESS(f"{campaign} ({total - elapsed:.1f} s; total {total:.1f} s)"))
        self.print_accounts()

    def build_campaign(self, seed: int) -> str:
        """The demo campaign, worked by the demo admin account (skipped if that account is not ours)."""
        root = Org.objects.get(parent__isnull=True, name=demo.ROOT_NAME)
        grant = (RoleGrant.objects.filter(user__username="admin", role=Role.ADMIN, org=root)
                 .select_related("user").first())
        if grant is None:
            return "No demo admin account on the new tree; demo campaign not generated."
        return build_campaign_demo(root, grant.user, random.Random(f"campaign:{seed}"))

    def print_accounts(self):
        rows = demo.demo_accounts()
        if not rows:
            self.stdout.write("No demo accounts in this database.")
            return
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(
            f"Demo accounts 演示账号 (password 密码: {demo.DEMO_PASSWORD})"))
        headers = ("username", "role 角色", "scope 范围", "person 人员", "password 密码")
        table = [(r["username"], r["role_label"], r["org"], r["person"] or "-", r["password"]) for r in rows]
        widths = [max(_width(h), *(_width(row[i]) for row in table)) for i, h in enumerate(headers)]
        self.stdout.write("  " + "  ".join(_pad(h, w) for h, w in zip(headers, widths)))
        for row in table:
            self.stdout.write("  " + "  ".join(_pad(v, w) for v, w in zip(row, widths)))
        self.stdout.write("")


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


def _pad(text: str, width: int) -> str:
    return str(text) + " " * (width - _width(text))
