"""The quotient's register machine (prover/engine/constraint_program + constraint_vm) against the verifier's scalar
evaluation of the same expressions: every opcode, blocks with a ragged tail, the next row wrapping around; and
its column mode, LogUp's sums of inverses, against Python's field arithmetic."""
import random

import numpy as np
from random_exprs import (
    AUX_COLUMNS,
    CHALLENGES,
    MAIN_COLUMNS,
    PERIODIC_COLUMNS,
    random_expr,
)

from circuits.expr import Program, aux_col, challenge, const, main_col, periodic
from circuits.field import Ext, P
from prover.engine.constraint_program import OPCODE_NAMES, compile_constraints, inverse
from prover.engine.constraint_vm import BLOCK, evaluate_columns, evaluate_quotient
from verifier.stark.verify import SCALARS

POINTS = 2 * BLOCK + 37  # three blocks, the last one short


def _every_opcode():
    """Expressions that between them need every instruction (random ones may miss a rare form)."""
    a, b, e, f, t, c = main_col(0), main_col(1, 1), aux_col(0), aux_col(1, 1), periodic(0), challenge(0)
    return [a + b, a - b, a * b, -a, a + 5, a * 5, 5 - a, e + f, e - f, e * f, -e, e + a, e - a, a - e, e * a,
            e + c, e * c, c - e, a + c, a * c, c - a, t * 3, e, c * c + 1, a - 5, e - c, a - c, const(9)]


def test_register_machine_matches_scalar_evaluation():
    rng = random.Random(7)
    nprng = np.random.default_rng(7)
    exprs = _every_opcode() + [random_expr(rng, rng.randrange(1, 7)) for _ in range(150)]
    groups = [rng.randrange(4) for _ in exprs]
    coefficients = [Ext(rng.randrange(P), rng.randrange(P)) for _ in exprs]
    challenges = [Ext(rng.randrange(P), rng.randrange(P)) for _ in range(CHALLENGES)]
    main = nprng.integers(0, P, (MAIN_COLUMNS, POINTS), dtype=np.uint64)
    aux = nprng.integers(0, P, (2 * AUX_COLUMNS, POINTS), dtype=np.uint64)
    per = nprng.integers(0, P, (PERIODIC_COLUMNS, POINTS), dtype=np.uint64)
    inverses = nprng.integers(0, P, (4, POINTS), dtype=np.uint64)

    program = compile_constraints(exprs, groups, coefficients, challenges)
    assert {OPCODE_NAMES[op] for op in program.code[:, 0]} == set(OPCODE_NAMES) - {"E_INV"}  # the next test's
    out = np.empty((POINTS, 2), dtype=np.uint64)
    evaluate_quotient(program, main, aux, per, inverses, out)

    scalar = Program(exprs)
    for j in (0, 1, BLOCK - 1, BLOCK, 2 * BLOCK + 5, POINTS - 1):
        def leaf(node, j=j):
            if node.op == "main":
                col, offset = node.args
                return int(main[col, (j + offset) % POINTS])
            if node.op == "aux":
                col, offset = node.args
                k = (j + offset) % POINTS
                return Ext(int(aux[2 * col, k]), int(aux[2 * col + 1, k]))
            if node.op == "periodic":
                return int(per[node.args[0], j])
            if node.op == "challenge":
                return challenges[node.args[0]]
            return node.args[0]

        expected = Ext(0)
        for value, group, coefficient in zip(scalar.evaluate(SCALARS, leaf), groups, coefficients):
            expected = expected + Ext.lift(value) * coefficient * int(inverses[group, j])
        assert Ext(int(out[j, 0]), int(out[j, 1])) == expected, j


