"""Exact per-asset totals: two accumulators per asset add the low 32 and the high 31 bits of every balance
(neither can wrap for N <= 2^31), and on a totals row the published total L is matched exactly: its lane is
2^32*q (limbs 0 and 1 zero, so 0 <= q < 2^31) with acc_lo = 2^32*q + (L mod 2^32) and acc_hi + q = L >> 32."""
from __future__ import annotations

from circuits.air import BOUNDARY, Constraint
from circuits.solvency.layout import Row


def _halves(limbs):
    return limbs[0] + limbs[1] * (1 << 16), limbs[2] + limbs[3] * (1 << 16)


def constraints(cur: Row, nxt: Row, totals: tuple[int, ...]) -> list[Constraint]:
    layout = cur.layout
    cs = []
    for j, total in enumerate(totals):
        chunk, lane = layout.asset_slot(j)
        lo, hi = _halves(cur.limbs[lane])
        lo1, hi1 = _halves(nxt.limbs[lane])
        acc_lo, acc_hi, acc_lo1, acc_hi1 = cur.acc_lo[j], cur.acc_hi[j], nxt.acc_lo[j], nxt.acc_hi[j]
        flag, flag1 = cur.leaf_chunk[chunk], nxt.leaf_chunk[chunk]
        cs.append(Constraint(f"{j}: low sum starts", acc_lo - flag * lo, BOUNDARY, 0))
        cs.append(Constraint(f"{j}: high sum starts", acc_hi - flag * hi, BOUNDARY, 0))
        cs.append(Constraint(f"{j}: low sum accumulates", acc_lo1 - acc_lo - flag1 * lo1))
        cs.append(Constraint(f"{j}: high sum accumulates", acc_hi1 - acc_hi - flag1 * hi1))
        row, total_lane = layout.total_slot(j)
        t_limbs = cur.limbs[total_lane]
        _, q = _halves(t_limbs)
        cs.append(Constraint(f"{j}: total's limb 0 is zero", t_limbs[0], BOUNDARY, row))
        cs.append(Constraint(f"{j}: total's limb 1 is zero", t_limbs[1], BOUNDARY, row))
        cs.append(Constraint(f"{j}: low sum matches the total",
                             acc_lo - cur.state[total_lane] - (total % (1 << 32)), BOUNDARY, row))
        cs.append(Constraint(f"{j}: high sum matches the total", acc_hi + q - (total >> 32), BOUNDARY, row))
    return cs
