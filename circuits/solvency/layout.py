"""Where everything lives in the liabilities trace: its columns, and its rows as fixed by the public leaf count.

Chunk-major: with C = ceil((4 + A) / 8) sponge chunks per leaf and N leaves,

    rows [kN, (k+1)N)      segment k: chunk k of leaves 0 .. N-1 (leaf i at row kN + i, flag lc_k), k < C
    rows [CN, CN+N-1)      tree nodes, heap ids N-1 down to 1 (the root, whose output is the tree root)
    ...                    filler rows (valid permutations of zeros, no flags)

A chunk's capacity comes from the previous chunk of the same leaf over the sponge bus (`sponge`), and the totals
are checked on the last row of each segment by eight per-lane accumulators (`totals`): no column is per asset,
so the width grows with the asset count only by one flag column per chunk.
"""
from __future__ import annotations

from circuits import poseidon2 as p2
from circuits.air import trace_layout
from circuits.expr import Expr, const, main_col
from circuits.logup import RangeTable
from circuits.tree_hash import DIGEST_ELEMENTS, RATE

LIMB_BITS = 16
LIMBS = 4


class Columns:
    """Column indices of the main trace."""

    def __init__(self, chunks: int, range_segments: int):
        counter = iter(range(10**6))

        def take(k):
            return [next(counter) for _ in range(k)]

        self.state = take(p2.WIDTH)
        self.full = [take(p2.WIDTH) for _ in range(p2.FULL_ROUNDS)]
        self.partial = take(p2.PARTIAL_ROUNDS)
        self.limbs = [take(LIMBS) for _ in range(RATE)]
        self.leaf_chunk = take(chunks)
        self.node, self.root, self.heap_id, self.seg_end = take(4)
        self.acc_lo = take(RATE)  # per lane, summed over one segment
        self.acc_hi = take(RATE)
        self.carry_lo = take(RATE)  # q = carry_lo + 2^16 carry_hi on segment ends
        self.carry_hi = take(RATE)
        self.range_counter = next(counter)
        self.range_multiplicities = take(range_segments)
        self.width = next(counter)


class Layout:
    """Rows and columns of a trace for N leaves and A assets, with `zk_rows` random rows at the end."""

    def __init__(self, leaves: int, assets: int, zk_rows: int, min_rows: int = 0):
        """`assets`: the leaf's values after its idc (the margin policy's slots); `min_rows`: active rows some
        other family needs (the margin policy's band table)."""
        self.leaves, self.assets = leaves, assets
        self.chunks = -(-(DIGEST_ELEMENTS + assets) // RATE)
        self.leaf_rows = leaves * self.chunks
        self.root_row = self.leaf_rows + leaves - 2
        min_rows = max(min_rows, self.leaf_rows + (leaves - 1))
        self.trace_length, self.active_rows = trace_layout(max(min_rows, RangeTable.MIN_ROWS), zk_rows)
        self.cols = Columns(self.chunks, RangeTable.segments_for(self.active_rows))
        self.table = RangeTable(self.cols.range_counter, tuple(self.cols.range_multiplicities))

    def asset_slot(self, j: int) -> tuple[int, int]:
        """(leaf chunk, lane) holding asset j's balance."""
        return divmod(DIGEST_ELEMENTS + j, RATE)

    def leaf_row(self, leaf: int, chunk: int) -> int:
        """The row of chunk `chunk` of leaf `leaf`."""
        return chunk * self.leaves + leaf

    def segment_start(self, chunk: int) -> int:
        return chunk * self.leaves

    def segment_end(self, chunk: int) -> int:
        """The last row of segment `chunk`: where its assets' totals are checked."""
        return (chunk + 1) * self.leaves - 1


class Row:
    """The expressions of one row (offset 0) or the next (offset 1) of a layout."""

    def __init__(self, layout: Layout, offset: int = 0):
        c = layout.cols
        col = lambda i: main_col(i, offset)  # noqa: E731
        self.layout = layout
        self.state = [col(i) for i in c.state]
        self.full = [[col(i) for i in rnd] for rnd in c.full]
        self.partial = [col(i) for i in c.partial]
        self.sboxes = [cell for rnd in self.full for cell in rnd] + self.partial  # as circuits.poseidon2_air takes them
        self.leaf_chunk = [col(i) for i in c.leaf_chunk]
        self.node, self.root, self.heap, self.seg_end = col(c.node), col(c.root), col(c.heap_id), col(c.seg_end)
        self.limbs = [[col(i) for i in lane] for lane in c.limbs]
        self.acc_lo = [col(i) for i in c.acc_lo]
        self.acc_hi = [col(i) for i in c.acc_hi]
        self.carry_lo = [col(i) for i in c.carry_lo]
        self.carry_hi = [col(i) for i in c.carry_hi]

    @property
    def chunk_index(self) -> Expr:
        """k on a row of segment k (sum_k k * lc_k; 0 off leaf rows)."""
        return sum((flag * k for k, flag in enumerate(self.leaf_chunk) if k), const(0))

    def lane_multiplicity(self, lane: int) -> Expr:
        """1 where the lane holds a value to range-check: balances (and zero padding) on leaf rows, not the idc."""
        flags = [flag for k, flag in enumerate(self.leaf_chunk) if k > 0 or lane >= DIGEST_ELEMENTS]
        return sum(flags[1:], flags[0]) if flags else const(0)
