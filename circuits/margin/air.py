"""The margin AIR (`por/margin/2`): the liabilities AIR's families over a leaf of per-asset slots (free equity,
debt, collateral per kind), so every slot is range-checked, hashed into the root and totalled exactly as a plain
balance is, plus `values`: every leaf solvent under the public prices and haircut tiers."""
from __future__ import annotations

from circuits import poseidon2_air
from circuits.air import Air, Constraint, Interaction
from circuits.field import P
from circuits.margin import values
from circuits.margin.layout import MarginLayout, MarginRow
from circuits.margin.statement import MarginStatement
from circuits.solvency import balances, row_types, sponge, totals, tree


class MarginAir(Air):
    max_degree = 7
    name = "por/margin/2"  # 2: lo and hi as the lookup's expressions, two-digit slopes and starts, six value positions

    def __init__(self, statement: MarginStatement, zk_rows: int):
        self.statement = statement
        self.slot_keys = statement.policy.slot_keys()
        bands = statement.policy.bands()
        self.table_period = 1 << max(0, (len(bands) - 1).bit_length())
        self.table = [b.row() for b in bands] + [bands[0].row()] * (self.table_period - len(bands))
        self.layout = MarginLayout(statement.leaves, statement.slots, zk_rows, self.table_period)
        self.trace_length, self.active_rows = self.layout.trace_length, self.layout.active_rows
        self.main_width = self.layout.width

    def constraints(self) -> list[Constraint]:
        cur, nxt = MarginRow(self.layout, 0), MarginRow(self.layout, 1)
        out = poseidon2_air.outputs(cur.state, cur.sboxes)
        return (poseidon2_air.constraints(cur.state, cur.sboxes) + row_types.constraints(cur, nxt)
                + tree.constraints(cur, out, self.statement.root) + sponge.constraints(cur, out)
                + balances.constraints(cur) + totals.constraints(cur, nxt, totals.constant_halves(self.statement.slot_totals()))
                + values.constraints(cur) + self.layout.table.constraints())

    def interactions(self) -> list[Interaction]:
        cur = MarginRow(self.layout)
        out = poseidon2_air.outputs(cur.state, cur.sboxes)
        sent, received = values.carried(cur)
        return (balances.interactions(cur) + totals.interactions(cur) + tree.interactions(cur, out)
                + sponge.interactions(cur, out, sent, received) + values.interactions(cur, self.slot_keys)
                + self.layout.table.interactions())

    def periodic_columns(self) -> list[list[int]]:
        """The band table, one column per tuple element, as field elements (negative slopes as p - x)."""
        return [[entry[i] % P for entry in self.table] for i in range(values.TABLE_VALUES)]

    def public_inputs(self) -> bytes:
        return self.statement.encode()
