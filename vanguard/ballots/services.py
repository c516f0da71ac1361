"""The ballot box's whole interface: appraisal and surveys call these and never touch the tables.

A box is opened with its scrutineers (``create_box``) and takes sealed ballots while open
(``cast``; the masses vote with slips: ``issue_slips``, ``slips_pdf``, ``redeem``, ``void_slip``,
``slip_rows``, ``find_slip``, ``slip_to_void``). It is counted once, by all its scrutineers together (``close_box``)
or from paper counts (``record_counts``); only then do the readers (``tally``, ``comments``,
``counted_receipts``, ``ballots_counted``) answer. Before close only counts of participation are
known (``has_voted``, ``turnout``, ``slip_counts``; ``turnouts`` for many boxes at once).

Nothing here logs, audits, stores in a session or puts in an exception message anything of a
ballot; the functions that hold one, a passphrase or a key are ``sensitive_variables()`` (every
local hidden), so error reports omit them. Callers do the same for their views
(``sensitive_post_parameters``). docs/BALLOTS.md has the why.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from nacl.exceptions import CryptoError

from vanguard.audit.context import actor_for, current_actor
from vanguard.audit.services import AuditAction, record

from . import crypto, storage
from .models import (
    BallotBox,
    BoxComment,
    BoxStatus,
    BoxTally,
    CountedReceipt,
    Participation,
    ScrutineerShare,
    SealedBallot,
    Slip,
)
from .slipkey import slip_key

MIN_SCRUTINEERS = 2
MIN_PASSPHRASE_CHARS = 8
MAX_CHOICES = 255  # a choice is one byte of the plaintext
MAX_KEY_CHARS = 64  # an item's or a choice's key (the tally's columns)
MAX_COMMENT_BYTES = 4000
MAX_BALLOT_BYTES = 256 * 1024
MAX_SLIPS_PER_PRINT = 2000
SLIPS_PER_PAGE = 8

USER_PARTICIPANT = re.compile(r"^user:\d+$")
SLIP_PARTICIPANT = re.compile(r"^[0-9a-f]{64}$")


class BallotRefused(ValidationError):
    """What a voter, a slip holder or the scrutineers are told when the box refuses; nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)


def participant_for_user(user) -> str:
    return f"user:{user.pk}"


def kdf_cost() -> dict[str, int]:
    """argon2id's costs for new shares (stored with each share; tests may lower them)."""
    return getattr(settings, "BALLOT_KDF_COST", crypto.DEFAULT_KDF_COST)


def _audit(box: BallotBox, actor, message: str, changes: dict | None = None) -> None:
    record(AuditAction.WORKFLOW, box, message=message, changes=changes,
           actor=actor_for(actor, current_actor().ip) if actor is not None else None)


def _layout(box: BallotBox) -> crypto.Layout:
    return crypto.Layout(tuple(box.items), tuple(box.choices), box.comment_max)


# --------------------------------------------------------------------- opening a box


def _check_keys(values: list[str], what: str) -> list[str]:
    values = [str(value) for value in values]
    if not values:
        raise ValidationError(_("%(what)s不能为空。") % {"what": what})
    if len(set(values)) != len(values):
        raise ValidationError(_("%(what)s有重复。") % {"what": what})
    if any(not value or len(value) > MAX_KEY_CHARS for value in values):
        raise ValidationError(_("%(what)s的编码长度应为 1 到 %(n)d 个字符。") % {"what": what, "n": MAX_KEY_CHARS})
    return values


