"""The liabilities trace (circuits.solvency): every row's permutation, flags, heap ids, limbs, accumulators and
carries, built from the private leaves and the tree the round already hashed (`prover.exchange.tree.tree_levels`),
so the tree is not hashed twice: node rows take their inputs from its levels, and one batch computes every S-box.

Rows are chunk-major (circuits.solvency.layout): segment k holds chunk k of every leaf, then come the nodes."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from circuits import poseidon2 as p2
from circuits.solvency import SolvencyAir
from circuits.solvency.balances import TOP_LIMB_SHIFT
from circuits.solvency.layout import LIMB_BITS, LIMBS
from circuits.tree_hash import DIGEST_ELEMENTS, DOMAIN_LEAF, DOMAIN_NODE, RATE
from prover.engine import threads
from prover.engine.range_table import fill_range_table
from prover.engine.poseidon2_batch import SBOX_COLUMNS, permute_batch_with_sboxes
from prover.exchange.tree import leaf_digests, tree_levels

_LOW32 = np.uint64(0xFFFF_FFFF)


@dataclass
class Witness:
    """The private leaves in tree order (already shuffled and padded): idc (N, 4) and balances (N, A)."""

    idc: np.ndarray
    balances: np.ndarray


def exact_totals(balances: np.ndarray) -> tuple[int, ...]:
    """Per-asset column sums of (N, A) uint64 balances below 2^63 as exact ints: summed in 32-bit halves, so no
    uint64 sum can wrap (N <= 2^32)."""
    balances = np.asarray(balances, dtype=np.uint64)
    low = (balances & _LOW32).sum(axis=0, dtype=np.uint64)
    high = (balances >> np.uint64(32)).sum(axis=0, dtype=np.uint64)
    return tuple((int(h) << 32) + int(lo) for h, lo in zip(high, low))


def build_main_trace(air: SolvencyAir, witness: Witness, levels: list[np.ndarray] | None = None) -> np.ndarray:
    """The (main_width, active_rows) trace; refuses leaves that do not match the statement's root or totals.

    `levels` are the tree's levels over these leaves (leaves first), computed here when not given."""
    s, layout = air.statement, air.layout
    n, a = s.leaves, layout.assets
    idc = np.asarray(witness.idc, dtype=np.uint64)
    balances = np.asarray(witness.balances, dtype=np.uint64)
    if idc.shape != (n, DIGEST_ELEMENTS) or balances.shape != (n, a):
        raise ValueError("witness shapes do not match the statement")
    if (balances >= np.uint64(1 << 63)).any():
        raise ValueError("a balance is not below 2^63")
    sums = exact_totals(balances)
    for j, total in enumerate(s.totals):
        if sums[j] != total:
            raise ValueError(f"asset {s.assets[j][0]}: balances sum to {sums[j]}, not {total}")

    if levels is None:
        levels = tree_levels(leaf_digests(idc, balances))
    if len(levels[0]) != n or tuple(int(x) for x in levels[-1][0]) != tuple(s.root):
        raise ValueError("the leaves do not hash to the statement's root")
    trace, looked_up = build_rows(layout, air.main_width, idc, balances, levels)
    fill_range_table(trace, layout.table, np.concatenate(looked_up))
    return trace


