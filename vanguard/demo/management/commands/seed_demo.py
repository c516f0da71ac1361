"""Load deterministic demo data (S) or scale data (M) and print the demo accounts."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from vanguard.core.registry import demo_steps, resolve

# Every step reads the same two sizes: S for the demo, M for the benchmarks.
SCALES = ("M", "S")


@dataclass(frozen=True)
class DemoContext:
    """What every demo step is given; the same scale and seed always give the same data."""

    scale: str
    seed: int


class Command(BaseCommand):
    help = (
        "Generate a power-supply bureau's party organisations, people and one demo account per role, "
        "then each app's demo data (the registered demo steps). "
        "S: 62 orgs / 800 people; M: 3,000 orgs / 60,000 people. Same --seed, same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="S", type=str.upper, choices=SCALES, help="S (demo) or M (benchmarks)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing if demo data exists (still print the demo accounts)")

    def handle(self, *args, scale: str, seed: int, if_empty: bool, **options):
        steps = demo_steps()
        present = [step.name for step in steps if step.exists and resolve(step.exists)()]
        if present:
            if not if_empty:
                raise CommandError(
                    f"数据库中已有数据（{', '.join(present)}），未生成演示数据。The database already has data "
                    f"({', '.join(present)}); seed_demo only fills an empty database (use --if-empty to skip quietly)."
                )
            self.stdout.write(f"Data exists ({', '.join(present)}); demo data not generated (--if-empty).")
        else:
            self.run_steps(steps, DemoContext(scale, seed))
        self.print_accounts(steps)

    def run_steps(self, steps, context: DemoContext) -> None:
        """Every step in one transaction: a failing step leaves an empty database to retry on."""
        started = time.monotonic()
        with transaction.atomic():
            for step in steps:
                step_started = time.monotonic()
                summary = step.run(context)
                self.stdout.write(self.style.SUCCESS(f"{summary} in {time.monotonic() - step_started:.1f} s"))
        self.stdout.write(self.style.SUCCESS(f"seed_demo: total {time.monotonic() - started:.1f} s"))

    def print_accounts(self, steps):
        rows = [row for step in steps if step.accounts for row in resolve(step.accounts)()]
        if not rows:
            self.stdout.write("No demo accounts in this database.")
            return
        passwords = ", ".join(sorted({r["demo_password"] for r in rows}))
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"Demo accounts 演示账号 (password 密码: {passwords})"))
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
