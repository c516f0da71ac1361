#!/usr/bin/env bash
# Refresh the English catalogue (locale/en/LC_MESSAGES/django.po) from the Chinese msgids in the
# code and templates. New entries arrive untranslated (or fuzzy); translate them, remove the fuzzy
# flag, and tests/test_translations.py passes again. The .mo files are built by scripts/setup.sh.
#
#   bash scripts/makemessages.sh
#
# Only the "django" domain: vanguard/static/vanguard/*.js holds no translatable strings, so there
# is no djangojs catalogue. Add one (-d djangojs) when a script starts calling gettext().
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

[ -x .venv/bin/python ] || die ".venv missing: run bash scripts/setup.sh first"
command -v xgettext >/dev/null 2>&1 || ensure_gettext

.venv/bin/python manage.py makemessages -l en --no-location --no-obsolete \
    -i ".venv/*" -i "node_modules/*" -i "var/*" -i "tests/*" -i "benchmarks/*" -i "docs/*"
