"""NTT, inverse and coset transforms, and the low-degree extension, against galois and direct evaluation."""
import galois
import numpy as np
import pytest

from circuits import field
from prover.engine import lde, ntt

GF = galois.GF(field.P)
SIZES = [1 << k for k in range(13)]
SHIFT = field.GENERATOR


def random_field(shape, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, field.P, size=shape, dtype=np.uint64)


def evaluate(coeffs, x: int) -> int:
    """Horner's rule with Python ints: the reference every transform is held to."""
    acc = 0
    for c in reversed(coeffs.tolist()):
        acc = (acc * x + c) % field.P
    return acc


@pytest.mark.parametrize("n", SIZES)
def test_ntt_matches_galois(n):
    # galois uses the root primitive_root(p)^((p-1)/n) = 7^((p-1)/n): the same one as field.root_of_unity
    coeffs = random_field(n, seed=n)
    evals = ntt.ntt(coeffs)
    assert np.array_equal(evals, np.asarray(galois.ntt(coeffs.tolist(), modulus=field.P), dtype=np.uint64))
    assert np.array_equal(ntt.intt(evals), np.asarray(galois.intt(evals.tolist(), modulus=field.P), dtype=np.uint64))


@pytest.mark.parametrize("n", [2, 64])
def test_ntt_matches_galois_polynomial_evaluation(n):
    coeffs = random_field(n, seed=n)
    points = GF(field.root_of_unity(n)) ** np.arange(n)
    expected = galois.Poly(GF(coeffs[::-1]))(points)
    assert np.array_equal(ntt.ntt(coeffs), np.asarray(expected, dtype=np.uint64))


@pytest.mark.parametrize("n", [1, 2, 8, 32])
def test_coset_ntt_matches_direct_evaluation(n):
    coeffs = random_field(n, seed=n)
    root = field.root_of_unity(n)
    expected = [evaluate(coeffs, SHIFT * pow(root, i, field.P)) for i in range(n)]
    assert ntt.coset_ntt(coeffs, SHIFT).tolist() == expected


