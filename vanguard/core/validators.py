"""Rules every input field obeys, whatever the form: text people type and dates they live.

``harden(form)`` gives each field of a form the project's input rules, once, so a new form gets
them without a line of its own (``ScopedFormView`` applies it to its forms):

- text is refused when it holds NUL, other control characters (a line break only in a text
  area) or the characters that reorder text on screen (bidi embeddings, overrides and isolates:
  "U+202E" turns ``gpj.exe`` into ``exe.jpg``), or when it is made only of invisible characters
  (zero-width spaces, Hangul fillers, …: a "name" nobody can read);
- a text field without a maximum length (a model ``TextField``) gets ``settings.TEXT_MAX_LENGTH``;
- a date lies between 1900 and ``settings.DATE_MAX_YEARS_AHEAD`` years from today, and a date
  that is in the past by its nature (a birth date) is not in the future;
- an integer fits a 64-bit column.

Integers typed into a URL or a filter reach queries too. Django answers an out-of-range
integer with "no rows" for ``exact`` and the comparisons, not for ``in``, which crashes the
SQLite driver (``?org=99999999999999999999`` gave a 500): ``BoundedIntegerIn`` drops such values.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
EARLIEST_DATE = datetime.date(1900, 1, 1)
# Form fields whose value is a date in the past by its nature, in whichever form they appear.
PAST_DATE_FIELDS = frozenset({"birth_date"})

_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_LINE_BREAKS = "\t\n\r"
# Embeddings and overrides (LRE RLE PDF LRO RLO) and isolates (LRI RLI FSI PDI); a lone
# surrogate cannot be stored by PostgreSQL at all.
_REORDERING = "\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_MULTILINE = re.compile(f"[{_CONTROLS}{_REORDERING}]")
_UNSAFE_SINGLE_LINE = re.compile(f"[{_CONTROLS}{_LINE_BREAKS}{_REORDERING}]")
# Letters that render as nothing: Hangul fillers, the Khmer inherent vowels, the braille blank.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u17b4\u17b5\u2800")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})


def is_visible(char: str) -> bool:
    return char not in _BLANK_LETTERS and unicodedata.category(char) not in _INVISIBLE_CATEGORIES


@deconstructible
class SafeText:
    """No NUL, control or reordering characters; line breaks and tabs only when ``multiline``."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        pattern = _UNSAFE_MULTILINE if self.multiline else _UNSAFE_SINGLE_LINE
        found = pattern.search(str(value))
        if found:
            raise ValidationError(
                _("不能包含控制字符或改变文字方向的字符（发现 U+%(code)04X）；请删除后重新输入。"),
                code="unsafe_text", params={"code": ord(found.group())},
            )

    def __eq__(self, other):
        return isinstance(other, SafeText) and other.multiline == self.multiline


def validate_visible(value) -> None:
    """Something a reader can see: not only spaces and invisible characters."""
    if not any(is_visible(char) for char in str(value)):
        raise ValidationError(_("不能只由空格或不可见字符组成。"), code="invisible")


@deconstructible
class DateRange:
    """Between ``EARLIEST_DATE`` and a number of years ahead (today when ``past_only``)."""

    def __init__(self, past_only: bool = False):
        self.past_only = past_only

    def latest(self) -> datetime.date:
        today = timezone.localdate()
        if self.past_only:
            return today
        years = getattr(settings, "DATE_MAX_YEARS_AHEAD", 10)
        try:
            return today.replace(year=today.year + years)
        except ValueError:  # 29 February
            return today.replace(year=today.year + years, day=28)

    def __call__(self, value) -> None:
        day = value.date() if isinstance(value, datetime.datetime) else value
        latest = self.latest()
        if day < EARLIEST_DATE or day > latest:
            if self.past_only and day > latest:
                raise ValidationError(_("该日期不能晚于今天。"), code="date_in_future")
            raise ValidationError(
                _("日期须在 %(earliest)s 至 %(latest)s 之间。"), code="date_out_of_range",
                params={"earliest": date_format(EARLIEST_DATE, "DATE_FORMAT"),
                        "latest": date_format(latest, "DATE_FORMAT")},
            )

    def __eq__(self, other):
        return isinstance(other, DateRange) and other.past_only == self.past_only


def text_max_length() -> int:
    return getattr(settings, "TEXT_MAX_LENGTH", 20000)


def harden_field(name: str, field: forms.Field) -> None:
    if getattr(field, "_hardened", False):
        return
    field._hardened = True
    if isinstance(field, forms.CharField):
        field.validators += [SafeText(multiline=isinstance(field.widget, forms.Textarea)), validate_visible]
        if field.max_length is None:
            field.max_length = text_max_length()
            field.validators.append(MaxLengthValidator(field.max_length))
            field.widget.attrs.setdefault("maxlength", str(field.max_length))
    elif isinstance(field, (forms.DateField, forms.DateTimeField)):
        field.validators.append(DateRange(past_only=name in PAST_DATE_FIELDS))
    elif isinstance(field, forms.IntegerField) and not isinstance(field, (forms.FloatField, forms.DecimalField)):
        field.validators += [MinValueValidator(INT64_MIN), MaxValueValidator(INT64_MAX)]


def harden(form: forms.BaseForm) -> forms.BaseForm:
    """Give every field of ``form`` the input rules of the module docstring (idempotent)."""
    for name, field in form.fields.items():
        harden_field(name, field)
    return form


@models.IntegerField.register_lookup
class BoundedIntegerIn(In):
    """``in`` on an integer column, where a value beyond 64 bits matches nothing instead of crashing."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            self.rhs = [v for v in self.rhs if not isinstance(v, int) or INT64_MIN <= v <= INT64_MAX]
        return super().process_rhs(compiler, connection)