@sensitive_variables()
def create_box(*, title: str, items: list[str], choices: list[str], scrutineers: list[tuple[object, str]],
               comment_max: int = 0, closes_at: datetime | None = None, actor=None) -> BallotBox:
    """Open a box for one electorate; ``scrutineers`` are (user, passphrase) pairs, all needed at close.

    ValidationError (Chinese message) for a box that could not be counted as asked.
    """
    items = _check_keys(items, _("评议对象"))
    choices = _check_keys(choices, _("选项"))
    if len(choices) > MAX_CHOICES:
        raise ValidationError(_("选项最多 %(n)d 个。") % {"n": MAX_CHOICES})
    if not 0 <= comment_max <= MAX_COMMENT_BYTES:
        raise ValidationError(_("意见长度上限应在 0 到 %(n)d 字节之间。") % {"n": MAX_COMMENT_BYTES})
    layout = crypto.Layout(tuple(items), tuple(choices), comment_max)
    if layout.length > MAX_BALLOT_BYTES:
        raise ValidationError(_("评议对象太多或意见上限太大，选票过长。"))
    users = [user for user, _passphrase in scrutineers]
    if len({user.pk for user in users}) != len(users):
        raise ValidationError(_("同一人不能重复担任监票人。"))
    if len(users) < MIN_SCRUTINEERS:
        raise ValidationError(_("至少需要 %(n)d 名监票人。") % {"n": MIN_SCRUTINEERS})
    if any(len(passphrase or "") < MIN_PASSPHRASE_CHARS for _user, passphrase in scrutineers):
        raise ValidationError(_("每名监票人的口令至少 %(n)d 个字符。") % {"n": MIN_PASSPHRASE_CHARS})

    private_key, public_key = crypto.new_keypair()
    shares = crypto.split(private_key, len(scrutineers))
    cost = kdf_cost()
    # argon2id runs here, before the transaction: nothing is locked meanwhile.
    sealed = [crypto.seal_share(share, passphrase, cost) for share, (_user, passphrase) in zip(shares, scrutineers)]
    del private_key, shares
    with transaction.atomic():
        box = BallotBox.objects.create(title=title, items=items, choices=choices, comment_max=comment_max,
                                       public_key=public_key, closes_at=closes_at)
        ScrutineerShare.objects.bulk_create(
            ScrutineerShare(box=box, scrutineer=user, salt=share.salt, time_cost=share.time_cost,
                            memory_cost=share.memory_cost, parallelism=share.parallelism,
                            sealed_share=share.sealed)
            for user, share in zip(users, sealed))
        storage.create_partition(box.pk)
        _audit(box, actor, _("开启投票箱"), {"scrutineers": [user.pk for user in users], "items": len(items),
                                            "choices": choices, "comment_max": comment_max})
    return box


# --------------------------------------------------------------------- voting


def _has_ended(box_closes_at: datetime | None) -> bool:
    return box_closes_at is not None and box_closes_at <= timezone.now()


