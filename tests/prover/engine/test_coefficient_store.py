"""Coefficient stores (memory or temporary file) and the evaluations read from them, against direct evaluation."""
import os

import numpy as np
import pytest

from circuits.field import Ext, P
from prover.engine import coefficient_store, ntt, polynomials
from prover.engine.coefficient_store import CoefficientArray, CoefficientFile

N = 64


@pytest.fixture
def coeffs():
    return np.random.default_rng(3).integers(0, P, (5, N), dtype=np.uint64)


@pytest.fixture(params=[CoefficientArray, CoefficientFile])
def store(request, coeffs, monkeypatch):
    """`coeffs` written in two pieces; a file reads them back two rows at a time (2, 2, then 1)."""
    monkeypatch.setattr(coefficient_store, "BLOCK_BYTES", 2 * N * 8)
    out = request.param(*coeffs.shape)
    out.write(0, coeffs[:3].copy())
    out.write(3, coeffs[3:].copy())
    yield out
    out.close()


def horner(row, x):
    acc = Ext(0)
    for c in reversed(row.tolist()):
        acc = acc * x + Ext(c)
    return acc


def test_blocks_give_the_rows_back_bit_reversed(store, coeffs):
    blocks = [(lo, block.copy()) for lo, block in store.blocks()]
    assert [lo for lo, _ in blocks] == ([0] if isinstance(store, CoefficientArray) else [0, 2, 4])
    expected = coeffs.copy()
    ntt.bit_reverse_rows(expected)
    assert np.array_equal(np.concatenate([block for _, block in blocks]), expected)


def test_evaluations_at_extension_points(store, coeffs):
    points = [Ext(5, 7), Ext(123456789, 987654321)]
    values = polynomials.evaluate_at(store.blocks(), N, points)
    assert values == [[horner(row, z) for row in coeffs] for z in points]


def test_evaluations_at_base_points(store, coeffs):
    points = [3, 1 << 40, P - 2]
    values = polynomials.evaluate_at_points(store.blocks(), polynomials.point_powers(points, N), len(points))
    assert values.tolist() == [[horner(row, Ext(x)).a for x in points] for row in coeffs]


def test_combinations_come_back_in_natural_order(store, coeffs):
    rng = np.random.default_rng(4)
    weights = [[Ext(*(int(v) for v in rng.integers(0, P, 2, dtype=np.uint64))) for _ in range(k)] for k in (5, 3)]
    for w, combined in zip(weights, polynomials.combine(store.blocks(), N, weights)):
        expected = [sum((c * Ext(int(v)) for c, v in zip(w, coeffs[:, j])), Ext(0)) for j in range(N)]
        assert combined.tolist() == [[e.a for e in expected], [e.b for e in expected]]  # rows past len(w) left out


def test_a_closed_file_is_gone(coeffs):
    store = CoefficientFile(*coeffs.shape)
    store.write(0, coeffs.copy())
    descriptor = store._file.fileno()
    store.close()
    with pytest.raises(OSError):
        os.fstat(descriptor)


@pytest.mark.parametrize("kind", [CoefficientArray, CoefficientFile])
def test_rows_computed_in_the_scratch_array_are_stored(kind, coeffs, monkeypatch):
    """The prover interpolates each block where `scratch` says: the array's own rows (nothing copied after),
    or a file's buffer reused from block to block."""
    monkeypatch.setattr(coefficient_store, "BLOCK_BYTES", 2 * N * 8)
    store = kind(*coeffs.shape)
    for lo in (0, 2, 4):
        block = store.scratch(lo, min(2, 5 - lo))
        block[...] = coeffs[lo:lo + block.shape[0]]
        store.write(lo, block)
    expected = coeffs.copy()
    ntt.bit_reverse_rows(expected)
    assert np.array_equal(np.concatenate([block.copy() for _, block in store.blocks()]), expected)
    if kind is CoefficientArray:
        assert store.scratch(2, 2).ctypes.data == store.coeffs[2].ctypes.data
    else:
        assert store.scratch(0, 2).ctypes.data == store.scratch(2, 2).ctypes.data
    store.close()
