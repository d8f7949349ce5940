"""The liabilities trace (circuits.solvency): every row's permutation, flags, heap ids, limbs and accumulators,
built from the private leaves and the tree the round already hashed (`prover.exchange.tree.tree_levels`), so the
tree is not hashed twice: node rows take their inputs from its levels, and one batch computes every S-box."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from circuits import poseidon2 as p2
from circuits.solvency import SolvencyAir
from circuits.solvency.balances import TOP_LIMB_SHIFT
from circuits.solvency.layout import LIMB_BITS, LIMBS
from circuits.tree_hash import DIGEST_ELEMENTS, DOMAIN_LEAF, DOMAIN_NODE, RATE
from prover.engine.range_table import fill_range_table
from prover.exchange.poseidon2_batch import permute_batch, permute_batch_with_sboxes
from prover.exchange.tree import leaf_digests, tree_levels


@dataclass
class Witness:
    """The private leaves in tree order (already shuffled and padded): idc (N, 4) and balances (N, A)."""

    idc: np.ndarray
    balances: np.ndarray


def exact_totals(balances: np.ndarray) -> tuple[int, ...]:
    """Per-asset column sums of (N, A) uint64 balances below 2^63 as exact ints: summed in 32-bit halves, so no
    uint64 sum can wrap (N <= 2^32)."""
    balances = np.asarray(balances, dtype=np.uint64)
    low = (balances & np.uint64(0xFFFF_FFFF)).sum(axis=0, dtype=np.uint64)
    high = (balances >> np.uint64(32)).sum(axis=0, dtype=np.uint64)
    return tuple((int(h) << 32) + int(lo) for h, lo in zip(high, low))


def build_main_trace(air: SolvencyAir, witness: Witness, levels: list[np.ndarray] | None = None) -> np.ndarray:
    """The (main_width, active_rows) trace; refuses leaves that do not match the statement's root or totals.

    `levels` are the tree's levels over these leaves (leaves first), computed here when not given."""
    s, layout = air.statement, air.layout
    c = layout.cols
    n, a, chunks = s.leaves, layout.assets, layout.chunks
    idc = np.asarray(witness.idc, dtype=np.uint64)
    balances = np.asarray(witness.balances, dtype=np.uint64)
    if idc.shape != (n, DIGEST_ELEMENTS) or balances.shape != (n, a):
        raise ValueError("witness shapes do not match the statement")
    if (balances >= np.uint64(1 << 63)).any():
        raise ValueError("a balance is not below 2^63")
    trace = np.zeros((air.main_width, air.active_rows), dtype=np.uint64)
    states = np.zeros((air.active_rows, p2.WIDTH), dtype=np.uint64)

    if levels is None:
        levels = tree_levels(leaf_digests(idc, balances))
    if len(levels[0]) != n or tuple(int(x) for x in levels[-1][0]) != tuple(s.root):
        raise ValueError("the leaves do not hash to the statement's root")

    # Leaf sponges: each chunk's capacity is the previous chunk's output (the last chunk's is the leaf digest).
    message = np.zeros((n, chunks * RATE), dtype=np.uint64)
    message[:, :DIGEST_ELEMENTS] = idc
    message[:, DIGEST_ELEMENTS:DIGEST_ELEMENTS + a] = balances
    capacity = np.tile(np.array([DOMAIN_LEAF, DIGEST_ELEMENTS + a, 0, 0], dtype=np.uint64), (n, 1))
    for k in range(chunks):
        rows = np.arange(n) * chunks + k
        states[rows, :RATE] = message[:, k * RATE:(k + 1) * RATE]
        states[rows, RATE:] = capacity
        if k + 1 < chunks:
            capacity = permute_batch(states[rows])[:, RATE:]
        trace[c.leaf_chunk[k], rows] = 1
    trace[c.heap_id, :layout.leaf_rows] = np.repeat(np.arange(n, 2 * n, dtype=np.uint64), chunks)

    # Tree nodes: node k (heap order) sits at row leaf_rows + (N - 1 - k); its inputs are its children's digests.
    for children in levels[:-1]:
        ids = np.arange(len(children) // 2, len(children))
        rows = layout.leaf_rows + (n - 1 - ids)
        states[rows, :DIGEST_ELEMENTS] = children[0::2]
        states[rows, DIGEST_ELEMENTS:RATE] = children[1::2]
        states[rows, RATE:] = np.array([DOMAIN_NODE, 2 * DIGEST_ELEMENTS, 0, 0], dtype=np.uint64)
        trace[c.node, rows] = 1
        trace[c.heap_id, rows] = ids
    trace[c.root, layout.root_row] = 1

    # Totals rows: lane = 2^32 * q for each asset; the accumulators' final values fix q.
    lo = (balances & np.uint64(0xFFFF_FFFF)).astype(np.uint64)
    hi = (balances >> np.uint64(32)).astype(np.uint64)
    for j, total in enumerate(s.totals):
        sum_lo, sum_hi = int(lo[:, j].sum(dtype=np.uint64)), int(hi[:, j].sum(dtype=np.uint64))
        if sum_lo + (sum_hi << 32) != total:
            raise ValueError(f"asset {s.assets[j][0]}: balances sum to {sum_lo + (sum_hi << 32)}, not {total}")
        row, lane = layout.total_slot(j)
        states[row, lane] = (sum_lo >> 32) << 32

    # Every permutation's S-box outputs.
    _, full, partial = permute_batch_with_sboxes(states)
    trace[c.state] = states.T
    for r in range(p2.FULL_ROUNDS):
        trace[c.full[r]] = full[:, r, :].T
    trace[c.partial] = partial.T
    trace[c.totals, layout.first_total_row:] = 1

    # Limbs of every range-checked lane; accumulators.
    checked = np.zeros((RATE, air.active_rows), dtype=bool)
    leaf_rows = np.arange(layout.leaf_rows)
    for lane in range(RATE):
        mask = checked[lane]
        mask[layout.first_total_row:] = True
        mask[leaf_rows] = (leaf_rows % chunks != 0) | (lane >= DIGEST_ELEMENTS)
        values = np.where(mask, trace[c.state[lane]], np.uint64(0))
        for t in range(LIMBS):
            trace[c.limbs[lane][t]] = (values >> np.uint64(LIMB_BITS * t)) & np.uint64(0xFFFF)
    for j in range(a):
        chunk, lane = layout.asset_slot(j)
        rows = np.arange(n) * chunks + chunk
        step_lo = np.zeros(air.active_rows, dtype=np.uint64)
        step_hi = np.zeros(air.active_rows, dtype=np.uint64)
        step_lo[rows], step_hi[rows] = lo[:, j], hi[:, j]
        trace[c.acc_lo[j]] = np.cumsum(step_lo, dtype=np.uint64)
        trace[c.acc_hi[j]] = np.cumsum(step_hi, dtype=np.uint64)

    looked_up = []
    for lane in range(RATE):
        limbs = trace[c.limbs[lane]][:, checked[lane]]
        looked_up += [limbs.reshape(-1), limbs[-1] + TOP_LIMB_SHIFT]
    fill_range_table(trace, layout.table, np.concatenate(looked_up))
    return trace