def test_no_instruction_writes_a_register_it_reads():
    """In-place instructions would defeat the vectorizer's alias checks (a 2.5x slower quotient)."""
    rng = random.Random(3)
    exprs = [random_expr(rng, 5) for _ in range(60)]
    program = compile_constraints(exprs, [0] * len(exprs), [Ext(1)] * len(exprs), [Ext(2, 3)] * CHALLENGES)
    same_file_reads = {"B_ADD", "B_SUB", "B_MUL", "E_ADD", "E_SUB", "E_MUL"}
    for op, dst, a, b in program.code:
        name = OPCODE_NAMES[op]
        if name in same_file_reads:
            assert dst not in (a, b), name
        elif name in {"B_NEG", "E_NEG", "B_ADD_C", "B_MUL_C", "B_RSUB_C", "E_ADD_X", "E_MUL_X", "E_RSUB_X"}:
            assert dst != a, name


def _scalar_leaf(main, per, challenges, rows, j):
    def leaf(node):
        if node.op == "main":
            col, offset = node.args
            return int(main[col, (j + offset) % rows])
        if node.op == "periodic":
            return int(per[node.args[0], j])
        if node.op == "challenge":
            return challenges[node.args[0]]
        return node.args[0]
    return leaf


def test_column_mode_sums_inverses_like_the_field():
    """evaluate_columns on the first `rows` of longer columns (the wrap at `rows`, a ragged last block): each
    column is sum_k m_k / e_k, as LogUp's helper columns are, checked point by point with Ext.inverse."""
    rng = random.Random(11)
    nprng = np.random.default_rng(11)
    rows = 2 * BLOCK + 37
    challenges = [Ext(rng.randrange(P), rng.randrange(P)) for _ in range(CHALLENGES)]
    main = nprng.integers(0, P, (MAIN_COLUMNS, rows + 20), dtype=np.uint64)
    per = nprng.integers(0, P, (PERIODIC_COLUMNS, rows + 20), dtype=np.uint64)
    terms = [[(challenge(0) - main_col(0) - challenge(1) * main_col(1, 1), main_col(2)),
              (challenge(1) + main_col(2, 1) * main_col(0), const(P - 1))],
             [(challenge(0) * main_col(1) + periodic(0), main_col(0) * main_col(1, 1)),
              (challenge(0) - const(7), const(3))]]
    sums = [sum((inverse(e) * m for e, m in column[1:]), inverse(column[0][0]) * column[0][1]) for column in terms]
    program = compile_constraints(sums, [0, 1], [Ext(1), Ext(1)], challenges)
    assert "E_INV" in {OPCODE_NAMES[op] for op in program.code[:, 0]}
    out = np.empty((2, rows, 2), dtype=np.uint64)
    evaluate_columns(program, main, per, rows, out)
    scalar = Program([e for column in terms for pair in column for e in pair])
    for j in (0, 1, BLOCK - 1, BLOCK, 2 * BLOCK + 5, rows - 1):
        values = scalar.evaluate(SCALARS, _scalar_leaf(main, per, challenges, rows, j))
        for g in range(2):
            expected = Ext(0)
            for e, m in zip(values[4 * g::2][:2], values[4 * g + 1::2][:2]):
                expected = expected + Ext.lift(e).inverse() * m
            assert Ext(int(out[g, j, 0]), int(out[g, j, 1])) == expected, (g, j)


def test_inverse_instruction_on_edge_values_and_random_ones(gf2):
    """E_INV against galois: X itself, -1, values whose parts are 0 or p - 1 (the norm a0^2 - 7 a1^2 is zero
    only for 0, 7 being no square), and random ones, over a ragged last block."""
    rng = np.random.default_rng(5)
    rows = BLOCK + 9
    values = rng.integers(0, P, (rows, 2), dtype=np.uint64)
    values[:5] = [[0, 1], [P - 1, 0], [5, P - 3], [1, 0], [0, P - 1]]
    program = compile_constraints([inverse(aux_col(0))], [0], [Ext(1)], [])
    out = np.empty((1, rows, 2), dtype=np.uint64)
    evaluate_columns(program, np.zeros((1, rows), dtype=np.uint64), np.zeros((0, rows), dtype=np.uint64), rows,
                     out, aux=np.ascontiguousarray(values.T))
    expected = gf2(1) / gf2([int(a) + int(b) * P for a, b in values])
    assert [int(a) + int(b) * P for a, b in out[0]] == [int(v) for v in expected]
