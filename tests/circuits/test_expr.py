"""Constraint expressions: degrees, constant folding, and the prover's array evaluation agreeing with the
verifier's scalar evaluation on random expressions mixing base and extension values."""
import random

import numpy as np
import pytest
from random_exprs import random_expr

from circuits.expr import CONST, Program, aux_col, challenge, const, main_col, main_columns, periodic, with_main_columns
from circuits.field import Ext, P
from prover.engine.array_algebra import ARRAYS
from verifier.stark.verify import SCALARS


def test_degrees():
    a, b, c = main_col(0), main_col(1, 1), aux_col(0)
    assert (a * b).degree == 2
    assert (a * b + c).degree == 2
    assert (a * b * c - 5).degree == 3
    assert (a ** 5).degree == 5
    assert (challenge(0) * a).degree == 1 and challenge(0).degree == 0
    assert periodic(0).degree == 1
    assert (a * 3).degree == 1 and (-(a * a)).degree == 2


def test_extension_flag():
    assert not (main_col(0) * periodic(0) + 3).is_ext
    assert (main_col(0) * challenge(1)).is_ext
    assert (aux_col(0) - main_col(0)).is_ext


def test_constant_folding():
    folded = (const(3) * 4 + 5) - const(7)
    assert folded.op == CONST and folded.args == (10,)
    assert (-const(1)).args == (P - 1,)
    assert (const(2) - 3).args == (P - 1,)
    a = main_col(0)
    assert a * 1 is a and 1 * a is a and a + 0 is a and 0 + a is a and a - 0 is a
    assert (a * 0).op == CONST and (a * 0).args == (0,)
    assert (0 * a).op == CONST and (a * 0).degree == 0


def test_invalid_operands():
    with pytest.raises(TypeError):
        main_col(0) + 1.5
    with pytest.raises(ValueError):
        main_col(0) ** 0


def test_shared_nodes_are_evaluated_once():
    a, b = main_col(0), aux_col(1, 1)
    shared = a * b
    program = Program([shared + shared, shared * 2])
    assert sum(node is shared for node in program.order) == 1


def test_arrays_and_scalars_agree_on_random_expressions():
    rng = random.Random(11)
    nprng = np.random.default_rng(11)
    rows = 16
    main = nprng.integers(0, P, (3, rows), dtype=np.uint64)
    aux = nprng.integers(0, P, (2, rows, 2), dtype=np.uint64)
    per = nprng.integers(0, P, (2, rows), dtype=np.uint64)
    challenges = [Ext(rng.randrange(P), rng.randrange(P)) for _ in range(2)]
    exprs = [random_expr(rng, rng.randrange(1, 6)) for _ in range(120)]
    program = Program(exprs)

    def array_leaf(node):
        if node.op == "main":
            col, offset = node.args
            return np.roll(main[col], -offset)
        if node.op == "aux":
            col, offset = node.args
            return np.roll(aux[col], -offset, axis=0)
        if node.op == "periodic":
            return per[node.args[0]]
        if node.op == "challenge":
            return challenges[node.args[0]]
        return node.args[0]

    array_values = program.evaluate(ARRAYS, array_leaf)
    kinds = set()
    for row in (0, 5, rows - 1):
        def scalar_leaf(node):
            if node.op == "main":
                col, offset = node.args
                return int(main[col, (row + offset) % rows])
            if node.op == "aux":
                col, offset = node.args
                return Ext(*(int(v) for v in aux[col, (row + offset) % rows]))
            if node.op == "periodic":
                return int(per[node.args[0], row])
            if node.op == "challenge":
                return challenges[node.args[0]]
            return node.args[0]

        scalar_values = program.evaluate(SCALARS, scalar_leaf)
        for expr, array_value, scalar_value in zip(exprs, array_values, scalar_values):
            if isinstance(array_value, np.ndarray):
                array_value = array_value[row]
                expected = (Ext(int(array_value[0]), int(array_value[1])) if array_value.ndim
                            else Ext(int(array_value)))
            else:
                expected = Ext.lift(array_value)
            assert Ext.lift(scalar_value % P if isinstance(scalar_value, int) else scalar_value) == expected, expr
            assert expr.is_ext or isinstance(scalar_value, int)
            kinds.add(expr.is_ext)
    assert kinds == {True, False}


def test_expressions_remapped_to_the_columns_they_read_evaluate_alike():
    """with_main_columns: the same values over an array holding only the columns read, in `main_columns` order;
    shared nodes stay shared, degrees unchanged, other leaves untouched."""
    rng = np.random.default_rng(4)
    shared = main_col(7) * main_col(2, 1)
    roots = [shared + aux_col(0) * challenge(1), shared * shared - periodic(0) + main_col(5) * 3]
    read = main_columns(roots)
    assert read == [2, 5, 7]
    remapped = with_main_columns(roots, {column: k for k, column in enumerate(read)})
    assert main_columns(remapped) == [0, 1, 2] and [r.degree for r in remapped] == [r.degree for r in roots]
    assert remapped[0].args[0] is remapped[1].args[0].args[0].args[0]  # still one node for `shared`
    main = rng.integers(0, P, (8, 2), dtype=np.uint64)
    values = {"aux": Ext(3, 4), "periodic": 11, "challenge": Ext(5, 6)}

    def leaf(columns):
        def value(node):
            if node.op == "main":
                return Ext(int(columns[node.args[0], node.args[1]]))
            return Ext(node.args[0]) if node.op == CONST else Ext.lift(values[node.op])
        return value

    full = Program(roots).evaluate(SCALARS, leaf(main))
    assert Program(remapped).evaluate(SCALARS, leaf(main[read])) == full
