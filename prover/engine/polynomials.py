"""Linear functions of committed coefficients: evaluation at points, random linear combinations.

They read the coefficient rows as `coefficient_store` keeps them: bit-reversed, a block of rows at a time, (first
row, rows) pairs. Reversal permutes the other factor instead (the powers of a point, or the combination's result),
which is n values, not width * n."""
from __future__ import annotations

import numba as nb
import numpy as np

from circuits.field import Ext
from prover.engine import field_arrays as F
from prover.engine import ntt, threads
from prover.engine.field_arrays import add64, ext_mul64, mul64

LANES = 8  # 64-bit words in a 512-bit vector


@nb.njit(cache=True)
def _ext_powers(a, b, n, out):
    x0, x1 = np.uint64(1), np.uint64(0)
    for i in range(n):
        out[i, 0], out[i, 1] = x0, x1
        x0, x1 = ext_mul64(x0, x1, a, b)


def ext_powers(z: Ext, n: int) -> np.ndarray:
    out = np.empty((n, 2), dtype=np.uint64)
    _ext_powers(np.uint64(z.a), np.uint64(z.b), n, out)
    return out


@nb.njit(nogil=True, cache=True)
def _evaluate_ext(coeffs, powers, out, lo, hi):
    """out[i] = sum_k coeffs[i, k] * (p0[k] + p1[k] X) for rows i in [lo, hi), powers = (p0, p1) of shape (2, n).

    Each row is summed into a block of partial sums (k mod block) that are added up at the end: the loop over a
    block vectorizes, where one running sum per row is scalar code waiting on each modular step (10.9 ns a
    coefficient against ~2.7)."""
    n = coeffs.shape[1]
    block = min(n, 1024)
    acc0 = np.empty(block, dtype=np.uint64)
    acc1 = np.empty(block, dtype=np.uint64)
    for i in range(lo, hi):
        for j in range(block):
            acc0[j] = 0
            acc1[j] = 0
        for start in range(0, n, block):
            row, q0, q1 = coeffs[i, start:start + block], powers[0, start:start + block], powers[1, start:start + block]
            for j in range(block):
                acc0[j] = add64(acc0[j], mul64(row[j], q0[j]))
                acc1[j] = add64(acc1[j], mul64(row[j], q1[j]))
        s0, s1 = np.uint64(0), np.uint64(0)
        for j in range(block):
            s0 = add64(s0, acc0[j])
            s1 = add64(s1, acc1[j])
        out[i, 0], out[i, 1] = s0, s1


@nb.njit(nogil=True, cache=True)
def _combine_rows(columns, coeffs, out, lo, hi):
    # out[j] += sum_i coeffs[i] * columns[i, j] for C-contiguous (w, n) columns: a block of j at a time, column by
    # column, so every read is sequential and the inner loop vectorizes
    block = 2048
    acc0 = np.empty(block, dtype=np.uint64)
    acc1 = np.empty(block, dtype=np.uint64)
    for start in range(lo, hi, block):
        m = min(block, hi - start)
        for j in range(m):
            acc0[j] = out[start + j, 0]
            acc1[j] = out[start + j, 1]
        for i in range(columns.shape[0]):
            c0, c1 = coeffs[i, 0], coeffs[i, 1]
            row = columns[i, start:start + m]
            for j in range(m):
                acc0[j] = add64(acc0[j], mul64(c0, row[j]))
                acc1[j] = add64(acc1[j], mul64(c1, row[j]))
        for j in range(m):
            out[start + j, 0] = acc0[j]
            out[start + j, 1] = acc1[j]


def combine(blocks, n: int, weights: list[list[Ext]]) -> list[np.ndarray]:
    """For each list of weights w, the (2, n) coefficients (natural order) of the extension polynomial
    sum_i w[i] * polynomial_i, polynomial_i the base polynomial in row i (rows past len(w) are left out)."""
    totals = [np.zeros((n, 2), dtype=np.uint64) for _ in weights]
    for lo, block in blocks:
        for total, w in zip(totals, weights):
            part = np.array([[e.a, e.b] for e in w[lo:lo + block.shape[0]]], dtype=np.uint64).reshape(-1, 2)
            if part.size:
                threads.run_ranges(_combine_rows, n, block[:part.shape[0]], part, total, min_per_thread=1 << 12)
    out = []
    for total in totals:
        coeffs = np.ascontiguousarray(total.T)
        ntt.bit_reverse_rows(coeffs)
        out.append(coeffs)
    return out


def evaluate_at(blocks, n: int, points: list[Ext]) -> list[list[Ext]]:
    """Each base polynomial at each extension point: out[p][i] is polynomial_i(points[p])."""
    tables = [np.ascontiguousarray(ext_powers(z, n).T) for z in points]  # (2, n): the powers' two coordinates
    for table in tables:
        ntt.bit_reverse_rows(table)  # in the coefficients' order
    out = [[] for _ in points]
    for _, block in blocks:
        for values, table in zip(out, tables):
            combined = np.empty((block.shape[0], 2), dtype=np.uint64)
            threads.run_ranges(_evaluate_ext, block.shape[0], block, table, combined)
            values.extend(Ext(int(a), int(b)) for a, b in combined)
    return out


@nb.njit(nogil=True, cache=True)
def _evaluate_base(coeffs, powers, out, lo, hi):
    # out[i, j] = sum_k coeffs[i, k] * powers[k, j]: the inner loop runs over points, so it vectorizes
    n = coeffs.shape[1]
    q = powers.shape[1]
    for i in range(lo, hi):
        acc = out[i]  # an explicit loop: a slice assignment compiles numba's shape-mismatch error path (seconds)
        for j in range(q):
            acc[j] = 0
        for k in range(n):
            c = coeffs[i, k]
            for j in range(q):
                acc[j] = add64(acc[j], mul64(c, powers[k, j]))


def point_powers(points: list[int], n: int) -> np.ndarray:
    """(n, q) powers 0..n-1 of each base-field point, rows in the coefficients' bit-reversed order, for
    `evaluate_at_points`: q is len(points) rounded up to a multiple of LANES, the padding's zero powers making
    whole vectors of its inner loop (28 points, 204 x 2^19 coefficients: 1.6 s instead of 2.1). Built once for
    every commitment opened at the same points, on every thread."""
    rows = np.empty((-(-len(points) // LANES) * LANES, n), dtype=np.uint64)
    for j, x in enumerate(points):
        rows[j] = F.powers(x, n)
    rows[len(points):] = 0
    ntt.bit_reverse_rows(rows)
    table = np.empty((n, rows.shape[0]), dtype=np.uint64)

    def transpose(lo: int, hi: int) -> None:  # numpy copies without the GIL
        table[lo:hi] = rows[:, lo:hi].T

    threads.run_ranges(transpose, n, min_per_thread=1 << 12)
    return table


def evaluate_at_points(blocks, powers: np.ndarray, count: int) -> np.ndarray:
    """(w, count): each base polynomial at each of the first `count` points of a `point_powers` table."""
    out = []
    for _, block in blocks:
        values = np.empty((block.shape[0], powers.shape[1]), dtype=np.uint64)
        threads.run_ranges(_evaluate_base, block.shape[0], block, powers, values)
        out.append(values[:, :count])
    return np.concatenate(out)
