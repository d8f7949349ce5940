"""Every leaf solvent under the policy: 100 x haircut value of its collateral - 100 x value of its debt >= 0,
computed exactly over the integers.

Each lane of a leaf row looks up, on the band bus, the band its amount x falls in: (key, lo, hi, start digits,
slope digits), with the key fixed by the lane's slot (public, per segment and lane: sum_k lc_k * key[k][lane]).
The table (periodic columns) holds only the policy's bands (`circuits.margin.policy.Policy.bands`): key 0 counts
nothing (idc, free equity, padding), a debt key has slope -100 P, a collateral key one entry per band. lo and hi
are not columns: the lane looks up lo = x - u and hi = x + w, with u and w four 16-bit limbs each, the top one
below 2^15: both in [0, 2^63), and the lookup makes u = x - lo and w = hi - x for a band's lo, hi. Every slot is below
2^62 (its top limb is looked up again plus 3 * 2^14: below 2^14), and so is every band's lo and hi, so x - lo and
hi - x lie in (-2^62, 2^62), and the only element of [0, 2^63) congruent to them mod p is themselves (the next,
p - 2^62, is above 2^63): lo <= x <= hi over the integers. (With slots only below 2^63, a band ending below 2^32
would accept x near 2^63 through w = hi - x + p.) The lane adds start + slope * u, i.e. exactly its band's piece
of the haircut (or its debt).

The lane's value is summed by 16-bit position without carrying: the slope is two signed digits s_0 + 2^32 s_1
(|s_k| < 2^32) and the start two digits d_0 + 2^48 d_1 (d_0 < 2^48, d_1 < 2^31), so u_i * s_k (|.| < 2^48) lands at
position i + 2k and d_0, d_1 at positions 0 and 3, into acc_0 .. acc_5 per leaf: per lane and position at most two
products and one start digit, below 3 * 2^48 < 2^50. A leaf's chunks are N rows apart: its sums ride the sponge bus
beside the capacity (sent: acc after this row; received: acc minus this row's part), starting from this row's part
on chunk 0. With at most 128 chunks (1024 lanes) per leaf, |acc_m| < 1024 * 2^50 = 2^60.

On the leaf's last chunk the sums are normalized once: acc_m + carry_{m-1} = digit_m + 2^16 carry_m, digits in
[0, 2^16), carries in [-2^47, 2^47) (three limbs, offset 2^47), the top carry in [0, 2^45) (no offset; its top limb
is looked up again plus 2^16 - 2^13: below 2^13). The terms are below 2^60 + 2^47 + 2^16 + 2^63 < p in size
together, so each equation holds over the integers (a top carry up to 2^48 would not do: 2^16 carry_5 could then
reach p, and a negative sum pass as T + p), and
sum_m acc_m 2^(16m) = sum_m digit_m 2^(16m) + carry_5 2^96 >= 0: the leaf's value is non-negative. Honest carries
stay below (2^60 + 2^47) / 2^16 < 2^45."""
from __future__ import annotations

from circuits.air import EVERY_ROW, Constraint, Interaction
from circuits.expr import CONST, Expr, const, periodic
from circuits.logup import range_check
from circuits.margin.layout import POSITIONS, SLOPE_POSITIONS, START_POSITIONS, MarginRow
from circuits.margin.policy import SLOPE_SHIFTS, START_SHIFTS
from circuits.solvency.balances import TOP_LIMB_SHIFT
from circuits.solvency.layout import LIMB_BITS
from circuits.tree_hash import DIGEST_ELEMENTS, RATE

BAND_BUS = 3
CARRY_OFFSET = 1 << 47
TOP_CARRY_SHIFT = (1 << 16) - (1 << 13)  # the top carry's top limb + this below 2^16: the top carry below 2^45
AMOUNT_TOP_SHIFT = 3 << 14  # top limb + 3 * 2^14 below 2^16: the top limb is below 2^14, the slot below 2^62
TABLE_VALUES = 3 + len(START_SHIFTS) + len(SLOPE_SHIFTS)  # key, lo, hi, digits


def _composed(limbs) -> Expr:
    return sum((limb * (1 << (LIMB_BITS * t)) for t, limb in enumerate(limbs[1:], 1)), limbs[0])


def _leaf(row: MarginRow) -> Expr:
    return sum(row.leaf_chunk[1:], row.leaf_chunk[0])


def lane_key(row: MarginRow, lane: int, slot_keys: list[int]) -> Expr:
    """The band-table key of the slot this lane holds on this row (0 for the idc and padding)."""
    key = const(0)
    for k, flag in enumerate(row.leaf_chunk):
        slot = k * RATE + lane - DIGEST_ELEMENTS
        if 0 <= slot < len(slot_keys) and slot_keys[slot]:
            key = key + flag * slot_keys[slot]
    return key


def contributions(row: MarginRow) -> list[Expr]:
    """This row's part of the leaf's value sums, by 16-bit position."""
    parts = [const(0)] * POSITIONS
    for lane in range(RATE):
        for i, u in enumerate(row.u[lane]):
            for position, s in zip(SLOPE_POSITIONS, row.slope[lane]):
                parts[i + position] = parts[i + position] + u * s
        for position, digit in zip(START_POSITIONS, row.start[lane]):
            parts[position] = parts[position] + digit
    return parts


def carry(row: MarginRow, m: int) -> Expr:
    value = _composed(row.sum_carry[m])
    return value if m == POSITIONS - 1 else value - CARRY_OFFSET


def constraints(row: MarginRow) -> list[Constraint]:
    first, last = row.leaf_chunk[0], row.leaf_chunk[-1]
    cs = []
    for m, part in enumerate(contributions(row)):
        cs.append(Constraint(f"value sum {m} starts on chunk 0", first * (row.acc[m] - part), EVERY_ROW))
        below = carry(row, m - 1) if m else const(0)
        cs.append(Constraint(f"value sum {m} normalizes",
                             last * (row.acc[m] + below - row.digit[m] - carry(row, m) * (1 << 16)), EVERY_ROW))
    return cs


def carried(row: MarginRow) -> tuple[tuple[Expr, ...], tuple[Expr, ...]]:
    """(sent, received) on the sponge bus: the sums after this row, and before it."""
    return tuple(row.acc), tuple(a - p for a, p in zip(row.acc, contributions(row)))


def interactions(row: MarginRow, slot_keys: list[int]) -> list[Interaction]:
    leaf, last = _leaf(row), row.leaf_chunk[-1]
    result = []
    for lane in range(RATE):
        m = row.lane_multiplicity(lane)
        if m.op != CONST:  # the lanes `balances` range-checks, not the idc
            result.append(range_check(row.limbs[lane][-1] + AMOUNT_TOP_SHIFT, m))
        x = _composed(row.limbs[lane])
        band = (lane_key(row, lane, slot_keys), x - _composed(row.u[lane]), x + _composed(row.w[lane]),
                *row.start[lane], *row.slope[lane])
        result.append(Interaction(BAND_BUS, leaf, band))
        for limbs in (row.u[lane], row.w[lane]):
            result += [range_check(limb, leaf) for limb in limbs]
            result.append(range_check(limbs[-1] + TOP_LIMB_SHIFT, leaf))
    for m in range(POSITIONS):
        result += [range_check(row.digit[m], last)] + [range_check(limb, last) for limb in row.sum_carry[m]]
    result.append(range_check(row.sum_carry[-1][-1] + TOP_CARRY_SHIFT, last))
    table = tuple(periodic(i) for i in range(TABLE_VALUES))
    result.append(Interaction(BAND_BUS, -row.band_multiplicity, table))
    return result
