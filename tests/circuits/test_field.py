"""Goldilocks and its quadratic extension agree with galois: scalars (Python ints, Ext) and numba arrays."""
import numpy as np
import pytest

from circuits import field
from circuits.field import Ext, P
from prover.engine import field_arrays as F

N = 2000
EDGES = [0, 1, 2, P - 1, P - 2, 2**32 - 1, 2**32, 2**32 + 1, 2**63, 2**64 - 2**32]


@pytest.fixture(scope="module")
def operands():
    rng = np.random.default_rng(2024)
    a = np.concatenate([rng.integers(0, P, N, dtype=np.uint64), np.array(EDGES, dtype=np.uint64)])
    b = np.concatenate([rng.integers(0, P, N, dtype=np.uint64), np.array(EDGES[::-1], dtype=np.uint64)])
    return a, b


@pytest.mark.parametrize("op, reference", [
    (F.add, lambda x, y: x + y),
    (F.sub, lambda x, y: x - y),
    (F.mul, lambda x, y: x * y),
])
def test_array_ops_agree_with_galois(gf, operands, op, reference):
    a, b = operands
    assert np.array_equal(op(a, b), np.asarray(reference(gf(a), gf(b)), dtype=np.uint64))


def test_scalar_ops_agree_with_galois(gf, operands):
    a, b = operands
    s = int(b[0])
    assert np.array_equal(F.mul_scalar(a, s), np.asarray(gf(a) * gf(s), dtype=np.uint64))
    assert np.array_equal(F.add_scalar(a, s), np.asarray(gf(a) + gf(s), dtype=np.uint64))
    assert np.array_equal(F.neg(a), np.asarray(-gf(a), dtype=np.uint64))
    for x, y in zip(a[:50].tolist(), b[:50].tolist()):
        assert (x * y) % P == int(gf(x) * gf(y))
        if x:
            assert field.inv(x) == int(gf(1) / gf(x))


def test_outputs_are_canonical(operands):
    a, b = operands
    for out in (F.add(a, b), F.sub(a, b), F.mul(a, b), F.neg(a)):
        assert (out < np.uint64(P)).all()


def test_inverse_and_batch_inverse(gf, operands):
    a = operands[0][operands[0] != 0]
    assert np.array_equal(F.batch_inverse(a), np.asarray(gf(1) / gf(a), dtype=np.uint64))
    assert F.batch_inverse(np.empty(0, dtype=np.uint64)).size == 0
    with pytest.raises(ZeroDivisionError):
        field.inv(0)
    with pytest.raises(ZeroDivisionError):
        F.batch_inverse(np.array([3, 0, 5], dtype=np.uint64))


@pytest.mark.parametrize("n", [1, 5, (1 << 14) + 3])  # more than one parallel chunk of powers
def test_powers(gf, n):
    base, start = 0x1234_5678_9ABC_DEF0 % P, 42
    expected = gf(start) * gf(base) ** np.arange(n)
    assert np.array_equal(F.powers(base, n, start), np.asarray(expected, dtype=np.uint64))


def test_roots_of_unity():
    for log_n in (1, 5, 32):
        w = field.root_of_unity(1 << log_n)
        assert pow(w, 1 << log_n, P) == 1 and pow(w, 1 << (log_n - 1), P) == P - 1
    for bad in (0, 3, 1 << 33):
        with pytest.raises(ValueError):
            field.root_of_unity(bad)
    # p - 1 = 2^32 * 3 * 5 * 17 * 257 * 65537: the generator has full order
    assert all(pow(field.GENERATOR, (P - 1) // q, P) != 1 for q in (2, 3, 5, 17, 257, 65537))


def _ext_ints(e: np.ndarray) -> list[int]:
    return [int(a) + int(b) * P for a, b in e]


@pytest.fixture(scope="module")
def ext_operands():
    rng = np.random.default_rng(7)
    a = rng.integers(0, P, (300, 2), dtype=np.uint64)
    b = rng.integers(0, P, (300, 2), dtype=np.uint64)
    a[:len(EDGES), 0], b[:len(EDGES), 1] = EDGES, EDGES
    b[0] = [0, 1]  # X itself
    return a, b


def test_extension_arrays_agree_with_galois(gf2, ext_operands):
    a, b = ext_operands
    ga, gb = gf2(_ext_ints(a)), gf2(_ext_ints(b))
    assert _ext_ints(F.ext_mul(a, b)) == [int(v) for v in ga * gb]
    assert _ext_ints(F.add(a, b)) == [int(v) for v in ga + gb]
    assert _ext_ints(F.sub(a, b)) == [int(v) for v in ga - gb]
    s = Ext(int(b[1, 0]), int(b[1, 1]))
    assert _ext_ints(F.ext_mul_scalar(a, s)) == [int(v) for v in ga * gf2(s.a + s.b * P)]
    base = b[:, 0]
    assert _ext_ints(F.ext_mul_base(a, base)) == [int(v) for v in ga * gf2(base.tolist())]
    assert _ext_ints(F.base_mul_ext_scalar(base, s)) == [int(v) for v in gf2(base.tolist()) * gf2(s.a + s.b * P)]


def test_extension_scalars_agree_with_galois(gf2, ext_operands):
    a, b = ext_operands
    x_squared = Ext(0, 1) * Ext(0, 1)
    assert x_squared == Ext(7) and int(gf2(P) ** 2) == 7
    for (a0, a1), (b0, b1) in zip(a[:40].tolist(), b[:40].tolist()):
        x, y = Ext(a0, a1), Ext(b0, b1)
        gx, gy = gf2(a0 + a1 * P), gf2(b0 + b1 * P)
        for ours, theirs in ((x * y, gx * gy), (x + y, gx + gy), (x - y, gx - gy), (x / y, gx / gy),
                             (x ** 5, gx ** 5), (x ** -3, gx ** -3), (-x, -gx), (x * b0, gx * gf2(b0))):
            assert ours.a + ours.b * P == int(theirs)
    with pytest.raises(ZeroDivisionError):
        Ext(0).inverse()


@pytest.mark.parametrize("n", [1, 2, 1023, 1024, 1025, 3000, 1 << 12])  # around and past one row of lanes
def test_batch_inverse_in_lanes_with_a_tail(n):
    a = np.random.default_rng(n).integers(1, P, n, dtype=np.uint64)
    assert all(int(x) * int(y) % P == 1 for x, y in zip(a.tolist(), F.batch_inverse(a).tolist()))
