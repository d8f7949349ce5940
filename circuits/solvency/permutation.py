"""One Poseidon2 permutation per row: the 12 input lanes and every S-box output are columns; the linear layers
between them are linear expressions, so each S-box costs one degree-7 constraint and nothing else."""
from __future__ import annotations

from circuits import poseidon2 as p2
from circuits.air import EVERY_ROW, Constraint
from circuits.expr import Expr
from circuits.solvency.layout import Row


def permutation(row: Row) -> tuple[list[tuple[str, Expr, Expr]], list[Expr]]:
    """Every S-box as (name, output column, input expression), and the output lanes as expressions of the
    input lanes and S-box output columns."""
    sboxes = []
    state = p2.external_linear_layer(row.state)
    for r in range(p2.FULL_ROUNDS):
        if r == p2.HALF_FULL_ROUNDS:
            for i in range(p2.PARTIAL_ROUNDS):
                partial = row.partial[i]
                sboxes.append((f"partial round {i} S-box", partial, state[0] + p2.INTERNAL_ROUND_CONSTANTS[i]))
                state = p2.internal_linear_layer([partial] + state[1:])
        for lane in range(p2.WIDTH):
            sboxes.append((f"full round {r} lane {lane} S-box", row.full[r][lane],
                           state[lane] + p2.EXTERNAL_ROUND_CONSTANTS[r][lane]))
        state = p2.external_linear_layer(row.full[r])
    return sboxes, state


def constraints(row: Row) -> list[Constraint]:
    sboxes, _ = permutation(row)
    return [Constraint(name, column - x ** 7, EVERY_ROW) for name, column, x in sboxes]
