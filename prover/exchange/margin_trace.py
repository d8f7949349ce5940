"""The margin trace (circuits.margin): the liabilities trace over the leaves' slots (`solvency_trace.build_rows`),
then per lane the band its amount falls in, the limbs proving it, the leaf's value sums carried from chunk to
chunk, and their normalization on its last chunk."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from circuits.field import P
from circuits.margin import MarginAir
from circuits.margin.layout import CARRY_LIMBS, POSITIONS, SLOPE_POSITIONS, START_POSITIONS
from circuits.margin.policy import AMOUNT_BOUND
from circuits.margin.values import AMOUNT_TOP_SHIFT, CARRY_OFFSET, TOP_CARRY_SHIFT
from circuits.solvency.balances import TOP_LIMB_SHIFT
from circuits.solvency.layout import LIMB_BITS, LIMBS
from circuits.tree_hash import DIGEST_ELEMENTS, RATE
from prover.engine.range_table import fill_range_table
from prover.exchange.solvency_trace import build_rows, exact_totals
from prover.exchange.tree import leaf_digests, tree_levels

_MASK = np.uint64(0xFFFF)


@dataclass
class MarginWitness:
    """The private leaves in tree order: idc (N, 4) and slots (N, A * (2 + K)), per asset free equity, debt and
    collateral per kind (`circuits.margin.policy.Policy.slot_keys`)."""

    idc: np.ndarray
    slots: np.ndarray


def build_margin_trace(air: MarginAir, witness: MarginWitness, levels: list[np.ndarray] | None = None) -> np.ndarray:
    """The (main_width, active_rows) trace; refuses leaves that do not match the statement's root or totals, or
    that are not solvent under its policy."""
    s, layout = air.statement, air.layout
    idc = np.asarray(witness.idc, dtype=np.uint64)
    slots = np.asarray(witness.slots, dtype=np.uint64)
    if idc.shape != (s.leaves, DIGEST_ELEMENTS) or slots.shape != (s.leaves, s.slots):
        raise ValueError("witness shapes do not match the statement")
    if (slots >= np.uint64(AMOUNT_BOUND)).any():
        raise ValueError("a slot is not below 2^62")
    for j, (got, total) in enumerate(zip(exact_totals(slots), s.slot_totals())):
        if got != total:
            raise ValueError(f"slot {j}: leaves sum to {got}, not {total}")
    if levels is None:
        levels = tree_levels(leaf_digests(idc, slots))
    if len(levels[0]) != s.leaves or tuple(int(x) for x in levels[-1][0]) != tuple(s.root):
        raise ValueError("the leaves do not hash to the statement's root")
    trace, looked_up = build_rows(layout, air.main_width, idc, slots, levels)
    top = fill_margin(air, trace, looked_up)
    insolvent = np.flatnonzero(top < 0)
    if insolvent.size:
        raise ValueError(f"leaves {list(insolvent[:10])} are not solvent under the policy")
    fill_range_table(trace, layout.table, np.concatenate(looked_up))
    return trace


def _field(x: np.ndarray) -> np.ndarray:
    """Signed int64 values as field elements."""
    return np.where(x < 0, np.uint64(P) - (-x).astype(np.uint64), x.astype(np.uint64))


def _sub(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a - b mod p for field elements."""
    return np.where(a >= b, a - b, a + (np.uint64(P) - b))


def _limbs(values: np.ndarray) -> list[np.ndarray]:
    return [(values >> np.uint64(LIMB_BITS * t)) & _MASK for t in range(LIMBS)]


def fill_margin(air: MarginAir, trace: np.ndarray, looked_up: list) -> np.ndarray:
    """Write the margin columns from the trace's slot values as they stand; append what they look up in the range
    table to `looked_up`. Returns each leaf's top carry (negative for a leaf the policy does not cover; its
    columns are then written anyway, as a cheating prover would)."""
    layout, m = air.layout, air.layout.margin
    n, chunks = layout.leaves, layout.chunks
    entries = air.table[:len(air.statement.policy.bands())]
    signed = np.array(entries, dtype=np.int64)  # every entry is below 2^63 in size
    field = _field(signed)
    counts = np.zeros(len(entries), dtype=np.int64)
    acc = np.zeros((POSITIONS, n), dtype=np.int64)
    for k in range(chunks):
        rows = slice(layout.segment_start(k), layout.segment_end(k) + 1)
        parts = np.zeros((POSITIONS, n), dtype=np.int64)
        for lane in range(RATE):
            slot = k * RATE + lane - DIGEST_ELEMENTS
            key = air.slot_keys[slot] if 0 <= slot < layout.assets else 0
            x = trace[layout.cols.state[lane], rows].copy() if slot >= 0 else np.zeros(n, dtype=np.uint64)
            if slot >= 0:  # a slot (or padding), not the idc: below 2^62
                looked_up.append(trace[layout.cols.limbs[lane][-1], rows] + np.uint64(AMOUNT_TOP_SHIFT))
            ours = np.flatnonzero(signed[:, 0] == key)
            chosen = ours[np.maximum(np.searchsorted(signed[ours, 1].astype(np.uint64), x, side="right") - 1, 0)]
            counts += np.bincount(chosen, minlength=len(entries))
            lo, hi = field[chosen, 1], field[chosen, 2]
            for i, col in enumerate(m.start[lane] + m.slope[lane]):
                trace[col, rows] = field[chosen, 3 + i]
            u, w = _limbs(_sub(x, lo)), _limbs(_sub(hi, x))  # p - y where x is outside every band
            for limbs, cols in ((u, m.u[lane]), (w, m.w[lane])):
                for limb, col in zip(limbs, cols):
                    trace[col, rows] = limb
                looked_up += limbs + [limbs[-1] + np.uint64(TOP_LIMB_SHIFT)]
            starts = signed[chosen, 3:3 + len(m.start[lane])].T
            slopes = signed[chosen, 3 + len(m.start[lane]):].T
            for i, limb in enumerate(u):
                for position, s in zip(SLOPE_POSITIONS, slopes):
                    parts[i + position] += limb.astype(np.int64) * s
            for position, digit in zip(START_POSITIONS, starts):
                parts[position] += digit
        acc += parts
        for p, col in enumerate(m.acc):
            trace[col, rows] = _field(acc[p])
    trace[m.band_multiplicity] = 0
    trace[m.band_multiplicity, :len(entries)] = counts.astype(np.uint64)

    last = slice(layout.segment_start(chunks - 1), layout.segment_end(chunks - 1) + 1)
    below = np.zeros(n, dtype=np.int64)
    for p in range(POSITIONS):
        total = acc[p] + below
        digit, below = total & 0xFFFF, total >> 16  # floor division: carries may be negative
        stored = _field(below + (CARRY_OFFSET if p < POSITIONS - 1 else 0))
        trace[m.digit[p], last] = digit.astype(np.uint64)
        looked_up.append(trace[m.digit[p], last])
        for t, col in enumerate(m.carry[p]):  # the top limb takes the rest: a negative top carry is out of range
            shifted = stored >> np.uint64(LIMB_BITS * t)
            trace[col, last] = shifted if t == CARRY_LIMBS - 1 else shifted & _MASK
            looked_up.append(trace[col, last])
    looked_up.append(trace[m.carry[-1][-1], last] + np.uint64(TOP_CARRY_SHIFT))
    return below