@pytest.mark.parametrize("n, rows", [(1 << 13, 2), (1 << 14, 1)])  # many blocks; one row: split across threads
def test_large_coset_transforms_match_direct_evaluation(n, rows):
    """Against Horner's rule at points in several of the transform's blocks, bit-reversed input or not, and back
    (the smaller sizes above fit in one block)."""
    coeffs = random_field((rows, n), seed=n + rows)
    root, points = field.root_of_unity(n), [0, 1, 4095, 4096, n // 2 + 3, n - 1]
    permuted = coeffs.copy()
    ntt.bit_reverse_rows(permuted)
    for evals in (ntt.coset_ntt(coeffs, SHIFT), ntt.coset_ntt(permuted, SHIFT, reversed_input=True)):
        for row, values in zip(coeffs, evals):
            assert [int(values[i]) for i in points] == [evaluate(row, SHIFT * pow(root, i, field.P)) for i in points]
        assert np.array_equal(ntt.coset_intt(evals, SHIFT), coeffs)


@pytest.mark.parametrize("n", SIZES)
def test_round_trips(n):
    values = random_field(n, seed=n + 1)
    assert np.array_equal(ntt.intt(ntt.ntt(values)), values)
    assert np.array_equal(ntt.ntt(ntt.intt(values)), values)
    assert np.array_equal(ntt.coset_intt(ntt.coset_ntt(values, SHIFT), SHIFT), values)


@pytest.mark.parametrize("n", [1, 4, 1 << 14])  # 2^14 splits one transform across threads
def test_batch_equals_rows(n):
    batch = random_field((3, n), seed=3)
    transformed = ntt.coset_ntt(batch, SHIFT)
    for row, out in zip(batch, transformed):
        assert np.array_equal(ntt.coset_ntt(row, SHIFT), out)
    assert np.array_equal(ntt.coset_intt(transformed, SHIFT), batch)


@pytest.mark.parametrize("n", [1, 2, 8, 1 << 8, 1 << 9, 1 << 10, 1 << 14])  # 2^9: tiles; 2^14: split across threads
def test_bit_reversed_input_gives_the_same_transform(n):
    coeffs = random_field((3, n), seed=n + 7)
    permuted = coeffs.copy()
    ntt.bit_reverse_rows(permuted)
    rev = [int(format(i, f"0{max(1, n.bit_length() - 1)}b")[::-1], 2) if n > 1 else 0 for i in range(n)]
    assert np.array_equal(permuted, coeffs[:, rev])
    assert np.array_equal(ntt.coset_ntt(permuted, SHIFT, reversed_input=True), ntt.coset_ntt(coeffs, SHIFT))
    ntt.bit_reverse_rows(permuted)
    assert np.array_equal(permuted, coeffs)  # its own inverse


def test_wide_batch_round_trip():
    batch = random_field((16, 1 << 10), seed=4)
    assert np.array_equal(ntt.intt(ntt.ntt(batch)), batch)


def test_inputs_are_not_modified():
    values = random_field((2, 64), seed=5)
    before = values.copy()
    ntt.ntt(values), ntt.intt(values), ntt.coset_ntt(values, SHIFT), ntt.coset_intt(values, SHIFT)
    assert np.array_equal(values, before)


def test_rejects_non_power_of_two():
    with pytest.raises(ValueError):
        ntt.ntt(np.zeros(6, dtype=np.uint64))


@pytest.mark.parametrize("width, m, blowup", [(3, 16, 4), (2, 1, 8), (1, 256, 2), (2, 8, 1 << 13), (1, 1 << 13, 2)])
def test_low_degree_extension_evaluates_the_polynomials(width, m, blowup):
    coeffs = random_field((width, m), seed=m + blowup)
    extended = lde.low_degree_extend(coeffs, blowup)
    n = m * blowup
    root = field.root_of_unity(n)
    for row, evals in zip(coeffs, extended):
        for j in sorted({0, 1, n // 3, n - 1}):
            assert int(evals[j]) == evaluate(row, SHIFT * pow(root, j, field.P))


def test_low_degree_extension_agrees_with_coset_ntt():
    coeffs = random_field((2, 64), seed=6)
    assert np.array_equal(lde.low_degree_extend(coeffs, 1, shift=5), ntt.coset_ntt(coeffs, 5))
    # the extension restricted to every blowup-th point is the coset of the original size
    extended = lde.low_degree_extend(coeffs, 4)
    assert np.array_equal(extended[:, ::4], ntt.coset_ntt(coeffs, SHIFT))


def test_interpolate_inverts_evaluation_on_the_subgroup():
    columns = random_field((4, 128), seed=7)
    coeffs = lde.interpolate(columns)
    root = field.root_of_unity(128)
    assert int(columns[2, 5]) == evaluate(coeffs[2], pow(root, 5, field.P))
    assert np.array_equal(ntt.ntt(coeffs), columns)


def test_transform_into_a_given_array():
    coeffs = random_field((3, 1 << 14), seed=8)  # large enough to split a transform across threads
    out = np.full(coeffs.shape, 7, dtype=np.uint64)
    assert ntt.coset_ntt(coeffs, SHIFT, out=out) is out
    assert np.array_equal(out, ntt.coset_ntt(coeffs, SHIFT))
    with pytest.raises(ValueError, match="out"):
        ntt.coset_ntt(coeffs, SHIFT, out=coeffs)


def test_intt_in_place_matches_and_reuses_the_array():
    values = random_field((3, 1 << 12), seed=11)
    expected = ntt.intt(values)
    work = values.copy()
    result = ntt.intt(work, overwrite=True)
    assert np.shares_memory(result, work) and np.array_equal(result, expected)
    with pytest.raises(ValueError):
        ntt.intt(values[:, ::2].copy().T, overwrite=True)  # not C-contiguous
    with pytest.raises(ValueError):  # sharing memory is refused unless in place on bit-reversed input
        ntt.transform(values, ntt.twiddles(1 << 12), out=values)


@pytest.mark.parametrize("n", [1, 4, 8, 64, 1 << 12])  # below, at and above the partial sums' lane count
def test_evaluation_at_an_extension_point_matches_horner(n):
    from circuits.field import Ext
    from prover.engine.coefficient_store import CoefficientArray
    from prover.engine.polynomials import evaluate_at

    coeffs = random_field((3, n), seed=n + 1)
    store = CoefficientArray(3, n)
    store.write(0, coeffs.copy())
    z = Ext(0x1234_5678_9ABC_DEF0 % field.P, 0x0FED_CBA9_8765_4321 % field.P)
    expected = []
    for row in coeffs:
        acc = Ext(0)
        for c in reversed(row.tolist()):
            acc = acc * z + Ext(c)
        expected.append(acc)
    assert evaluate_at(store.blocks(), n, [z]) == [expected]