@sensitive_variables()
def _checked_ballot(box: BallotBox, ratings: dict[str, str], comments: dict[str, str],
                    skip: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The ballot as it will be sealed, or BallotRefused: complete, known choices, comments that fit."""
    items = set(box.items)
    skip = set(skip)
    if not skip <= items:
        raise ValueError("skip names items the box does not have")
    if set(ratings) - items:
        raise BallotRefused(_("选票包含本次投票以外的评议对象，未予接受。"))
    if set(ratings) & skip:
        raise BallotRefused(_("不能评议本人，选票未予接受。"))
    missing = items - skip - set(ratings)
    if missing:
        raise BallotRefused(_("选票不完整：还有 %(n)d 项未评，请全部评完后再提交。") % {"n": len(missing)})
    choices = set(box.choices)
    if any(value not in choices for value in ratings.values()):
        raise BallotRefused(_("选票包含无效的选项，未予接受。"))
    kept = {}
    for item, text in comments.items():
        text = str(text or "").strip()
        if not text:
            continue
        if item not in items or item in skip:
            raise BallotRefused(_("意见对应的评议对象无效，选票未予接受。"))
        if not box.comment_max:
            raise BallotRefused(_("本次投票不收集意见。"))
        if len(text.encode("utf-8")) > box.comment_max:
            raise BallotRefused(_("意见过长：每条最多 %(bytes)d 字节（约 %(chars)d 个汉字）。")
                                % {"bytes": box.comment_max, "chars": box.comment_max // 3})
        kept[item] = text
    return ratings, kept


def _lock_for_cast(box: BallotBox, participant: str) -> tuple[str, bool, bool, bool]:
    """(status, ended, is a slip of this box, slip voided), the box held FOR SHARE on PostgreSQL.

    FOR SHARE lets casts run side by side and makes ``close_box``'s FOR UPDATE wait for them (and
    them for it): no ballot is written into a box being counted.
    """
    pk = BallotBox._meta.pk.get_db_prep_value(box.pk, connection)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    lock = " FOR SHARE OF b" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b.status, CASE WHEN b.closes_at IS NOT NULL AND b.closes_at <= %s THEN 1 ELSE 0 END,"
            " s.id, s.voided_at FROM ballots_ballotbox b"
            " LEFT JOIN ballots_slip s ON s.box_id = b.id AND s.digest = %s"
            f" WHERE b.id = %s{lock}",
            [now, participant, pk])
        row = cursor.fetchone()
    if row is None:
        raise BallotRefused(_("该投票不存在。"))
    status, ended, slip_id, voided_at = row
    return status, bool(ended), slip_id is not None, voided_at is not None


def _insert_participation(box: BallotBox, participant: str) -> bool:
    """Whether the participation was new: ON CONFLICT DO NOTHING, so a second vote is no error."""
    table = Participation._meta.db_table
    pk_field = Participation._meta.pk
    box_field = Participation._meta.get_field("box")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, box_id, participant) VALUES (%s, %s, %s)"
            " ON CONFLICT (box_id, participant) DO NOTHING",
            [pk_field.get_db_prep_value(pk_field.get_default(), connection),
             box_field.get_db_prep_value(box.pk, connection), participant])
        return cursor.rowcount == 1


@sensitive_variables()
def cast(box: BallotBox, *, participant: str, ratings: dict[str, str], comments: dict[str, str] | None = None,
         skip: Iterable[str] = frozenset()) -> str:
    """Seal and store one ballot; returns its receipt. BallotRefused (and nothing written) otherwise.

    ``participant`` is ``participant_for_user(user)`` or what ``redeem`` returned for a slip;
    ``ratings`` covers every item but those in ``skip`` (the voter themself).
    """
    if not (USER_PARTICIPANT.match(participant) or SLIP_PARTICIPANT.match(participant)):
        raise ValueError("participant is neither participant_for_user(user) nor a redeemed slip")
    if not box.is_open or _has_ended(box.closes_at):  # checked again under the lock below
        raise BallotRefused(_("投票已结束，选票未予接受。"))
    ratings, comments = _checked_ballot(box, ratings, comments or {}, skip)
    plaintext = crypto.encode(_layout(box), ratings, comments)
    ciphertext = crypto.seal(bytes(box.public_key), plaintext)
    with transaction.atomic():
        status, ended, is_slip_of_box, voided = _lock_for_cast(box, participant)
        if status != BoxStatus.OPEN or ended:
            raise BallotRefused(_("投票已结束，选票未予接受。"))
        if SLIP_PARTICIPANT.match(participant):
            if not is_slip_of_box:
                raise BallotRefused(_("该凭条不属于本次投票。"))
            if voided:
                raise BallotRefused(_("该凭条已作废。"))
        if not _insert_participation(box, participant):
            raise BallotRefused(_("您已投过票，每人只能投一次。"))
        SealedBallot.objects.create(box_id=box.pk, ciphertext=ciphertext)
    return crypto.receipt(ciphertext)


def has_voted(box: BallotBox, participant: str) -> bool:
    return Participation.objects.filter(box=box, participant=participant).exists()


def turnout(box: BallotBox) -> int:
    return Participation.objects.filter(box=box).count()


@dataclass(frozen=True)
class BoxTurnout:
    """A box's counts of participation: ballots cast, slips issued, used and voided."""

    voted: int = 0
    issued: int = 0
    used: int = 0
    voided: int = 0

    @property
    def slips(self) -> dict[str, int]:
        """As ``slip_counts`` answers them."""
        return {"issued": self.issued, "used": self.used, "voided": self.voided}


