"""Exact per-asset totals with eight per-lane accumulators, whatever the asset count.

On leaf rows, lane L's `acc_lo[L]` adds the low 32 bits and `acc_hi[L]` the high 31 bits of the lane's balance
(limb expressions, counted where the lane is range-checked), and both restart after every segment end:
acc(0) = m(0) half(0), acc(r+1) = (1 - seg_end(r)) acc(r) + m(r+1) half(r+1). The segment rows are forced
(`row_types`), so on the last row e_k of segment k, acc_lo[L] and acc_hi[L] are the integer sums over all N
leaves of the halves of lane L of chunk k: asset j's lane if j sits in chunk k. They cannot wrap for
N <= 2^31: acc_lo < N 2^32 <= 2^63 and acc_hi < N 2^31 <= 2^62, both below p.

There, with q = carry_lo + 2^16 carry_hi (carry_lo, carry_hi and carry_hi + 2^15 looked up in the 16-bit table
with multiplicity seg_end, so 0 <= q < 2^31), acc_lo = 2^32 q + (L mod 2^32) and acc_hi + q = L >> 32. Both sides
are below p (2^63 + 2^32 and 2^62 + 2^31), so they hold over the integers and acc_lo + 2^32 acc_hi = L."""
from __future__ import annotations

from typing import Sequence

from circuits.air import BOUNDARY, Constraint, Interaction
from circuits.expr import Expr, public_value
from circuits.recursion.statement import TOTAL_LIMBS
from circuits.logup import range_check
from circuits.solvency.balances import TOP_LIMB_SHIFT
from circuits.solvency.layout import Row
from circuits.tree_hash import RATE


def _halves(limbs):
    return limbs[0] + limbs[1] * (1 << 16), limbs[2] + limbs[3] * (1 << 16)


def constant_halves(totals: Sequence[int]) -> list[tuple[int, int]]:
    """Totals as the (low 32 bits, the rest) pairs `constraints` matches, when they are constants of the AIR."""
    return [(t % (1 << 32), t >> 32) for t in totals]


def public_halves(first: int, count: int) -> list[tuple[Expr, Expr]]:
    """The same pairs read from public values: `count` totals of TOTAL_LIMBS 32-bit limbs each from public value
    `first` on (circuits.recursion.statement's layout), so a verifier circuit can take the totals as wires."""
    pairs = []
    for j in range(count):
        limbs = [public_value(first + TOTAL_LIMBS * j + i) for i in range(TOTAL_LIMBS)]
        pairs.append((limbs[0], sum((limb * (1 << (32 * i)) for i, limb in enumerate(limbs[2:], 1)), limbs[1])))
    return pairs


def constraints(cur: Row, nxt: Row, totals: Sequence[tuple]) -> list[Constraint]:
    """`totals`: per asset slot, (low 32 bits, the rest) of its exact total, as constants or expressions."""
    layout = cur.layout
    cs = []
    for lane in range(RATE):
        m, m1 = cur.lane_multiplicity(lane), nxt.lane_multiplicity(lane)
        lo, hi = _halves(cur.limbs[lane])
        lo1, hi1 = _halves(nxt.limbs[lane])
        keep = 1 - cur.seg_end
        cs.append(Constraint(f"lane {lane}: low sum starts", cur.acc_lo[lane] - m * lo, BOUNDARY, 0))
        cs.append(Constraint(f"lane {lane}: high sum starts", cur.acc_hi[lane] - m * hi, BOUNDARY, 0))
        cs.append(Constraint(f"lane {lane}: low sum accumulates",
                             nxt.acc_lo[lane] - keep * cur.acc_lo[lane] - m1 * lo1))
        cs.append(Constraint(f"lane {lane}: high sum accumulates",
                             nxt.acc_hi[lane] - keep * cur.acc_hi[lane] - m1 * hi1))
    for j, (total_lo, total_hi) in enumerate(totals):
        chunk, lane = layout.asset_slot(j)
        row = layout.segment_end(chunk)
        q = cur.carry_lo[lane] + cur.carry_hi[lane] * (1 << 16)
        cs.append(Constraint(f"asset {j}: low sum matches the total",
                             cur.acc_lo[lane] - q * (1 << 32) - total_lo, BOUNDARY, row))
        cs.append(Constraint(f"asset {j}: high sum matches the total", cur.acc_hi[lane] + q - total_hi,
                             BOUNDARY, row))
    return cs


def interactions(cur: Row) -> list[Interaction]:
    result = []
    for lane in range(RATE):
        result += [range_check(cur.carry_lo[lane], cur.seg_end), range_check(cur.carry_hi[lane], cur.seg_end),
                   range_check(cur.carry_hi[lane] + TOP_LIMB_SHIFT, cur.seg_end)]
    return result
