"""Sponge framing of the leaf and node hashes (circuits.tree_hash): each hash's capacity starts with its domain
tag and message length, a leaf's capacity carries over between its chunks, and padding lanes are zero."""
from __future__ import annotations

from circuits import poseidon2 as p2
from circuits.air import EVERY_ROW, Constraint
from circuits.expr import Expr, const
from circuits.solvency.layout import Row
from circuits.tree_hash import DIGEST_ELEMENTS, DOMAIN_LEAF, DOMAIN_NODE, RATE


def constraints(cur: Row, nxt: Row, out: list[Expr]) -> list[Constraint]:
    """`out` is the current row's permutation output."""
    layout = cur.layout
    lc, state, state1 = cur.leaf_chunk, cur.state, nxt.state
    continuing = sum(nxt.leaf_chunk[1:], const(0))
    cs = []
    for name, flag, domain, length in (("leaf", lc[0], DOMAIN_LEAF, DIGEST_ELEMENTS + layout.assets),
                                       ("node", cur.node, DOMAIN_NODE, 2 * DIGEST_ELEMENTS)):
        for i, value in enumerate([domain, length, 0, 0]):
            cs.append(Constraint(f"{name} capacity {i}", flag * (state[RATE + i] - value), EVERY_ROW))
    for i in range(p2.WIDTH - RATE):
        cs.append(Constraint(f"leaf capacity {i} carries over", continuing * (state1[RATE + i] - out[RATE + i])))
    last = layout.chunks - 1
    for lane in range(DIGEST_ELEMENTS + layout.assets - RATE * last, RATE):
        cs.append(Constraint(f"padding lane {lane} is zero", lc[last] * state[lane], EVERY_ROW))
    return cs