def turnouts(box_ids: Iterable[UUID | None]) -> dict[UUID, BoxTurnout]:
    """Each box's ``BoxTurnout`` by id, in two queries however many boxes (a None id is skipped).

    For a page that shows many boxes (a survey's orgs, a round's two electorates) instead of
    ``turnout`` and ``slip_counts`` per box. A box without ballots or slips gets zeros.
    """
    ids = {box_id for box_id in box_ids if box_id is not None}
    if not ids:
        return {}
    voted = dict(Participation.objects.filter(box_id__in=ids).values("box_id")
                 .annotate(n=Count("pk")).values_list("box_id", "n"))
    used = Exists(Participation.objects.filter(box_id=OuterRef("box_id"), participant=OuterRef("digest")))
    slips = {box_id: counts for box_id, *counts in Slip.objects.filter(box_id__in=ids).values("box_id").annotate(
        issued=Count("pk"), used=Count("pk", filter=Q(used)), voided=Count("pk", filter=Q(voided_at__isnull=False)),
    ).values_list("box_id", "issued", "used", "voided")}
    return {box_id: BoxTurnout(voted.get(box_id, 0), *slips.get(box_id, (0, 0, 0))) for box_id in ids}


# --------------------------------------------------------------------- slips


def issue_slips(box: BallotBox, n: int, *, actor) -> list[str]:
    """``n`` new slips; their codes are returned this once (for ``slips_pdf``) and stored only as HMACs."""
    if not 1 <= n <= MAX_SLIPS_PER_PRINT:
        raise ValidationError(_("每次可印制 1 到 %(n)d 张凭条。") % {"n": MAX_SLIPS_PER_PRINT})
    key = slip_key()
    codes = set()
    while len(codes) < n:
        codes.add(crypto.new_slip_code())
    codes = list(codes)
    with transaction.atomic():
        locked = BallotBox.objects.select_for_update().get(pk=box.pk)
        if locked.status != BoxStatus.OPEN:
            raise BallotRefused(_("投票已结束，不能再印制凭条。"))
        first = (Slip.objects.filter(box=box).aggregate(last=Max("number"))["last"] or 0) + 1
        Slip.objects.bulk_create(Slip(box=box, number=first + i, digest=crypto.slip_digest(key, code))
                                 for i, code in enumerate(codes))
        _audit(box, actor, _("印制投票凭条 %(n)d 张（第 %(first)d–%(last)d 号）")
               % {"n": n, "first": first, "last": first + n - 1})
    return codes


def _digest_of(code: str) -> str:
    """The HMAC a typed code is stored as, or "" for what cannot be a code."""
    code = crypto.normalise_code(code or "")
    if len(code) != crypto.SLIP_CODE_LENGTH or any(ch not in crypto.CODE_ALPHABET for ch in code):
        return ""
    return crypto.slip_digest(slip_key(), code)


def _slip_for(code: str) -> tuple[str, Slip | None]:
    digest = _digest_of(code)
    if not digest:
        return "", None
    return digest, Slip.objects.select_related("box").filter(digest=digest).first()


def redeem(code: str) -> tuple[BallotBox, str]:
    """The box a typed or scanned code votes in, and the participant to ``cast`` with; else BallotRefused."""
    digest, slip = _slip_for(code)
    if slip is None:
        raise BallotRefused(_("凭条码无效，请核对后重新输入。"))
    if slip.voided_at is not None:
        raise BallotRefused(_("该凭条已作废。"))
    if not slip.box.is_open or _has_ended(slip.box.closes_at):
        raise BallotRefused(_("投票已结束，该凭条已失效。"))
    if has_voted(slip.box, digest):
        raise BallotRefused(_("该凭条已使用，每张凭条只能投一次。"))
    return slip.box, digest


def void_slip(box: BallotBox, slip_pk: int, *, actor) -> None:
    """Void an unused slip (lost, spoiled): its code no longer votes."""
    with transaction.atomic():
        # FOR UPDATE on the box waits for casts in progress: a slip is either used or voided.
        locked = BallotBox.objects.select_for_update().get(pk=box.pk)
        slip = Slip.objects.select_for_update().filter(box=box, pk=slip_pk).first()
        if slip is None:
            raise BallotRefused(_("该凭条不存在。"))
        if locked.status != BoxStatus.OPEN:
            raise BallotRefused(_("投票已结束，凭条已全部失效。"))
        if slip.voided_at is not None:
            raise BallotRefused(_("该凭条已作废。"))
        if has_voted(box, slip.digest):
            raise BallotRefused(_("该凭条已使用，不能作废。"))
        slip.voided_at = timezone.now()
        slip.save(update_fields=["voided_at"])
        _audit(box, actor, _("作废投票凭条第 %(number)d 号") % {"number": slip.number})


