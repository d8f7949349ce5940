"""The Merkle tree inside the proof: a LogUp bus of (digest, heap id). Leaf i's last chunk sends its digest with
id N+i; node k receives its children (ids 2k, 2k+1) and, unless it is the root, sends its own digest with id k.
The root's output is the public root. Ids are forced by `row_types`, so the bus balances only if every node
hashes exactly its two children."""
from __future__ import annotations

from circuits.air import BOUNDARY, Constraint, Interaction
from circuits.expr import Expr
from circuits.solvency.layout import Row
from circuits.tree_hash import DIGEST_ELEMENTS, RATE

MERKLE_BUS = 1


def constraints(row: Row, out: list[Expr], root) -> list[Constraint]:
    """`root`: the public root's elements, constants or expressions."""
    return [Constraint(f"root element {i}", out[i] - root[i], BOUNDARY, row.layout.root_row)
            for i in range(DIGEST_ELEMENTS)]


def interactions(row: Row, out: list[Expr]) -> list[Interaction]:
    state, node, heap = row.state, row.node, row.heap
    return [
        Interaction(MERKLE_BUS, row.leaf_chunk[-1], (*out[:DIGEST_ELEMENTS], heap)),
        Interaction(MERKLE_BUS, -node, (*state[:DIGEST_ELEMENTS], heap * 2)),
        Interaction(MERKLE_BUS, -node, (*state[DIGEST_ELEMENTS:RATE], heap * 2 + 1)),
        Interaction(MERKLE_BUS, node - row.root, (*out[:DIGEST_ELEMENTS], heap)),
    ]
