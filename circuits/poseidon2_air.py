"""The Poseidon2 permutation (circuits.poseidon2) as constraints over any group of columns: the 12 input lanes and
every S-box output are cells, the linear layers between them are linear expressions, so each S-box costs one
degree-7 constraint and nothing else. The liabilities AIR (one permutation per row) and the recursion chips
(`circuits.recursion`) both use this one definition.

The S-box cells are given flat, in the order the prover's batch kernel records them
(`prover.engine.poseidon2_batch.permute_batch_with_sboxes`): the full rounds' outputs round by round (8 x 12),
then the partial rounds' (22).
"""
from __future__ import annotations

from circuits import poseidon2 as p2
from circuits.air import EVERY_ROW, Constraint
from circuits.expr import Expr

SBOXES = p2.FULL_ROUNDS * p2.WIDTH + p2.PARTIAL_ROUNDS  # S-box output cells of one permutation: 118


def split_sboxes(sboxes: list) -> tuple[list[list], list]:
    """(full rounds' outputs as 8 lists of 12, partial rounds' 22) from the flat S-box list."""
    if len(sboxes) != SBOXES:
        raise ValueError(f"a permutation has {SBOXES} S-box cells, got {len(sboxes)}")
    full = [list(sboxes[r * p2.WIDTH:(r + 1) * p2.WIDTH]) for r in range(p2.FULL_ROUNDS)]
    return full, list(sboxes[p2.FULL_ROUNDS * p2.WIDTH:])


def permutation(inputs: list[Expr], sboxes: list[Expr]) -> tuple[list[tuple[str, Expr, Expr]], list[Expr]]:
    """Every S-box as (name, output cell, input expression), and the output lanes as expressions of the input
    lanes and S-box cells."""
    if len(inputs) != p2.WIDTH:
        raise ValueError(f"a permutation has {p2.WIDTH} input lanes, got {len(inputs)}")
    full, partial = split_sboxes(sboxes)
    out = []
    state = p2.external_linear_layer(list(inputs))
    for r in range(p2.FULL_ROUNDS):
        if r == p2.HALF_FULL_ROUNDS:
            for i in range(p2.PARTIAL_ROUNDS):
                out.append((f"partial round {i} S-box", partial[i], state[0] + p2.INTERNAL_ROUND_CONSTANTS[i]))
                state = p2.internal_linear_layer([partial[i]] + state[1:])
        for lane in range(p2.WIDTH):
            out.append((f"full round {r} lane {lane} S-box", full[r][lane],
                        state[lane] + p2.EXTERNAL_ROUND_CONSTANTS[r][lane]))
        state = p2.external_linear_layer(full[r])
    return out, state


def constraints(inputs: list[Expr], sboxes: list[Expr], prefix: str = "") -> list[Constraint]:
    """One constraint per S-box, `output - input^7`, on every row; `prefix` names the column group."""
    return [Constraint(prefix + name, cell - x ** 7, EVERY_ROW) for name, cell, x in permutation(inputs, sboxes)[0]]


def outputs(inputs: list[Expr], sboxes: list[Expr]) -> list[Expr]:
    """The permutation's 12 output lanes, as expressions of the group's cells."""
    return permutation(inputs, sboxes)[1]