def slip_counts(box: BallotBox) -> dict[str, int]:
    """{"issued", "used", "voided"}: counts only."""
    slips = Slip.objects.filter(box=box)
    return {
        "issued": slips.count(),
        "used": Participation.objects.filter(box=box, participant__in=slips.values("digest")).count(),
        "voided": slips.filter(voided_at__isnull=False).count(),
    }


def _rows(slips) -> list[dict]:
    used = Participation.objects.filter(box_id=OuterRef("box_id"), participant=OuterRef("digest"))
    rows = slips.annotate(used=Exists(used)).order_by("number")
    return [{"pk": pk, "number": number, "state": "voided" if voided else "used" if was_used else "unused"}
            for pk, number, voided, was_used in rows.values_list("pk", "number", "voided_at", "used")]


def slip_rows(box: BallotBox) -> list[dict]:
    """The box's slips by number, each {"pk", "number", "state"} ("unused", "used" or "voided"): what
    a page lists to void a lost slip (one query). The codes themselves are not kept."""
    return _rows(Slip.objects.filter(box=box))


PRINTED_NUMBER = re.compile(r"^第?\s*(\d{1,9})\s*号?$")  # a code has ten characters: never nine digits or fewer


def find_slip(box: BallotBox, reference: str) -> dict | None:
    """The slip of ``box`` named as it reads on paper, as ``slip_rows`` lists it; None if the box has none.

    ``reference`` is the number printed on it ("12", "第 12 号") or its code as typed (any case,
    with or without the space or hyphen): a spoiled slip handed back shows both, a lost one is
    known by its number from the list of who got which.
    """
    reference = (reference or "").strip()
    number = PRINTED_NUMBER.match(reference)
    if number:
        slips = Slip.objects.filter(box=box, number=int(number.group(1)))
    else:
        digest = _digest_of(reference)
        if not digest:
            return None
        slips = Slip.objects.filter(box=box, digest=digest)
    found = _rows(slips)
    return found[0] if found else None


def slip_to_void(box: BallotBox, reference: str) -> dict:
    """``find_slip``, refused (BallotRefused, naming the slip) unless the box is open and the slip
    unused: what a page shows for confirmation. ``void_slip`` checks again under its lock."""
    if not box.is_open:
        raise BallotRefused(_("投票已结束，凭条已全部失效。"))
    slip = find_slip(box, reference)
    if slip is None:
        raise BallotRefused(_("没有这张凭条，请核对凭条序号或凭条码。"))
    if slip["state"] == "used":
        raise BallotRefused(_("第 %(n)d 号凭条已使用，不能作废。") % {"n": slip["number"]})
    if slip["state"] == "voided":
        raise BallotRefused(_("第 %(n)d 号凭条已作废。") % {"n": slip["number"]})
    return slip


def slips_pdf(box: BallotBox, codes: list[str], *, vote_url: str) -> bytes:
    """The slips of ``codes`` (from ``issue_slips``) as an A4 PDF, 8 a page, for cutting.

    ``vote_url`` is the absolute address of the public ballot page with ``{code}`` after its ``#``
    (e.g. ``https://host/appraisal/vote/#{code}``: after ``#`` the code never reaches access
    logs); each slip carries it as a QR code, under it the address before the ``#`` as text for
    a voter without a QR reader to type, and the code to type there, in groups of five.
    """
    address, _hash, fragment = vote_url.partition("#")
    if "{code}" not in fragment:
        raise ValueError("vote_url needs a {code} placeholder after its '#' (a code in a path or query is logged)")
    import segno
    import weasyprint
    from weasyprint.urls import URLFetcher

    key = slip_key()
    wanted = {crypto.slip_digest(key, crypto.normalise_code(code)): crypto.normalise_code(code) for code in codes}
    numbers = dict(Slip.objects.filter(box=box, digest__in=list(wanted)).values_list("digest", "number"))
    if len(numbers) != len(wanted):
        raise ValueError("some codes are not slips of this box")
    slips = sorted(
        ({"number": numbers[digest], "code": crypto.format_code(code),
          "qr": segno.make(vote_url.format(code=code), error="m").svg_data_uri(scale=4, border=2)}
         for digest, code in wanted.items()),
        key=lambda slip: slip["number"])
    pages = [slips[i:i + SLIPS_PER_PAGE] for i in range(0, len(slips), SLIPS_PER_PAGE)]
    html = render_to_string("ballots/slips_pdf.html", {"box": box, "pages": pages, "address": address})
    fetcher = URLFetcher(allowed_protocols=("data",), fail_on_errors=True)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


