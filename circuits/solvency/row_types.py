"""Row types and heap ids, forced by the layout: leaf chunks, then nodes, then filler and totals rows.

Flags are boolean and exclusive, follow each other only in the layout's order, and start where the public leaf
count says; heap ids count leaves up from N and nodes down from N-1 to the root's 1. This is what lets the
Merkle bus (`tree`) balance only on the honest tree."""
from __future__ import annotations

from circuits.air import BOUNDARY, EVERY_ROW, Constraint
from circuits.expr import const
from circuits.solvency.layout import Row


def constraints(cur: Row, nxt: Row) -> list[Constraint]:
    layout = cur.layout
    n, chunks = layout.leaves, layout.chunks
    lc, lc1 = cur.leaf_chunk, nxt.leaf_chunk
    node, node1, root, totals = cur.node, nxt.node, cur.root, cur.totals
    heap, heap1 = cur.heap, nxt.heap
    cs = []
    flags = lc + [node, totals]
    any_flag = sum(flags[1:], flags[0])
    for name, f in zip([f"lc_{k}" for k in range(chunks)] + ["node", "totals"], flags):
        cs.append(Constraint(f"{name} is boolean", f * (f - 1), EVERY_ROW))
    cs.append(Constraint("row types are exclusive", any_flag * (any_flag - 1), EVERY_ROW))
    cs.append(Constraint("root is boolean", root * (root - 1), EVERY_ROW))
    cs.append(Constraint("root is a node", root * (1 - node), EVERY_ROW))
    last = chunks - 1
    for k in range(last):
        cs.append(Constraint(f"lc_{k} is followed by lc_{k + 1}", lc[k] * (1 - lc1[k + 1])))
        cs.append(Constraint(f"lc_{k + 1} follows lc_{k}", lc1[k + 1] * (1 - lc[k])))
    cs.append(Constraint("a leaf's last chunk is followed by a leaf or a node", lc[last] * (1 - lc1[0] - node1)))
    cs.append(Constraint("a leaf starts after a leaf", lc1[0] * (1 - lc[last])))
    cs.append(Constraint("a node follows a node or a leaf", node1 * (1 - node - lc[last])))
    cs.append(Constraint("the trace starts with a leaf", lc[0] - 1, BOUNDARY, 0))
    for k in range(1, chunks):
        cs.append(Constraint(f"the trace does not start with lc_{k}", lc[k], BOUNDARY, 0))
    cs.append(Constraint("nodes start after the last leaf", node - 1, BOUNDARY, layout.leaf_rows))
    cs.append(Constraint("the root row is a node", node - 1, BOUNDARY, layout.root_row))
    cs.append(Constraint("the root row is the root", root - 1, BOUNDARY, layout.root_row))
    for t in range(layout.total_rows):
        cs.append(Constraint(f"totals row {t}", totals - 1, BOUNDARY, layout.first_total_row + t))

    continuing = sum(lc1[1:], const(0))
    cs.append(Constraint("first leaf id is N", heap - n, BOUNDARY, 0))
    cs.append(Constraint("leaf ids count up", lc1[0] * (heap1 - heap - 1)))
    cs.append(Constraint("a leaf keeps its id", continuing * (heap1 - heap)))
    cs.append(Constraint("first node id is N-1", heap - (n - 1), BOUNDARY, layout.leaf_rows))
    cs.append(Constraint("node ids count down", node * node1 * (heap1 - heap + 1)))
    cs.append(Constraint("the root has id 1", heap - 1, BOUNDARY, layout.root_row))
    return cs
