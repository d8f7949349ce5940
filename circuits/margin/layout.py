"""The margin trace: the liabilities layout (circuits.solvency.layout) over a leaf of `slots` values, plus, per
lane, the band the lane's amount falls in and the limbs proving it does, and per leaf row the running value sums
and, on a leaf's last chunk, their normalization.

Per lane L (on every leaf row): start digits (2) and slope digits (2) of the looked-up band; u = x - lo and
w = hi - x as 16-bit limbs (4 each). Per row: the value sums acc_m by 16-bit position m (6), on last chunks their
digits (6) and carries (6 x 3 limbs); one multiplicity column for the band table."""
from __future__ import annotations

from circuits.expr import main_col
from circuits.margin.policy import SLOPE_SHIFTS, START_SHIFTS
from circuits.solvency.layout import LIMB_BITS, LIMBS, Layout, Row
from circuits.tree_hash import RATE

SLOPE_POSITIONS = tuple(s // LIMB_BITS for s in SLOPE_SHIFTS)  # 16-bit positions of a slope's digits: 0, 2
START_POSITIONS = tuple(s // LIMB_BITS for s in START_SHIFTS)  # 0, 3
POSITIONS = LIMBS + SLOPE_POSITIONS[-1]  # u_i * s_k lands at position i + 2k <= 5; start digits at 0 and 3
CARRY_LIMBS = 3


class MarginColumns:
    def __init__(self, first: int):
        counter = iter(range(first, 10**6))

        def take(k):
            return [next(counter) for _ in range(k)]

        self.start = [take(len(START_SHIFTS)) for _ in range(RATE)]
        self.slope = [take(len(SLOPE_SHIFTS)) for _ in range(RATE)]
        self.u = [take(LIMBS) for _ in range(RATE)]
        self.w = [take(LIMBS) for _ in range(RATE)]
        self.acc = take(POSITIONS)
        self.digit = take(POSITIONS)
        self.carry = [take(CARRY_LIMBS) for _ in range(POSITIONS)]
        self.band_multiplicity = next(counter)
        self.width = next(counter)


class MarginLayout(Layout):
    """A liabilities layout over `slots` leaf values, widened by the margin columns; at least `table_rows`
    active rows (the band table's multiplicities sit on its first rows)."""

    def __init__(self, leaves: int, slots: int, zk_rows: int, table_rows: int):
        super().__init__(leaves, slots, zk_rows, min_rows=table_rows)
        self.margin = MarginColumns(self.cols.width)
        self.width = self.margin.width


class MarginRow(Row):
    def __init__(self, layout: MarginLayout, offset: int = 0):
        super().__init__(layout, offset)
        m = layout.margin
        col = lambda i: main_col(i, offset)  # noqa: E731
        self.start = [[col(i) for i in lane] for lane in m.start]
        self.slope = [[col(i) for i in lane] for lane in m.slope]
        self.u = [[col(i) for i in lane] for lane in m.u]
        self.w = [[col(i) for i in lane] for lane in m.w]
        self.acc, self.digit = [col(i) for i in m.acc], [col(i) for i in m.digit]
        self.sum_carry = [[col(i) for i in limbs] for limbs in m.carry]
        self.band_multiplicity = col(m.band_multiplicity)
