"""A box with two scrutineers, its voters, and a random electorate's ballots with their expected tally."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from tests.factories import make_user
from vanguard.ballots import services
from vanguard.ballots.models import BallotBox

GRADES = ["excellent", "qualified", "basic", "unqualified"]
PASSPHRASES = ("红旗渠-first-scrutineer", "second-scrutineer-口令")


@dataclass
class Box:
    box: BallotBox
    scrutineers: list
    passphrases: dict[int, str]

    def close(self, actor=None):
        services.close_box(self.box, self.passphrases, actor=actor or self.scrutineers[0])


def open_box(scrutineers, *, items=("p1", "p2", "p3"), choices=tuple(GRADES), comment_max=0, **kwargs) -> Box:
    box = services.create_box(title="2026年度民主评议党员（党员）", items=list(items), choices=list(choices),
                              scrutineers=list(zip(scrutineers, PASSPHRASES, strict=True)),
                              comment_max=comment_max, actor=scrutineers[0], **kwargs)
    return Box(box, scrutineers, {user.pk: passphrase for user, passphrase in zip(scrutineers, PASSPHRASES)})


@pytest.fixture
def scrutineers(db):
    return [make_user("scrutineer-a", first_name="监票甲"), make_user("scrutineer-b", first_name="监票乙")]


@pytest.fixture
def ballot_box(scrutineers):
    return open_box(scrutineers)


@dataclass
class Electorate:
    """Random complete ballots (each voter skips their own item) and what they must add up to."""

    ballots: list[tuple[str, dict[str, str], set[str]]] = field(default_factory=list)
    expected: dict[str, dict[str, int]] = field(default_factory=dict)


def random_electorate(box: BallotBox, voters: int, seed: int = 7) -> Electorate:
    rng = random.Random(seed)
    electorate = Electorate(expected={item: dict.fromkeys(box.choices, 0) for item in box.items})
    for n in range(voters):
        skip = {box.items[n % len(box.items)]} if n % 3 else set()
        ratings = {item: rng.choice(box.choices) for item in box.items if item not in skip}
        for item, choice in ratings.items():
            electorate.expected[item][choice] += 1
        electorate.ballots.append((f"user:{100000 + n}", ratings, skip))
    return electorate


def cast_all(box: BallotBox, electorate: Electorate) -> list[str]:
    return [services.cast(box, participant=participant, ratings=ratings, skip=skip)
            for participant, ratings, skip in electorate.ballots]
