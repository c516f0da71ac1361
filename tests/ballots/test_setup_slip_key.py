"""scripts/setup.sh makes the slips' key file once, mode 600, unless BALLOT_SLIP_KEY is set.

The whole setup installs packages and collects static files into the checkout; this runs its
"Ballot slip key" section alone, as setup.sh would, against a scratch var directory.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SECTION = re.compile(r"^# --- Ballot slip key -+\n(.*?)(?=^# --- )", re.S | re.M)


def run_section(var_dir: Path, **env) -> subprocess.CompletedProcess:
    script = SECTION.search((ROOT / "scripts" / "setup.sh").read_text()).group(1)
    environ = {k: v for k, v in os.environ.items() if k not in {"BALLOT_SLIP_KEY", "BALLOT_SLIP_KEY_FILE"}}
    # The running settings, not the tests' (which set a key and would make no file).
    environ.update(DJANGO_SETTINGS_MODULE="vanguard.settings", VANGUARD_VAR_DIR=str(var_dir), **env)
    prelude = f'set -euo pipefail; . scripts/lib.sh; ROOT="{ROOT}"; PY="{ROOT}/.venv/bin/python"\n'
    return subprocess.run(["bash", "-c", prelude + script], cwd=ROOT, env=environ, capture_output=True,
                          text=True, check=True, timeout=120)


def test_setup_makes_the_slip_key_once_readable_by_its_owner_only(tmp_path):
    key_file = tmp_path / "ballot_slip.key"
    first = run_section(tmp_path)
    assert "creating" in first.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text()
    assert re.fullmatch(r"[0-9a-f]{64}\n", key)
    again = run_section(tmp_path)
    assert "creating" not in again.stderr and key_file.read_text() == key  # kept, never replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ballot_slip.key"]


def test_setup_makes_no_key_file_when_the_key_is_in_the_environment(tmp_path):
    run_section(tmp_path, BALLOT_SLIP_KEY="k" * 40)
    assert not any(tmp_path.iterdir())


def test_setup_makes_the_key_where_ballot_slip_key_file_says(tmp_path):
    elsewhere = tmp_path / "keys" / "slip.key"
    run_section(tmp_path / "var", BALLOT_SLIP_KEY_FILE=str(elsewhere))
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o600 and not (tmp_path / "var").exists()
