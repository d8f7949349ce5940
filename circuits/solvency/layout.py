"""Where everything lives in the liabilities trace: its columns, and its rows as fixed by the public leaf count.

    rows [0, N*C)          leaf sponges: leaf i takes C = ceil((4 + A) / 8) rows (chunk flags lc_0 .. lc_{C-1})
    rows [N*C, N*C+N-1)    tree nodes, heap ids N-1 down to 1 (the root, whose output is the tree root)
    ...                    filler rows (valid permutations of zeros, no flags)
    the last T rows        totals rows, T = ceil(A / 8)
"""
from __future__ import annotations

from circuits import poseidon2 as p2
from circuits.air import trace_layout
from circuits.expr import Expr, main_col
from circuits.logup import RangeTable
from circuits.tree_hash import DIGEST_ELEMENTS, RATE

LIMB_BITS = 16
LIMBS = 4


class Columns:
    """Column indices of the main trace."""

    def __init__(self, chunks: int, assets: int, range_segments: int):
        counter = iter(range(10**6))

        def take(k):
            return [next(counter) for _ in range(k)]

        self.state = take(p2.WIDTH)
        self.full = [take(p2.WIDTH) for _ in range(p2.FULL_ROUNDS)]
        self.partial = take(p2.PARTIAL_ROUNDS)
        self.limbs = [take(LIMBS) for _ in range(RATE)]
        self.leaf_chunk = take(chunks)
        self.node, self.root, self.totals, self.heap_id = take(4)
        self.acc_lo = take(assets)
        self.acc_hi = take(assets)
        self.range_counter = next(counter)
        self.range_multiplicities = take(range_segments)
        self.width = next(counter)


class Layout:
    """Rows and columns of a trace for N leaves and A assets, with `zk_rows` random rows at the end."""

    def __init__(self, leaves: int, assets: int, zk_rows: int):
        self.leaves, self.assets = leaves, assets
        self.chunks = -(-(DIGEST_ELEMENTS + assets) // RATE)
        self.total_rows = -(-assets // RATE)
        self.leaf_rows = leaves * self.chunks
        self.root_row = self.leaf_rows + leaves - 2
        min_rows = self.leaf_rows + (leaves - 1) + self.total_rows
        self.trace_length, self.active_rows = trace_layout(max(min_rows, RangeTable.MIN_ROWS), zk_rows)
        self.first_total_row = self.active_rows - self.total_rows
        self.cols = Columns(self.chunks, assets, RangeTable.segments_for(self.active_rows))
        self.table = RangeTable(self.cols.range_counter, tuple(self.cols.range_multiplicities))

    def asset_slot(self, j: int) -> tuple[int, int]:
        """(leaf chunk, lane) holding asset j's balance."""
        return divmod(DIGEST_ELEMENTS + j, RATE)

    def total_slot(self, j: int) -> tuple[int, int]:
        """(row, lane) of asset j on the totals rows."""
        return self.first_total_row + j // RATE, j % RATE


class Row:
    """The expressions of one row (offset 0) or the next (offset 1) of a layout."""

    def __init__(self, layout: Layout, offset: int = 0):
        c = layout.cols
        col = lambda i: main_col(i, offset)  # noqa: E731
        self.layout = layout
        self.state = [col(i) for i in c.state]
        self.full = [[col(i) for i in rnd] for rnd in c.full]
        self.partial = [col(i) for i in c.partial]
        self.leaf_chunk = [col(i) for i in c.leaf_chunk]
        self.node, self.root, self.totals, self.heap = col(c.node), col(c.root), col(c.totals), col(c.heap_id)
        self.limbs = [[col(i) for i in lane] for lane in c.limbs]
        self.acc_lo = [col(i) for i in c.acc_lo]
        self.acc_hi = [col(i) for i in c.acc_hi]

    def lane_multiplicity(self, lane: int) -> Expr:
        """1 where the lane holds a value to range-check: balances on leaf rows, totals rows."""
        m = self.totals
        for k, flag in enumerate(self.leaf_chunk):
            if k > 0 or lane >= DIGEST_ELEMENTS:
                m = m + flag
        return m
