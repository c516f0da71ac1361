"""The tables of a ballot box. What each may hold is the point of the design (docs/BALLOTS.md):

- nothing links a participation to a sealed ballot but the moment they were written, and the
  sealed ballot is readable only with every scrutineer's passphrase;
- participations and sealed ballots have random keys (no sequence, no timestamp) so that neither
  key order nor a clock orders them with the voters;
- a sealed ballot exists only while its box is open: closing counts it and then removes it, on
  PostgreSQL with the box's whole partition of ``ballots_sealedballot`` (migration 0001);
- after close the box keeps counts, unlinked comments and the receipts counted — never a ballot.

Every model is unscoped: nobody reaches a box through a grant; the appraisal round or survey that
owns a box decides who may see its turnout and, after close, its results.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

OWNER_DECIDES = "reached only through the appraisal round or survey that owns the box, whose policy applies"


class BoxStatus(models.TextChoices):
    OPEN = "open", _("投票中")
    CLOSED = "closed", _("已计票")


class BallotBox(models.Model):
    """One electorate's box: what is rated (``items``), with which answers (``choices``)."""

    # Random: a box's id says nothing about when it was opened or how many exist.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("名称"), max_length=200)
    items = models.JSONField(_("评议对象"), default=list)
    choices = models.JSONField(_("选项"), default=list)
    comment_max = models.PositiveIntegerField(_("意见最大字节数"), default=0)
    status = models.CharField(_("状态"), max_length=10, choices=BoxStatus.choices, default=BoxStatus.OPEN)
    # The round's X25519 public key (libsodium sealed boxes); its private key exists only as shares.
    public_key = models.BinaryField(_("公钥"), max_length=32)
    closes_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("开启时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("计票时间"), null=True, blank=True)
    ballots_counted = models.PositiveIntegerField(_("计入选票数"), default=0)
    counted_on_paper = models.BooleanField(_("纸质计票"), default=False)

    unscoped = OWNER_DECIDES

    class Meta:
        verbose_name = _("投票箱")
        verbose_name_plural = _("投票箱")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == BoxStatus.OPEN


class ScrutineerShare(models.Model):
    """One scrutineer's share of the box's private key, sealed under a key derived from their passphrase.

    All shares XOR to the private key. Each is encrypted with a secretbox key derived by argon2id from
    the passphrase and ``salt`` with the costs stored beside it (costs may rise; old shares keep theirs).
    Deleted at close.
    """

    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="shares")
    scrutineer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("监票人"))
    salt = models.BinaryField(max_length=16)
    time_cost = models.PositiveIntegerField()
    memory_cost = models.PositiveIntegerField()  # KiB
    parallelism = models.PositiveSmallIntegerField()
    sealed_share = models.BinaryField()

    unscoped = OWNER_DECIDES

    class Meta:
        verbose_name = _("监票人密钥份额")
        verbose_name_plural = _("监票人密钥份额")
        constraints = [models.UniqueConstraint(fields=["box", "scrutineer"], name="ballots_one_share_per_scrutineer")]


class Participation(models.Model):
    """That ``participant`` ("user:<id>" or a slip's HMAC) has voted in ``box``: no time, no ballot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="+")
    participant = models.CharField(max_length=80)

    unscoped = OWNER_DECIDES

    class Meta:
        verbose_name = _("投票记录")
        verbose_name_plural = _("投票记录")
        constraints = [models.UniqueConstraint(fields=["box", "participant"], name="ballots_one_vote_each")]


class SealedBallot(models.Model):
    """A ballot while its box is open: fixed-width plaintext sealed to the box's public key.

    No voter, no time, a random key. On PostgreSQL the table is partitioned by ``box`` (the
    primary key there is (box_id, id)); each box's partition is created with the box and dropped
    at close.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="+")
    ciphertext = models.BinaryField()

    unscoped = OWNER_DECIDES

    class Meta:
        verbose_name = _("密封选票")
        verbose_name_plural = _("密封选票")


class Slip(models.Model):
    """A one-time voting slip for the masses: its code is stored only as an HMAC (key outside the database).

    ``number`` is printed on the slip so that a lost one can be voided; it is used when a
    participation carries its digest.
    """

    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="slips")
    number = models.PositiveIntegerField(_("序号"))
    digest = models.CharField(max_length=64, unique=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    unscoped = OWNER_DECIDES

    class Meta:
        verbose_name = _("投票凭条")
        verbose_name_plural = _("投票凭条")
        constraints = [models.UniqueConstraint(fields=["box", "number"], name="ballots_slip_number_unique")]


class BoxTally(models.Model):
    """How many ballots gave ``choice`` to ``item``: written at close, the only trace of the ballots."""

    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="tallies")
    item = models.CharField(max_length=64)
    choice = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)

    unscoped = OWNER_DECIDES

    class Meta:
        verbose_name = _("计票结果")
        verbose_name_plural = _("计票结果")
        constraints = [models.UniqueConstraint(fields=["box", "item", "choice"], name="ballots_tally_unique")]


class BoxComment(models.Model):
    """A comment on ``item``, written at close in shuffled order under a random key: linked to no ballot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="comments")
    item = models.CharField(max_length=64)
    text = models.TextField()

    unscoped = OWNER_DECIDES

    class Meta:
        verbose_name = _("意见")
        verbose_name_plural = _("意见")


class CountedReceipt(models.Model):
    """A receipt whose sealed ballot was counted (published at close, in shuffled order)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="receipts")
    receipt = models.CharField(max_length=32)

    unscoped = OWNER_DECIDES

    class Meta:
        verbose_name = _("已计入回执")
        verbose_name_plural = _("已计入回执")
        constraints = [models.UniqueConstraint(fields=["box", "receipt"], name="ballots_receipt_unique")]
