"""The margin policy's public parameters (SPEC §1): exact prices, collateral kinds and haircut tiers, their limits,
and the band table both prover and verifier derive from them.

Values are integers in value units of 10^-scale USD. `prices[j]` is the value of one base unit of asset j. A
tier list for (asset, kind) is ((top_1, r_1), ..., (top_n, r_n)): the part of the collateral's value in
[top_{t-1}, top_t) (top_0 = 0) counts at r_t percent, beyond top_n at 0%, with r_1 >= r_2 >= ... (a concave
haircut, as Binance's collateral_ratio_tiers). An empty list counts nothing.

The circuit works in base units: band t of asset j is [b_{t-1}, b_t) with b_t = floor(top_t / P_j) (capped at
2^62), so b_t P_j <= top_t and each band ends no later in value than the published one. With non-increasing
ratios that can only lower the haircut value (docs/SOUNDNESS.md): never more than the published tiers allow.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

AMOUNT_BOUND = 1 << 62  # every free equity, debt and collateral slot is below this (circuits.margin.values)
MAX_PRICE = 1 << 56  # 100 * price < 2^63: a slope fits two signed digits, of 32 and 31 bits
MAX_RATIO = 100  # percent
MAX_TOP = 1 << 72  # 100 * top < 2^79: a band's starting haircut value fits two digits, of 48 and 31 bits
MAX_BANDS = 32
MAX_SCALE = 36
SLOPE_SHIFTS = (0, 32)  # where a slope's digits start (bits): few digits, few products u_i * s_k per lane
START_SHIFTS = (0, 48)

Tiers = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Band:
    """One entry of the band table: amounts in [lo, hi] of the slot with this key add start + slope * (x - lo)
    to the leaf's value sum (100 times value units; negative slope for debt)."""

    key: int
    lo: int
    hi: int
    start: int
    slope: int

    def row(self) -> tuple[int, ...]:
        """(key, lo, hi, start digits, slope digits), digits signed like the number, as integers."""
        sign = -1 if self.slope < 0 else 1
        slope = [sign * d for d in digits(abs(self.slope), SLOPE_SHIFTS)]
        return (self.key, self.lo, self.hi, *digits(self.start, START_SHIFTS), *slope)


def digits(value: int, shifts: tuple[int, ...]) -> list[int]:
    """A non-negative integer cut at these bit positions, the last digit taking the rest."""
    ends = shifts[1:] + (None,)
    return [value >> a if b is None else (value >> a) & ((1 << (b - a)) - 1) for a, b in zip(shifts, ends)]


@dataclass(frozen=True)
class Policy:
    scale: int  # value unit = 10^-scale USD
    prices: tuple[int, ...]  # per asset, value units per base unit
    kinds: tuple[str, ...]  # collateral kinds, e.g. ("loan", "margin", "portfolio")
    tiers: tuple[tuple[Tiers, ...], ...]  # [asset][kind]

    def __post_init__(self):
        if not 0 <= self.scale <= MAX_SCALE:
            raise ValueError(f"price scale {self.scale} outside [0, {MAX_SCALE}]")
        if not self.kinds or len(set(self.kinds)) != len(self.kinds) or not all(self.kinds):
            raise ValueError("at least one collateral kind, named, each once")
        if len(self.tiers) != len(self.prices) or any(len(t) != len(self.kinds) for t in self.tiers):
            raise ValueError("one tier list per asset and collateral kind")
        for j, price in enumerate(self.prices):
            if not 1 <= price < MAX_PRICE:
                raise ValueError(f"asset {j}: price {price} outside [1, 2^56) value units per base unit")
            for kind, tiers in zip(self.kinds, self.tiers[j]):
                _check_tiers(tiers, f"asset {j} {kind}")

    @property
    def slots_per_asset(self) -> int:
        return 2 + len(self.kinds)

    def encode(self) -> bytes:
        parts = [struct.pack("<BI", self.scale, len(self.kinds))]
        for kind in self.kinds:
            parts += [struct.pack("<I", len(kind.encode())), kind.encode()]
        for price, lists in zip(self.prices, self.tiers):
            parts.append(struct.pack("<Q", price))
            for tiers in lists:
                parts.append(struct.pack("<I", len(tiers)))
                parts += [top.to_bytes(9, "little") + struct.pack("<B", ratio) for top, ratio in tiers]
        return b"".join(parts)

    # -- the slots of a leaf and the band table ----------------------------------------------------------------
    def debt_key(self, j: int) -> int:
        return 1 + j * (1 + len(self.kinds))

    def collateral_key(self, j: int, q: int) -> int:
        return self.debt_key(j) + 1 + q

    def slot_keys(self) -> list[int]:
        """Per slot of a leaf (asset-major: free equity, debt, collateral of each kind), its band-table key; free
        equity has key 0 (counts nothing)."""
        keys = []
        for j in range(len(self.prices)):
            keys += [0, self.debt_key(j)] + [self.collateral_key(j, q) for q in range(len(self.kinds))]
        return keys

    def bands(self) -> list[Band]:
        """The band table: key 0 (nothing), each asset's debt (at -100 P), each collateral kind's bands."""
        top = AMOUNT_BOUND - 1
        table = [Band(0, 0, top, 0, 0)]
        for j, price in enumerate(self.prices):
            table.append(Band(self.debt_key(j), 0, top, 0, -MAX_RATIO * price))
            for q, tiers in enumerate(self.tiers[j]):
                table += collateral_bands(self.collateral_key(j, q), price, tiers)
        return table


def collateral_bands(key: int, price: int, tiers: Tiers) -> list[Band]:
    """Non-empty base-unit bands covering [0, 2^62): each published band rounded down, then a 0% tail."""
    bands, lo, start = [], 0, 0
    for top, ratio in tuple(tiers) + ((None, 0),):
        end = AMOUNT_BOUND if top is None else min(top // price, AMOUNT_BOUND)
        if end > lo:
            bands.append(Band(key, lo, end - 1, start, ratio * price))
            start += ratio * price * (end - lo)
            lo = end
    return bands


def _check_tiers(tiers: Tiers, name: str) -> None:
    if len(tiers) > MAX_BANDS:
        raise ValueError(f"{name}: more than {MAX_BANDS} bands")
    previous_top, previous_ratio = 0, MAX_RATIO
    for top, ratio in tiers:
        if not previous_top < top < MAX_TOP:
            raise ValueError(f"{name}: band tops must increase, each below 2^72 value units")
        if not 0 <= ratio <= previous_ratio:
            raise ValueError(f"{name}: ratios must be percentages that never increase from band to band "
                             "(a concave haircut)")
        previous_top, previous_ratio = top, ratio


def haircut_value(price: int, tiers: Tiers, amount: int) -> int:
    """100 times the haircut value (value units) of `amount` base units as the circuit counts it."""
    for band in collateral_bands(0, price, tiers):
        if band.lo <= amount <= band.hi:
            return band.start + band.slope * (amount - band.lo)
    raise ValueError("amount not below 2^62")
