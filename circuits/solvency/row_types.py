"""Row types, heap ids and segment ends, forced by the layout: C leaf segments of N rows each, then nodes, then
filler rows.

Flags are boolean and exclusive. lc_0 holds on row 0 and never starts later; lc_{k+1} starts only right after an
lc_k row, and lc_k is followed only by lc_k or lc_{k+1} (the last chunk by itself or a node); with lc_k pinned on
the first and last row of its segment, each lc_k holds on exactly the rows [kN, (k+1)N). Nodes start only after
the last segment. Heap ids are N on each segment's first row and count up by one within a segment (leaf i has id
N + i in every segment), and count down from N-1 to the root's 1 on node rows. `seg_end` is 1 exactly on each
segment's last row (and 0 on the last active row, which no transition reaches). This is what lets the sponge
bus, the Merkle bus (`tree`) and the per-segment totals (`totals`) mean what they say."""
from __future__ import annotations

from circuits.air import BOUNDARY, EVERY_ROW, Constraint
from circuits.solvency.layout import Row


def constraints(cur: Row, nxt: Row) -> list[Constraint]:
    layout = cur.layout
    n, chunks = layout.leaves, layout.chunks
    lc, lc1 = cur.leaf_chunk, nxt.leaf_chunk
    node, node1, root = cur.node, nxt.node, cur.root
    heap, heap1 = cur.heap, nxt.heap
    cs = []
    flags = lc + [node]
    any_flag = sum(flags[1:], flags[0])
    for name, f in zip([f"lc_{k}" for k in range(chunks)] + ["node"], flags):
        cs.append(Constraint(f"{name} is boolean", f * (f - 1), EVERY_ROW))
    cs.append(Constraint("row types are exclusive", any_flag * (any_flag - 1), EVERY_ROW))
    cs.append(Constraint("root is boolean", root * (root - 1), EVERY_ROW))
    cs.append(Constraint("root is a node", root * (1 - node), EVERY_ROW))

    last = chunks - 1
    cs.append(Constraint("lc_0 starts only on row 0", lc1[0] * (1 - lc[0])))
    for k in range(last):
        cs.append(Constraint(f"lc_{k} is followed by lc_{k} or lc_{k + 1}", lc[k] * (1 - lc1[k] - lc1[k + 1])))
        cs.append(Constraint(f"lc_{k + 1} follows lc_{k + 1} or lc_{k}", lc1[k + 1] * (1 - lc[k + 1] - lc[k])))
    cs.append(Constraint(f"lc_{last} is followed by lc_{last} or a node", lc[last] * (1 - lc1[last] - node1)))
    cs.append(Constraint("a node follows a node or the last chunk", node1 * (1 - node - lc[last])))
    for k in range(chunks):
        cs.append(Constraint(f"lc_{k} on the first row of segment {k}", lc[k] - 1, BOUNDARY, layout.segment_start(k)))
        cs.append(Constraint(f"lc_{k} on the last row of segment {k}", lc[k] - 1, BOUNDARY, layout.segment_end(k)))
    cs.append(Constraint("nodes start after the last segment", node - 1, BOUNDARY, layout.leaf_rows))
    cs.append(Constraint("the root row is a node", node - 1, BOUNDARY, layout.root_row))
    cs.append(Constraint("the root row is the root", root - 1, BOUNDARY, layout.root_row))

    ending = sum((f * (1 - f1) for f, f1 in zip(lc[1:], lc1[1:])), lc[0] * (1 - lc1[0]))
    cs.append(Constraint("seg_end marks the segment ends", cur.seg_end - ending))
    cs.append(Constraint("seg_end is 0 on the last active row", cur.seg_end, BOUNDARY, -1))

    within = sum((f * f1 for f, f1 in zip(lc[1:], lc1[1:])), lc[0] * lc1[0])
    for k in range(chunks):
        cs.append(Constraint(f"segment {k} starts with leaf id N", heap - n, BOUNDARY, layout.segment_start(k)))
    cs.append(Constraint("leaf ids count up within a segment", within * (heap1 - heap - 1)))
    cs.append(Constraint("first node id is N-1", heap - (n - 1), BOUNDARY, layout.leaf_rows))
    cs.append(Constraint("node ids count down", node * node1 * (heap1 - heap + 1)))
    cs.append(Constraint("the root has id 1", heap - 1, BOUNDARY, layout.root_row))
    return cs
