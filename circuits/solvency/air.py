"""The liabilities AIR: every family's constraints and interactions over one layout, for one statement."""
from __future__ import annotations

from circuits import poseidon2_air
from circuits.air import Air, Constraint, Interaction
from circuits.expr import public_value
from circuits.recursion.statement import ROOT_AT, TOTALS_AT
from circuits.solvency import balances, row_types, sponge, totals, tree
from circuits.solvency.layout import Layout, Row
from circuits.solvency.statement import Statement
from circuits.tree_hash import DIGEST_ELEMENTS


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
                + tree.constraints(cur, out, [public_value(ROOT_AT + i) for i in range(DIGEST_ELEMENTS)])
                + sponge.constraints(cur, out) + balances.constraints(cur)
                + totals.constraints(cur, nxt, totals.public_halves(TOTALS_AT, len(self.statement.totals)))
                + self.layout.table.constraints())

    def interactions(self) -> list[Interaction]:
        cur = Row(self.layout, 0)
        out = poseidon2_air.outputs(cur.state, cur.sboxes)
        return (balances.interactions(cur) + totals.interactions(cur) + tree.interactions(cur, out)
                + sponge.interactions(cur, out) + self.layout.table.interactions())

    def public_inputs(self) -> bytes:
        return self.statement.encode()

    def public_values(self) -> list[int]:
        """The statement as its aggregation claim (root and totals are read from here by the constraints)."""
        return self.statement.claim().elements()
