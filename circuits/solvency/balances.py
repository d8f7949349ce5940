"""Every balance in [0, 2^63): wherever a lane is range-checked, it is the sum of four 16-bit limbs, each looked
up in the range table, and the top limb is looked up again plus 2^15 (so it is below 2^15). A "negative" p - x
has no such limbs."""
from __future__ import annotations

from circuits.air import EVERY_ROW, Constraint, Interaction
from circuits.expr import CONST
from circuits.logup import range_check
from circuits.solvency.layout import LIMB_BITS, Row
from circuits.tree_hash import RATE

TOP_LIMB_SHIFT = 1 << 15  # top limb + 2^15 must be a 16-bit value too: the top limb is below 2^15


def _checked_lanes(row: Row):
    for lane in range(RATE):
        m = row.lane_multiplicity(lane)
        if m.op != CONST:  # with one chunk, lanes 0..3 (the idc) are never range-checked
            yield lane, m


def constraints(row: Row) -> list[Constraint]:
    cs = []
    for lane, m in _checked_lanes(row):
        limbs = row.limbs[lane]
        value = sum((limb * (1 << (LIMB_BITS * t)) for t, limb in enumerate(limbs[1:], 1)), limbs[0])
        cs.append(Constraint(f"lane {lane} is its limbs", m * (row.state[lane] - value), EVERY_ROW))
    return cs


def interactions(row: Row) -> list[Interaction]:
    result = []
    for lane, m in _checked_lanes(row):
        limbs = row.limbs[lane]
        result += [range_check(limb, m) for limb in limbs]
        result.append(range_check(limbs[-1] + TOP_LIMB_SHIFT, m))
    return result