def build_rows(layout, width: int, idc: np.ndarray, balances: np.ndarray, levels: list[np.ndarray]
               ) -> tuple[np.ndarray, list[np.ndarray]]:
    """The (width, active_rows) trace of the shared families (permutations, flags, ids, limbs, accumulators,
    carries) over leaves `idc || balances`, and every value they look up in the range table (not yet filled in).
    Unchecked: callers check the leaves against their statement (the margin policy's trace reuses this)."""
    c = layout.cols
    n, a, chunks = layout.leaves, layout.assets, layout.chunks
    trace = threads.zeros((width, layout.active_rows))  # 1 GB at 2^16 leaves: first written on every thread
    assert c.state + [i for r in c.full for i in r] + c.partial == list(range(SBOX_COLUMNS))
    permutations = trace[:SBOX_COLUMNS]  # each row's permutation, written there by the batch kernel

    # Leaf sponges, segment k = rows [kN, (k+1)N): each chunk's capacity is the previous chunk's output.
    states = np.zeros((n, p2.WIDTH), dtype=np.uint64)
    states[:, RATE:] = (DOMAIN_LEAF, DIGEST_ELEMENTS + a, 0, 0)
    for k in range(chunks):
        seg = slice(layout.segment_start(k), layout.segment_end(k) + 1)
        lanes = slice(k * RATE - DIGEST_ELEMENTS, (k + 1) * RATE - DIGEST_ELEMENTS)  # asset columns of chunk k
        if k == 0:
            states[:, :DIGEST_ELEMENTS] = idc
            states[:, DIGEST_ELEMENTS:DIGEST_ELEMENTS + min(a, RATE - DIGEST_ELEMENTS)] = \
                balances[:, :RATE - DIGEST_ELEMENTS]
        else:
            block = balances[:, lanes]
            states[:, :RATE] = 0
            states[:, :block.shape[1]] = block
        out, _ = permute_batch_with_sboxes(states, permutations, seg.start)
        states[:, RATE:] = out[:, RATE:]
        trace[c.leaf_chunk[k], seg] = 1
        trace[c.heap_id, seg] = np.arange(n, 2 * n, dtype=np.uint64)
        trace[c.seg_end, layout.segment_end(k)] = 1

    # Tree nodes: node k (heap order) sits at row leaf_rows + (N - 1 - k); its inputs are its children's digests.
    nodes = np.zeros((n - 1, p2.WIDTH), dtype=np.uint64)
    nodes[:, RATE:] = (DOMAIN_NODE, 2 * DIGEST_ELEMENTS, 0, 0)
    for children in levels[:-1]:
        ids = np.arange(len(children) // 2, len(children))
        rows = layout.leaf_rows + (n - 1 - ids)
        nodes[rows - layout.leaf_rows, :DIGEST_ELEMENTS] = children[0::2]
        nodes[rows - layout.leaf_rows, DIGEST_ELEMENTS:RATE] = children[1::2]
        trace[c.node, rows] = 1
        trace[c.heap_id, rows] = ids
    trace[c.root, layout.root_row] = 1
    permute_batch_with_sboxes(nodes, permutations, layout.leaf_rows)
    del nodes

    # The rows after the nodes permute the zero state: one permutation, copied to all of them.
    filler = slice(layout.leaf_rows + n - 1, layout.active_rows)
    _, zero = permute_batch_with_sboxes(np.zeros((1, p2.WIDTH), dtype=np.uint64))
    permutations[:, filler] = zero

    # Limbs of every range-checked lane (leaf rows; not the idc); per-lane accumulators restarting each segment;
    # on each segment's end, the carry q = acc_lo >> 32 (below N <= 2^31) as two 16-bit limbs.
    leaf = slice(0, layout.leaf_rows)
    ends = [layout.segment_end(k) for k in range(chunks)]
    looked_up = []
    for lane in range(RATE):
        values = trace[c.state[lane], leaf].copy()
        if lane < DIGEST_ELEMENTS:
            values[:n] = 0
        for t in range(LIMBS):
            trace[c.limbs[lane][t], leaf] = (values >> np.uint64(LIMB_BITS * t)) & np.uint64(0xFFFF)
        limbs = trace[c.limbs[lane], leaf][:, n if lane < DIGEST_ELEMENTS else 0:]
        looked_up += [limbs.reshape(-1), limbs[-1] + TOP_LIMB_SHIFT]
        by_segment = values.reshape(chunks, n)
        acc_lo = np.cumsum(by_segment & _LOW32, axis=1, dtype=np.uint64)
        acc_hi = np.cumsum(by_segment >> np.uint64(32), axis=1, dtype=np.uint64)
        trace[c.acc_lo[lane], leaf] = acc_lo.reshape(-1)
        trace[c.acc_hi[lane], leaf] = acc_hi.reshape(-1)
        q = acc_lo[:, -1] >> np.uint64(32)
        trace[c.carry_lo[lane], ends] = q & np.uint64(0xFFFF)
        trace[c.carry_hi[lane], ends] = q >> np.uint64(16)
        looked_up += [trace[c.carry_lo[lane], ends], trace[c.carry_hi[lane], ends],
                      trace[c.carry_hi[lane], ends] + np.uint64(TOP_LIMB_SHIFT)]
    return trace, looked_up
