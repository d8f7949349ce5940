"""The public statement of a margin round, and its canonical encoding (absorbed before any challenge)."""
from __future__ import annotations

import struct
from dataclasses import dataclass

from circuits.field import P
from circuits.margin.policy import AMOUNT_BOUND, Policy
from circuits.solvency.statement import MAX_LEAVES
from circuits.tree_hash import DIGEST_ELEMENTS, RATE

MAX_CHUNKS = 128  # keeps every leaf's value sums and carries small (circuits.margin.values)


@dataclass(frozen=True)
class MarginStatement:
    """The tree of `leaves` leaves, each idc || per asset (free equity, debt, collateral per kind), has root `root`;
    per asset the exact totals of equity, debt and collateral (per kind); every leaf is solvent under `policy`."""

    round: str
    assets: tuple[tuple[str, int], ...]  # (symbol, decimals), in leaf order
    leaves: int
    root: tuple[int, int, int, int]
    equity: tuple[int, ...]
    debt: tuple[int, ...]
    collateral: tuple[tuple[int, ...], ...]  # [asset][kind]
    policy: Policy

    def __post_init__(self):
        n, a = self.leaves, len(self.assets)
        if n < 2 or n & (n - 1) or n > MAX_LEAVES:
            raise ValueError(f"leaf count {n} must be a power of two in [2, 2^31]")
        if not a or len(self.policy.prices) != a:
            raise ValueError("at least one asset, and a price and tiers for each")
        if len(self.equity) != a or len(self.debt) != a or len(self.collateral) != a:
            raise ValueError("equity, debt and collateral totals for every asset")
        kinds = len(self.policy.kinds)
        bound = n * AMOUNT_BOUND
        for j in range(a):
            if len(self.collateral[j]) != kinds:
                raise ValueError(f"asset {j}: one collateral total per kind")
            if not 0 <= self.debt[j] < bound or any(not 0 <= c < bound for c in self.collateral[j]):
                raise ValueError(f"asset {j}: a total is negative or larger than N * 2^62")
            if not sum(self.collateral[j]) <= self.equity[j] < bound + sum(self.collateral[j]):
                raise ValueError(f"asset {j}: total equity below total collateral, or too large")
        if -(-(DIGEST_ELEMENTS + self.slots) // RATE) > MAX_CHUNKS:
            raise ValueError(f"{a} assets with {kinds} collateral kinds need more than {MAX_CHUNKS} chunks per leaf")
        if len(self.root) != DIGEST_ELEMENTS or any(not 0 <= x < P for x in self.root):
            raise ValueError("the root is 4 canonical field elements")

    @classmethod
    def of_slot_totals(cls, round_name: str, assets, leaves: int, root, totals, policy: Policy) -> "MarginStatement":
        """The statement whose `slot_totals()` are `totals` (per asset: free equity, debt, collateral per kind)."""
        k = policy.slots_per_asset
        per_asset = [totals[j * k:(j + 1) * k] for j in range(len(assets))]
        return cls(round_name, tuple(assets), leaves, tuple(root), tuple(t[0] + sum(t[2:]) for t in per_asset),
                   tuple(t[1] for t in per_asset), tuple(tuple(t[2:]) for t in per_asset), policy)

    @property
    def slots(self) -> int:
        return len(self.assets) * self.policy.slots_per_asset

    def slot_totals(self) -> tuple[int, ...]:
        """Per slot of a leaf, the total over all leaves: free equity E - sum C, debt, collateral per kind."""
        totals = []
        for e, d, cs in zip(self.equity, self.debt, self.collateral):
            totals += [e - sum(cs), d, *cs]
        return tuple(totals)

    def encode(self) -> bytes:
        parts = [struct.pack("<I", len(self.round.encode())), self.round.encode(),
                 struct.pack("<IQ", len(self.assets), self.leaves)]
        for (symbol, decimals), e, d, cs in zip(self.assets, self.equity, self.debt, self.collateral):
            parts += [struct.pack("<I", len(symbol.encode())), symbol.encode(), struct.pack("<B", decimals),
                      e.to_bytes(16, "little"), d.to_bytes(16, "little")]
            parts += [c.to_bytes(16, "little") for c in cs]
        parts += [self.policy.encode(), struct.pack("<4Q", *self.root)]
        return b"".join(parts)
