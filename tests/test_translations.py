"""The English catalogue is complete, well-formed and free of the seed's corrupted terms.

The msgids are Chinese; ``locale/en/LC_MESSAGES/django.po`` is the English translation. When a new
``gettext("…")`` / ``{% translate "…" %}`` appears in the code, ``test_every_msgid_is_translated``
fails and lists it: run ``bash scripts/makemessages.sh``, translate the new entries, remove their
``#, fuzzy`` flags and commit the .po file.
"""

import os
import re
import shutil
import subprocess

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.commands import makemessages
from django.test import override_settings
from django.utils import translation

ROOT = settings.BASE_DIR
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
# The same list as scripts/makemessages.sh.
IGNORE_PATTERNS = [".venv/*", "node_modules/*", "var/*", "tests/*", "benchmarks/*", "docs/*"]

# ../shared/DOMAIN.md, "Terms the seed corrupted": the wrong forms, which must never reach the UI.
CORRUPTED_TERMS = [
    "科学开展观",
    "科学开展",
    "推动开展力强",
    "改革开展",
    "开展思路",
    "开展优势",
    "改革开展稳定大局",
    "根本内容",
    "根本情况",
    "广阔党员",
    "平安生产",
    "原那么",
    "降本钱",
    "效劳",
    '标准"三会一课"',
    "标准“三会一课”",
    "稳固",
    "反响",
    "查找缺乏",
    "层层创立",
    "创立标准",
    "为了创立而创立",
    "催促检查",
    "坚决理想信念",
    "坚决性",
    "鼓励、关心、帮扶机制",
    "带着群众",
    "调发开工参与",
    "四强四优活开工作情况",
]

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


def _label(entry):
    text = entry.msgid if not entry.msgid_plural else f"{entry.msgid} / {entry.msgid_plural}"
    return f"[{entry.msgctxt}] {text}" if entry.msgctxt else text


def _entries(po):
    return [e for e in po if not e.obsolete and e.msgid]


def _committed():
    assert CATALOGUE.is_file(), f"{CATALOGUE} is missing: run bash scripts/makemessages.sh"
    return polib.pofile(str(CATALOGUE))


class _ExtractInto(makemessages.Command):
    """makemessages that writes only to LOCALE_PATHS[0].

    Run from the repository root, the stock command also picks up ./locale and sends every string
    there, i.e. it would merge into the committed catalogue instead of the temporary one.
    """

    def find_files(self, root):
        files = super().find_files(root)
        self.locale_paths = [self.default_locale_path]
        for translatable in files:
            translatable.locale_dir = self.default_locale_path
        return files


@pytest.fixture(scope="module")
def fresh_catalogue(tmp_path_factory):
    """The catalogue as makemessages extracts it from the code right now."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext (GNU gettext) is not on PATH: cannot extract the msgids; install gettext")
    locale_dir = tmp_path_factory.mktemp("extracted") / "locale"
    locale_dir.mkdir()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with override_settings(LOCALE_PATHS=[str(locale_dir)]):
            call_command(
                _ExtractInto(), locale=["en"], no_location=True, ignore_patterns=list(IGNORE_PATTERNS), verbosity=0
            )
    finally:
        os.chdir(cwd)
    path = locale_dir / "en" / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"makemessages wrote nothing to {path}"
    return polib.pofile(str(path))


def test_every_msgid_is_translated(fresh_catalogue):
    fresh = _entries(fresh_catalogue)
    assert len(fresh) > 100, f"only {len(fresh)} msgids extracted; is the extraction looking at the code?"
    committed = {(e.msgctxt, e.msgid): e for e in _entries(_committed())}
    problems = []
    for entry in fresh:
        done = committed.get((entry.msgctxt, entry.msgid))
        if done is None:
            problems.append(f"missing: {_label(entry)}")
        elif (done.msgid_plural or "") != (entry.msgid_plural or ""):
            problems.append(f"plural form changed: {_label(entry)}")
        elif "fuzzy" in done.flags:
            problems.append(f"fuzzy: {_label(entry)}")
        elif entry.msgid_plural and not (
            set(done.msgstr_plural) >= {0, 1} and all(s.strip() for s in done.msgstr_plural.values())
        ):
            problems.append(f"untranslated plural: {_label(entry)}")
        elif not entry.msgid_plural and not done.msgstr.strip():
            problems.append(f"untranslated: {_label(entry)}")
    assert not problems, (
        f"{len(problems)} msgid(s) lack an English translation in {CATALOGUE.relative_to(ROOT)}; "
        "run bash scripts/makemessages.sh and translate them:\n" + "\n".join(problems)
    )


def test_catalogue_header_and_placeholders():
    po = _committed()
    assert po.metadata.get("Language") == "en"
    assert po.metadata.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"
    assert "utf-8" in po.metadata.get("Content-Type", "").lower()
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"
    problems = []
    for entry in _entries(po):
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural.get(0, "")), (entry.msgid_plural, entry.msgstr_plural.get(1, ""))]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, target in pairs:
            if target and sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
                problems.append(f"{source!r} -> {target!r}")
    assert not problems, "placeholders differ between msgid and msgstr:\n" + "\n".join(problems)


def test_catalogue_compiles():
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt (GNU gettext) is not on PATH; install gettext")
    result = subprocess.run(
        ["msgfmt", "--check", "-o", os.devnull, str(CATALOGUE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_no_corrupted_seed_terms():
    problems = []
    for entry in _entries(_committed()):
        texts = [entry.msgid, entry.msgid_plural or "", entry.msgstr, *entry.msgstr_plural.values()]
        for term in CORRUPTED_TERMS:
            if any(term in text for text in texts):
                problems.append(f"{term}: {_label(entry)}")
    assert not problems, "corrupted seed terms (see DOMAIN.md) in the catalogue:\n" + "\n".join(problems)


@pytest.fixture
def compiled_catalogue(tmp_path):
    """The committed .po compiled into a temporary LOCALE_PATHS (the .mo files are build output)."""
    mo = tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.mo"
    mo.parent.mkdir(parents=True)
    _committed().save_as_mofile(str(mo))
    with override_settings(LOCALE_PATHS=[str(tmp_path / "locale")]):
        yield
    translation.deactivate()


def test_login_page_is_chinese_by_default_and_english_after_switching(client, compiled_catalogue):
    login_url = "/accounts/login/"
    page = client.get(login_url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录" in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": login_url})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    page = client.get(login_url).content.decode()
    assert '<html lang="en">' in page
    assert "Sign in" in page
    assert "登录" not in page
