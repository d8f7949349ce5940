"""The margin trace: the liabilities layout (circuits.solvency.layout) over a leaf of `slots` values, plus, per
lane, the band the lane's amount falls in and the limbs proving it does, and per leaf row the running value sums
and, on a leaf's last chunk, their normalization.

Per lane L (on every leaf row): lo, hi, start digits (5), slope digits (4) of the looked-up band; u = x - lo and
w = hi - x as 16-bit limbs (4 each). Per row: the value sums acc_m by 16-bit position m (7), on last chunks their
digits (7) and carries (7 x 2 limbs); one multiplicity column for the band table."""
from __future__ import annotations

from circuits.expr import main_col
from circuits.margin.policy import SLOPE_DIGITS, START_DIGITS
from circuits.solvency.layout import LIMBS, Layout, Row
from circuits.tree_hash import RATE

POSITIONS = SLOPE_DIGITS + LIMBS - 1  # u_i * s_k lands at position i + k <= 6; start digits at <= 4


class MarginColumns:
    def __init__(self, first: int):
        counter = iter(range(first, 10**6))

        def take(k):
            return [next(counter) for _ in range(k)]

        self.start = [take(START_DIGITS) for _ in range(RATE)]
        self.slope = [take(SLOPE_DIGITS) for _ in range(RATE)]
        self.u = [take(LIMBS) for _ in range(RATE)]
        self.w = [take(LIMBS) for _ in range(RATE)]
        self.acc = take(POSITIONS)
        self.digit = take(POSITIONS)
        self.carry_lo, self.carry_hi = take(POSITIONS), take(POSITIONS)
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
        self.sum_carry_lo, self.sum_carry_hi = [col(i) for i in m.carry_lo], [col(i) for i in m.carry_hi]
        self.band_multiplicity = col(m.band_multiplicity)
