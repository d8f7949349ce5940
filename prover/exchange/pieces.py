"""Splitting users' balances over several leaves (`por prove --split K`, OKX's split-and-shuffle; SPEC §1).

Each user gets between 1 and K leaves (the count drawn from the round's seed), and each of their balances is cut
at random points into that many non-negative integer pieces that add up to it exactly. With the shuffle and
padding, the leaf count then says even less about how many users there are and what any one holds. A user's
inclusion proof carries every one of their leaves, in order, each committing to its position (k, K) among them
(circuits.tree_hash.id_commitment); the verifier checks each and shows the sum.

A margin user's slots (free equity, debt, collateral per kind) are cut by the same proportions, one set of cut
points per user shared by all their slots (`solvent_split`): every leaf then holds about the same fraction of
the user's debt and of each collateral, and since a tier list's haircut value is concave (percentages never
increase band by band), a fraction of a solvent user is solvent but for the rounding of the integer cuts. Each
cut leaf is checked; a user with a leaf that fails is cut again from another stream, and after ATTEMPTS failed
cuts keeps one leaf, which is solvent since the user is. Collateral never exceeds equity in a leaf, as its free
equity slot is a non-negative piece.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from prover.exchange.leaf_order import random_words

MAX_SPLIT = 64
ATTEMPTS = 8  # cuts drawn for a margin user before they keep one leaf


@dataclass(frozen=True)
class Pieces:
    owner: np.ndarray  # (P,) int64: the user (row of the users table) each leaf belongs to, users in order
    number: np.ndarray  # (P,) int64: the leaf's position among its user's leaves, 0 first
    balances: np.ndarray  # (P, A) uint64: the leaf's balances; per user and asset they sum to the user's balance

    @property
    def count(self) -> np.ndarray:
        """(P,) int64: the number K of leaves of each leaf's user (its id commitment binds (number, K))."""
        return np.bincount(self.owner)[self.owner]


def split_balances(balances: np.ndarray, most: int, seed: bytes, proportional: bool = False,
                   attempt: int = 0) -> Pieces:
    """Users' (U, A) balances over 1..`most` leaves each, cut at uniformly random points (exact integers): each
    balance on its own, or with `proportional` every balance of a user at the same fractions (the cuts of stream
    `attempt`; the leaf counts are the same for every attempt)."""
    if type(most) is not int or not 1 <= most <= MAX_SPLIT:
        raise ValueError(f"a user's balances split over 1 to {MAX_SPLIT} leaves, not {most!r}")
    users, assets = balances.shape
    counts = (random_words(seed, b"split-counts", users) % np.uint64(most)).astype(np.int64) + 1
    owner = np.repeat(np.arange(users, dtype=np.int64), counts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    number = np.arange(len(owner), dtype=np.int64) - np.repeat(starts, counts)
    # Per leaf and asset, a cut point in [0, b]: floor(b * w / 2^32) for a uniform 32-bit w, computed in 64-bit
    # halves (b < 2^63). A user's last leaf is cut at b itself, so the pieces are the gaps between sorted cuts.
    total = np.repeat(np.asarray(balances, dtype=np.uint64), counts, axis=0)
    if proportional:
        w = random_words(seed, b"split-shares:%d" % attempt, len(owner)).reshape(-1, 1) >> np.uint64(32)
    else:
        w = random_words(seed, b"split-cuts", total.size).reshape(total.shape) >> np.uint64(32)
    cuts = (total >> np.uint64(32)) * w + (((total & np.uint64(0xFFFF_FFFF)) * w) >> np.uint64(32))
    last = number == np.repeat(counts - 1, counts)
    cuts[last] = total[last]
    sorted_cuts = np.empty_like(cuts)
    for j in range(assets):  # owners are contiguous and increasing: sorting by (owner, cut) sorts within each user
        sorted_cuts[:, j] = cuts[np.lexsort((cuts[:, j], owner)), j]
    previous = np.vstack([np.zeros((1, assets), dtype=np.uint64), sorted_cuts[:-1]])
    previous[number == 0] = 0
    return Pieces(owner, number, sorted_cuts - previous)


def solvent_split(slots: np.ndarray, most: int, seed: bytes, solvent: Callable[[np.ndarray], np.ndarray]) -> Pieces:
    """Margin users' (U, S) slots over 1..`most` leaves each, cut proportionally, every leaf `solvent` (a (P, S)
    -> (P,) bool check): a user with a failing leaf takes the next attempt's cuts, and after ATTEMPTS one leaf."""
    users = len(slots)
    chosen = np.full(users, -1, dtype=np.int64)
    drawn = []
    for attempt in range(ATTEMPTS if most > 1 else 0):
        pieces = split_balances(slots, most, seed, proportional=True, attempt=attempt)
        failing = np.bincount(pieces.owner, weights=(~solvent(pieces.balances)).astype(np.float64), minlength=users) > 0
        chosen[(chosen < 0) & ~failing] = attempt
        drawn.append(pieces)
        if (chosen >= 0).all():
            break
    whole = Pieces(np.arange(users, dtype=np.int64), np.zeros(users, dtype=np.int64),
                   np.asarray(slots, dtype=np.uint64))
    parts = [(p, chosen[p.owner] == attempt) for attempt, p in enumerate(drawn)] + [(whole, chosen < 0)]
    owner, number, balances = (np.concatenate([getattr(p, name)[keep] for p, keep in parts])
                               for name in ("owner", "number", "balances"))
    order = np.lexsort((number, owner))
    return Pieces(owner[order], number[order], balances[order])
