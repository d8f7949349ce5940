"""The public statement of a liabilities round, and its canonical encoding (absorbed before any challenge)."""
from __future__ import annotations

import struct
from dataclasses import dataclass

from circuits.field import P
from circuits.recursion.statement import SubtreeClaim, round_id
from circuits.tree_hash import DIGEST_ELEMENTS, round_header

POLICY = "plain"  # the round header's policy name for this statement

MAX_LEAVES = 1 << 31  # the accumulators cannot wrap below this many leaves (docs/SOUNDNESS.md)


@dataclass(frozen=True)
class Statement:
    """What one proof proves: the tree of `leaves` leaves over `assets` has root `root` and these exact totals."""

    round: str
    assets: tuple[tuple[str, int], ...]  # (symbol, decimals), in leaf order
    leaves: int
    root: tuple[int, int, int, int]  # the tree's root (the published root is circuits.tree_hash.round_root of it)
    totals: tuple[int, ...]  # base units, exact integers
    shard: tuple[int, int] = (0, 1)  # (index, count): shard `index` of a round of `count` equal shards that
    # aggregates into one proof (circuits.recursion); (0, 1) is a whole round, or a shard whose name says which

    def __post_init__(self):
        n = self.leaves
        if n < 2 or n & (n - 1) or n > MAX_LEAVES:
            raise ValueError(f"leaf count {n} must be a power of two in [2, 2^31]")
        if not self.assets or len(self.totals) != len(self.assets):
            raise ValueError("one total per asset, at least one asset")
        if any(not 0 <= t < n << 63 for t in self.totals):
            raise ValueError("a total is negative or larger than N * 2^63")
        if len(self.root) != DIGEST_ELEMENTS or any(not 0 <= x < P for x in self.root):
            raise ValueError("the root is 4 canonical field elements")
        index, count = self.shard
        if count < 1 or count & (count - 1) or not 0 <= index < count or n * count > MAX_LEAVES:
            raise ValueError(f"shard {index} of {count}: not a shard of a round of a power of two of shards")

    def claim(self) -> SubtreeClaim:
        """What this proof establishes as one leaf of an aggregation tree: its subtree of the round the header
        (round name, policy, the round's leaf count, assets) names."""
        index, count = self.shard
        header = round_header(self.round, POLICY, self.leaves * count, self.assets)
        return SubtreeClaim(round_id(header), count, index, 1, self.leaves, self.root, self.totals)

    def encode(self) -> bytes:
        parts = [struct.pack("<I", len(self.round.encode())), self.round.encode(),
                 struct.pack("<IQ", len(self.assets), self.leaves)]
        for (symbol, decimals), total in zip(self.assets, self.totals):
            parts += [struct.pack("<I", len(symbol.encode())), symbol.encode(), struct.pack("<B", decimals),
                      total.to_bytes(16, "little")]
        parts += [struct.pack("<4Q", *self.root)]
        if self.shard != (0, 1):  # absent from every earlier statement: their bytes stay as they were
            parts += [struct.pack("<II", *self.shard)]
        return b"".join(parts)
