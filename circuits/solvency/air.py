"""The liabilities AIR: every family's constraints and interactions over one layout, for one statement."""
from __future__ import annotations

from circuits import poseidon2_air
from circuits.air import Air, Constraint, Interaction
from circuits.solvency import balances, row_types, sponge, totals, tree
from circuits.solvency.layout import Layout, Row
from circuits.solvency.statement import Statement


class SolvencyAir(Air):
    max_degree = 7
    name = "por/solvency/2"  # 2: chunk-major segments, sponge bus, per-lane accumulators

    def __init__(self, statement: Statement, zk_rows: int):
        self.statement = statement
        self.layout = Layout(statement.leaves, len(statement.assets), zk_rows)
        self.trace_length, self.active_rows = self.layout.trace_length, self.layout.active_rows
        self.main_width = self.layout.cols.width

    def constraints(self) -> list[Constraint]:
        cur, nxt = Row(self.layout, 0), Row(self.layout, 1)
        out = poseidon2_air.outputs(cur.state, cur.sboxes)
        return (poseidon2_air.constraints(cur.state, cur.sboxes) + row_types.constraints(cur, nxt)
                + tree.constraints(cur, out, self.statement.root) + sponge.constraints(cur, out)
                + balances.constraints(cur) + totals.constraints(cur, nxt, self.statement.totals)
                + self.layout.table.constraints())

    def interactions(self) -> list[Interaction]:
        cur = Row(self.layout, 0)
        out = poseidon2_air.outputs(cur.state, cur.sboxes)
        return (balances.interactions(cur) + totals.interactions(cur) + tree.interactions(cur, out)
                + sponge.interactions(cur, out) + self.layout.table.interactions())

    def public_inputs(self) -> bytes:
        return self.statement.encode()