# --------------------------------------------------------------------- closing


@sensitive_variables()
def _private_key(box: BallotBox, passphrases: dict[int, str]):
    """The box's private key from every scrutineer's passphrase; BallotRefused, naming who, otherwise."""
    passphrases = {int(user_id): passphrase for user_id, passphrase in passphrases.items()}  # ids from a form
    shares = list(box.shares.select_related("scrutineer").order_by("pk"))
    if not shares:
        raise BallotRefused(_("该投票已计票，密钥份额已销毁。"))
    missing = [share.scrutineer for share in shares if not passphrases.get(share.scrutineer_id)]
    if missing:
        raise BallotRefused(_("需要全部监票人输入口令，尚缺：%(names)s。")
                            % {"names": "、".join(_name(user) for user in missing)})
    opened, wrong = [], []
    for share in shares:
        sealed = crypto.SealedShare(bytes(share.salt), share.time_cost, share.memory_cost, share.parallelism,
                                    bytes(share.sealed_share))
        try:
            opened.append(crypto.open_share(sealed, passphrases[share.scrutineer_id]))
        except crypto.ShareError:
            wrong.append(share.scrutineer)
    if wrong:
        raise BallotRefused(_("监票人口令不正确：%(names)s。未做任何更改。")
                            % {"names": "、".join(_name(user) for user in wrong)})
    try:
        return crypto.join(opened, bytes(box.public_key))
    except crypto.ShareError:
        raise BallotRefused(_("密钥份额无法组合成本投票的私钥，未做任何更改。")) from None


def _name(user) -> str:
    full = getattr(user, "get_full_name", lambda: "")()
    return full or user.get_username()


def _lock_open(box: BallotBox) -> BallotBox:
    locked = BallotBox.objects.select_for_update().get(pk=box.pk)
    if locked.status != BoxStatus.OPEN:
        raise BallotRefused(_("该投票已计票。"))
    return locked


def _zero_counts(box: BallotBox) -> dict[str, dict[str, int]]:
    return {item: dict.fromkeys(box.choices, 0) for item in box.items}


CLOSING_FIELDS = ("status", "closed_at", "ballots_counted", "counted_on_paper")


def _finish(box: BallotBox, counts: dict[str, dict[str, int]], ballots: int, *, on_paper: bool) -> None:
    """Inside the closing transaction: the tally written, the box closed, the shares and ballots gone."""
    BoxTally.objects.bulk_create(BoxTally(box=box, item=item, choice=choice, count=count)
                                 for item, row in counts.items() for choice, count in row.items())
    box.status = BoxStatus.CLOSED
    box.closed_at = timezone.now()
    box.ballots_counted = ballots
    box.counted_on_paper = on_paper
    box.save(update_fields=CLOSING_FIELDS)
    ScrutineerShare.objects.filter(box=box).delete()
    storage.erase_sealed(box.pk)


def _closed_as(caller: BallotBox, locked: BallotBox) -> None:
    """The caller's instance says what the database now says."""
    for name in CLOSING_FIELDS:
        setattr(caller, name, getattr(locked, name))


