"""Random constraint expressions over a few main, aux and periodic columns, challenges and constants: the
evaluators (verifier scalars, prover arrays, the quotient's register machine) must agree on them."""
import random

from circuits.expr import aux_col, challenge, const, main_col, periodic
from circuits.field import P

MAIN_COLUMNS, AUX_COLUMNS, PERIODIC_COLUMNS, CHALLENGES = 3, 2, 2, 2


def random_expr(rng: random.Random, depth: int):
    if depth == 0:
        kind = rng.randrange(5)
        if kind == 0:
            return main_col(rng.randrange(MAIN_COLUMNS), rng.randrange(2))
        if kind == 1:
            return aux_col(rng.randrange(AUX_COLUMNS), rng.randrange(2))
        if kind == 2:
            return periodic(rng.randrange(PERIODIC_COLUMNS))
        if kind == 3:
            return challenge(rng.randrange(CHALLENGES))
        return const(rng.randrange(P))
    a, b = random_expr(rng, depth - 1), random_expr(rng, rng.randrange(depth))
    op = rng.randrange(5)
    if op == 0:
        return a + b
    if op == 1:
        return a - b
    if op == 2:
        return a * b
    if op == 3:
        return -a
    return rng.randrange(P) * a + b  # int on the left
