"""What one proof of a round's tree establishes about a contiguous range of its leaves, and how an aggregation
layer combines its children's claims (docs/RECURSION.md, section 3). This is the reference the verifier AIR's
public inputs follow: a layer proves exactly `combine(children)`, so a user's inclusion proof (whose siblings
continue above the shard's root) verifies against the aggregated root unchanged.

A claim has a fixed layout of field elements (`elements`), whatever the round's name or asset symbols: the round
enters as one digest (`round_id`, over the same header the published root binds), totals as 32-bit limbs. A child
of another round, at another position, reordered, or with a total off by 1 or by p is another claim, and
`combine` refuses every mismatch by name, as the circuit's constraints will.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from circuits.field import P
from circuits.tree_hash import (
    DIGEST_ELEMENTS,
    DOMAIN_ROUND_ID,
    Digest,
    bytes_to_elements,
    node_digest,
    round_root,
    sponge,
)

LIMB_BITS = 32
TOTAL_LIMBS = 3  # a total is below N * 2^63 <= 2^94 for N <= 2^31 leaves
TOP_LIMB_BITS = 30  # so the top limb is below 2^30: the bound under which a shard's high sum is exact
MAX_TOTAL = 1 << (LIMB_BITS * (TOTAL_LIMBS - 1) + TOP_LIMB_BITS)


class ClaimError(ValueError):
    pass


# Where things are in `SubtreeClaim.elements()`: round digest, shards, first, count, leaves, root, total limbs.
ROUND_AT, SHARDS_AT, FIRST_AT, COUNT_AT, LEAVES_AT, ROOT_AT = 0, 4, 5, 6, 7, 8
TOTALS_AT = ROOT_AT + DIGEST_ELEMENTS


def round_id(header: bytes) -> Digest:
    """The round as one digest: the sponge of `circuits.tree_hash.round_header(...)`, domain-separated."""
    return sponge(DOMAIN_ROUND_ID, bytes_to_elements(header))


def total_limbs(total: int) -> tuple[int, ...]:
    """A total as TOTAL_LIMBS little-endian 32-bit limbs (each a canonical element; no two totals share them)."""
    if not 0 <= total < MAX_TOTAL:
        raise ClaimError(f"total {total} outside [0, 2^{LIMB_BITS * TOTAL_LIMBS})")
    return tuple((total >> (LIMB_BITS * i)) & ((1 << LIMB_BITS) - 1) for i in range(TOTAL_LIMBS))


@dataclass(frozen=True)
class SubtreeClaim:
    """Shards `first .. first + count - 1` of a round of `shards` shards (its `round` digest) form a subtree of
    `leaves` leaves with root `root` and these exact per-slot totals (one per asset; a margin round's per slot)."""

    round: Digest
    shards: int
    first: int
    count: int
    leaves: int
    root: Digest
    totals: tuple[int, ...]

    def __post_init__(self):
        for name, value in (("shards", self.shards), ("count", self.count), ("leaves", self.leaves)):
            if not isinstance(value, int) or value < 1 or value & (value - 1):
                raise ClaimError(f"{name} {value!r} is not a power of two")
        if not 0 <= self.first or self.first % self.count or self.first + self.count > self.shards:
            raise ClaimError(f"shards {self.first}..{self.first + self.count - 1} are not an aligned range of "
                             f"the round's {self.shards}")
        for name, digest in (("round", self.round), ("root", self.root)):
            if len(digest) != DIGEST_ELEMENTS or any(not 0 <= x < P for x in digest):
                raise ClaimError(f"{name} is not {DIGEST_ELEMENTS} canonical field elements")
        if not self.totals:
            raise ClaimError("a claim has at least one total")
        for total in self.totals:
            total_limbs(total)

    def elements(self) -> list[int]:
        """The claim as public inputs, a fixed layout for a given slot count (the `*_AT` offsets)."""
        return [*self.round, self.shards, self.first, self.count, self.leaves, *self.root,
                *(limb for total in self.totals for limb in total_limbs(total))]

    @classmethod
    def from_elements(cls, elements: Sequence[int]) -> "SubtreeClaim":
        """The claim `elements()` lays out; ClaimError for any other sequence (limbs of 32 bits, a whole number
        of totals)."""
        elements = list(elements)
        limbs = elements[TOTALS_AT:]
        if len(limbs) < TOTAL_LIMBS or len(limbs) % TOTAL_LIMBS or any(not 0 <= x < 1 << LIMB_BITS for x in limbs):
            raise ClaimError("a claim's totals are whole sets of 32-bit limbs")
        if any(limbs[i] >> TOP_LIMB_BITS for i in range(TOTAL_LIMBS - 1, len(limbs), TOTAL_LIMBS)):
            raise ClaimError(f"a claim's total is not below 2^{LIMB_BITS * (TOTAL_LIMBS - 1) + TOP_LIMB_BITS}")
        totals = tuple(sum(limbs[i + j] << (LIMB_BITS * j) for j in range(TOTAL_LIMBS))
                       for i in range(0, len(limbs), TOTAL_LIMBS))
        return cls(tuple(elements[ROUND_AT:SHARDS_AT]), elements[SHARDS_AT], elements[FIRST_AT], elements[COUNT_AT],
                   elements[LEAVES_AT], tuple(elements[ROOT_AT:TOTALS_AT]), totals)


def combine(children: Sequence[SubtreeClaim]) -> SubtreeClaim:
    """The claim of a layer over `children` (a power of two of them, in leaf order): the same round, adjacent
    equal ranges of one aligned parent range, the parent root hashed pairwise up from the children's roots,
    leaves and every total summed exactly."""
    k = len(children)
    if k < 2 or k & (k - 1):
        raise ClaimError(f"a layer aggregates a power of two (>= 2) of children, not {k}")
    head = children[0]
    for i, child in enumerate(children):
        if child.round != head.round or child.shards != head.shards:
            raise ClaimError(f"child {i} is a proof of another round")
        if child.count != head.count or child.leaves != head.leaves:
            raise ClaimError(f"child {i} covers {child.count} shards ({child.leaves} leaves), child 0 "
                             f"{head.count} ({head.leaves})")
        if len(child.totals) != len(head.totals):
            raise ClaimError(f"child {i} has {len(child.totals)} totals, child 0 {len(head.totals)}")
        if child.first != head.first + i * head.count:
            raise ClaimError(f"child {i} covers shards from {child.first}, expected {head.first + i * head.count} "
                             "(children out of order or not adjacent)")
    level = [child.root for child in children]
    while len(level) > 1:
        level = [node_digest(level[j], level[j + 1]) for j in range(0, len(level), 2)]
    totals = tuple(sum(column) for column in zip(*(child.totals for child in children)))
    return SubtreeClaim(head.round, head.shards, head.first, head.count * k, head.leaves * k, level[0], totals)


def published_root(claim: SubtreeClaim, header: bytes) -> Digest:
    """The round's published root R = H_round(tree_root || header), once `claim` covers every shard of the round
    `header` names; the last layer's check."""
    if claim.round != round_id(header):
        raise ClaimError("the claim is about another round than this header's")
    if claim.first != 0 or claim.count != claim.shards:
        raise ClaimError(f"the claim covers {claim.count} of the round's {claim.shards} shards")
    return round_root(claim.root, header)
