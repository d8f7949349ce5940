"""Sponge framing of the leaf and node hashes (circuits.tree_hash): each hash's capacity starts with its domain
tag and message length, and padding lanes are zero.

A leaf's chunks sit in different segments (N rows apart), so its capacity is carried from chunk k to chunk k+1 by
a LogUp bus: a row of segment k < C-1 sends (output capacity, heap id, k) and a row of segment k >= 1 receives
(input capacity, heap id, k - 1). Heap ids are distinct within a segment and k is fixed by the flags
(`row_types`), so each (id, k) is sent once and received once, and the bus balances only if every chunk's input
capacity is the output capacity of the previous chunk of the same leaf."""
from __future__ import annotations

from circuits import poseidon2 as p2
from circuits.air import EVERY_ROW, Constraint, Interaction
from circuits.expr import Expr
from circuits.solvency.layout import Row
from circuits.tree_hash import DIGEST_ELEMENTS, DOMAIN_LEAF, DOMAIN_NODE, RATE

SPONGE_BUS = 2


def constraints(cur: Row, out: list[Expr]) -> list[Constraint]:
    """`out` is the current row's permutation output."""
    layout = cur.layout
    lc, state = cur.leaf_chunk, cur.state
    cs = []
    for name, flag, domain, length in (("leaf", lc[0], DOMAIN_LEAF, DIGEST_ELEMENTS + layout.assets),
                                       ("node", cur.node, DOMAIN_NODE, 2 * DIGEST_ELEMENTS)):
        for i, value in enumerate([domain, length, 0, 0]):
            cs.append(Constraint(f"{name} capacity {i}", flag * (state[RATE + i] - value), EVERY_ROW))
    last = layout.chunks - 1
    for lane in range(DIGEST_ELEMENTS + layout.assets - RATE * last, RATE):
        cs.append(Constraint(f"padding lane {lane} is zero", lc[last] * state[lane], EVERY_ROW))
    return cs


def interactions(cur: Row, out: list[Expr], sent: tuple[Expr, ...] = (), received: tuple[Expr, ...] = ()
                 ) -> list[Interaction]:
    """`sent` and `received`: further values a leaf carries from chunk to chunk beside its capacity (the margin
    policy's running value sums); none for the plain policy."""
    lc = cur.leaf_chunk
    if len(lc) == 1:
        return []
    k = cur.chunk_index
    sending = sum(lc[1:-1], lc[0])
    receiving = sum(lc[2:], lc[1])
    return [Interaction(SPONGE_BUS, sending, (*out[RATE:p2.WIDTH], *sent, cur.heap, k)),
            Interaction(SPONGE_BUS, -receiving, (*cur.state[RATE:p2.WIDTH], *received, cur.heap, k - 1))]