@sensitive_variables()
def close_box(box: BallotBox, passphrases: dict[int, str], *, actor) -> None:
    """Count the box with every scrutineer's passphrase (by user id), in one transaction.

    Every sealed ballot is opened in memory and only counts, shuffled comments and shuffled
    receipts are written; then the shares and the sealed ballots are destroyed (the partition
    dropped). A wrong passphrase, or any failure on the way, leaves the box open and unchanged.
    """
    private_key = _private_key(box, passphrases)
    layout = _layout(box)
    opener = crypto.opener(private_key)
    shuffle = secrets.SystemRandom().shuffle
    with transaction.atomic():
        locked = _lock_open(box)
        storage.use_secure_delete()  # SQLite: the shares' rows are zeroed too
        counts = _zero_counts(box)
        found_comments: list[tuple[str, str]] = []
        receipts: list[str] = []
        for ciphertext in SealedBallot.objects.filter(box_id=box.pk).values_list("ciphertext", flat=True).iterator():
            ciphertext = bytes(ciphertext)
            try:
                ratings, comments = crypto.decode(layout, opener.decrypt(ciphertext))
            except (CryptoError, ValueError):
                raise BallotRefused(_("有选票无法解读（可能被篡改），计票中止，未做任何更改。")) from None
            for item, choice in ratings.items():
                counts[item][choice] += 1
            found_comments.extend(comments.items())
            receipts.append(crypto.receipt(ciphertext))
        if len(receipts) != turnout(box):
            raise BallotRefused(_("选票张数与投票人数不一致（可能被篡改），计票中止，未做任何更改。"))
        shuffle(found_comments)
        shuffle(receipts)
        BoxComment.objects.bulk_create(BoxComment(box=box, item=item, text=text) for item, text in found_comments)
        CountedReceipt.objects.bulk_create(CountedReceipt(box=box, receipt=receipt) for receipt in receipts)
        _finish(locked, counts, len(receipts), on_paper=False)
        _audit(locked, actor, _("计票：计入选票 %(n)d 张") % {"n": len(receipts)})
    _closed_as(box, locked)


def record_counts(box: BallotBox, counts: dict[str, dict[str, int]], *, actor) -> None:
    """A paper round's tally (the caller has compared the two scrutineers' entries) instead of ballots.

    ``counts`` gives every item every choice's count (a missing choice is 0). The box must have
    taken no electronic ballot. ``ballots_counted`` becomes the largest number of ballots any
    item was rated on (a ballot may skip the voter themself).
    """
    items, choices = set(box.items), set(box.choices)
    if set(counts) != items:
        raise ValidationError(_("纸质计票结果须包含每一个评议对象。"))
    full = _zero_counts(box)
    for item, row in counts.items():
        if set(row) - choices:
            raise ValidationError(_("纸质计票结果包含无效的选项。"))
        for choice, count in row.items():
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise ValidationError(_("票数应为非负整数。"))
            full[item][choice] = count
    ballots = max((sum(row.values()) for row in full.values()), default=0)
    with transaction.atomic():
        locked = _lock_open(box)
        if turnout(box):
            raise BallotRefused(_("本投票已有电子选票，不能录入纸质计票结果。"))
        storage.use_secure_delete()
        _finish(locked, full, ballots, on_paper=True)
        _audit(locked, actor, _("录入纸质计票结果：%(n)d 张选票") % {"n": ballots}, {"counts": full})
    _closed_as(box, locked)


# --------------------------------------------------------------------- results (after close only)


def _require_closed(box: BallotBox) -> None:
    if box.status != BoxStatus.CLOSED:
        box.refresh_from_db(fields=CLOSING_FIELDS)
    if box.status != BoxStatus.CLOSED:
        raise BallotRefused(_("投票尚未计票，结果不可查看。"))


def tally(box: BallotBox) -> dict[str, dict[str, int]]:
    """{item: {choice: count}}, every item and choice present."""
    _require_closed(box)
    counts = _zero_counts(box)
    for item, choice, count in BoxTally.objects.filter(box=box).values_list("item", "choice", "count"):
        counts[item][choice] = count
    return counts


def comments(box: BallotBox) -> dict[str, list[str]]:
    """{item: [comment, …]} in no meaningful order (shuffled at close); items without comments absent."""
    _require_closed(box)
    found: dict[str, list[str]] = {}
    for item, text in BoxComment.objects.filter(box=box).order_by("pk").values_list("item", "text"):
        found.setdefault(item, []).append(text)
    return found


def counted_receipts(box: BallotBox) -> set[str]:
    _require_closed(box)
    return set(CountedReceipt.objects.filter(box=box).values_list("receipt", flat=True))


def ballots_counted(box: BallotBox) -> int:
    _require_closed(box)
    return box.ballots_counted
