"""The public statement of a liabilities round, and its canonical encoding (absorbed before any challenge)."""
from __future__ import annotations

import struct
from dataclasses import dataclass

from circuits.field import P
from circuits.tree_hash import DIGEST_ELEMENTS

MAX_LEAVES = 1 << 31  # the accumulators cannot wrap below this many leaves (docs/SOUNDNESS.md)


@dataclass(frozen=True)
class Statement:
    """What one proof proves: the tree of `leaves` leaves over `assets` has root `root` and these exact totals."""

    round: str
    assets: tuple[tuple[str, int], ...]  # (symbol, decimals), in leaf order
    leaves: int
    root: tuple[int, int, int, int]  # the tree's root (the published root is circuits.tree_hash.round_root of it)
    totals: tuple[int, ...]  # base units, exact integers

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

    def encode(self) -> bytes:
        parts = [struct.pack("<I", len(self.round.encode())), self.round.encode(),
                 struct.pack("<IQ", len(self.assets), self.leaves)]
        for (symbol, decimals), total in zip(self.assets, self.totals):
            parts += [struct.pack("<I", len(symbol.encode())), symbol.encode(), struct.pack("<B", decimals),
                      total.to_bytes(16, "little")]
        parts += [struct.pack("<4Q", *self.root)]
        return b"".join(parts)
