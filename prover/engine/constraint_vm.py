"""The interpreter for `constraint_program` code: one numba kernel for every AIR, run block by block.

For each block of BLOCK points it runs every instruction over the block (registers are rows of a small scratch
array that stays in cache), then writes either sum_g acc_g * inverse_g for the block (the constraint quotient's
values) or each accumulator acc_g as a column of its own (LogUp's helper columns, the DEEP composition: sums of
fractions, whose divisions the inverse instruction does a block at a time).
"""
from __future__ import annotations

import numba as nb
import numpy as np

from prover.engine import threads
from prover.engine.constraint_program import (
    ACC_B,
    ACC_E,
    B_ADD,
    B_ADD_C,
    B_ADD_X,
    B_MUL,
    B_MUL_C,
    B_MUL_X,
    B_NEG,
    B_RSUB_C,
    B_RSUB_X,
    B_SUB,
    E_ADD,
    E_ADD_B,
    E_ADD_X,
    E_MUL,
    E_MUL_B,
    E_MUL_X,
    E_NEG,
    E_RSUB_B,
    E_RSUB_X,
    E_SUB,
    E_SUB_B,
    E_INV,
    LOAD_AUX,
    LOAD_MAIN,
    LOAD_PERIODIC,
    ConstraintCode,
)
from prover.engine.field_arrays import _ZERO, _batch_inverse, add64, ext_mul64, mul64, sub64, times_seven

BLOCK = 256
CHAINS = 16  # independent product chains of a block inversion: the loop across them vectorizes


@nb.njit(inline="always")
def _invert_block(a0, a1, d0, d1, m, norms, inverse_norms):
    """d = 1 / a on the first m points of a block, extension values as two lanes: (a0 - a1 X) / (a0^2 - 7 a1^2),
    the norms inverted together (Montgomery's trick along CHAINS interleaved chains). A zero value zeroes its
    whole block: a LogUp fingerprint equal to its challenge, which the running sum's check then refuses, or an
    out-of-domain point on the domain (each of probability ~2^-100)."""
    for i in range(m):
        norms[i] = sub64(mul64(a0[i], a0[i]), times_seven(mul64(a1[i], a1[i])))
    _batch_inverse(norms[:m], inverse_norms[:m], CHAINS)
    for i in range(m):
        d0[i] = mul64(a0[i], inverse_norms[i])
        d1[i] = sub64(_ZERO, mul64(a1[i], inverse_norms[i]))


@nb.njit(nogil=True, cache=True)
def _run(code, k, main, aux, periodic, inverses, out, n_base, n_ext, n_groups, rows, columns, lo, hi):
    n = rows
    rb = np.empty((n_base, BLOCK), dtype=np.uint64)
    re = np.empty((n_ext, 2, BLOCK), dtype=np.uint64)
    norms = np.empty(BLOCK, dtype=np.uint64)
    inverse_norms = np.empty(BLOCK, dtype=np.uint64)
    for start in range(lo, hi, BLOCK):
        m = min(BLOCK, hi - start)
        re[:n_groups] = 0
        for pc in range(code.shape[0]):
            op, d, a, b = code[pc, 0], code[pc, 1], code[pc, 2], code[pc, 3]
            if op == LOAD_MAIN:
                if start + b + m <= n:  # no wrap-around: a plain copy, which vectorizes
                    source = main[a, start + b:start + b + m]
                    for i in range(m):
                        rb[d, i] = source[i]
                else:
                    for i in range(m):
                        j = start + i + b
                        rb[d, i] = main[a, j - n if j >= n else j]
            elif op == LOAD_AUX:
                for i in range(m):
                    j = start + i + b
                    j = j - n if j >= n else j
                    re[d, 0, i] = aux[2 * a, j]
                    re[d, 1, i] = aux[2 * a + 1, j]
            elif op == LOAD_PERIODIC:
                for i in range(m):
                    rb[d, i] = periodic[a, start + i]
            elif op == B_ADD:
                for i in range(m):
                    rb[d, i] = add64(rb[a, i], rb[b, i])
            elif op == B_SUB:
                for i in range(m):
                    rb[d, i] = sub64(rb[a, i], rb[b, i])
            elif op == B_MUL:
                for i in range(m):
                    rb[d, i] = mul64(rb[a, i], rb[b, i])
            elif op == B_NEG:
                for i in range(m):
                    rb[d, i] = sub64(_ZERO, rb[a, i])
            elif op == B_ADD_C:
                c = k[b]
                for i in range(m):
                    rb[d, i] = add64(rb[a, i], c)
            elif op == B_MUL_C:
                c = k[b]
                for i in range(m):
                    rb[d, i] = mul64(rb[a, i], c)
            elif op == B_RSUB_C:
                c = k[b]
                for i in range(m):
                    rb[d, i] = sub64(c, rb[a, i])
            elif op == E_ADD:
                for i in range(m):
                    re[d, 0, i] = add64(re[a, 0, i], re[b, 0, i])
                    re[d, 1, i] = add64(re[a, 1, i], re[b, 1, i])
            elif op == E_SUB:
                for i in range(m):
                    re[d, 0, i] = sub64(re[a, 0, i], re[b, 0, i])
                    re[d, 1, i] = sub64(re[a, 1, i], re[b, 1, i])
            elif op == E_MUL:
                for i in range(m):
                    x, y = ext_mul64(re[a, 0, i], re[a, 1, i], re[b, 0, i], re[b, 1, i])
                    re[d, 0, i] = x
                    re[d, 1, i] = y
            elif op == E_NEG:
                for i in range(m):
                    re[d, 0, i] = sub64(_ZERO, re[a, 0, i])
                    re[d, 1, i] = sub64(_ZERO, re[a, 1, i])
            elif op == E_ADD_B:
                for i in range(m):
                    re[d, 0, i] = add64(re[a, 0, i], rb[b, i])
                    re[d, 1, i] = re[a, 1, i]
            elif op == E_SUB_B:
                for i in range(m):
                    re[d, 0, i] = sub64(re[a, 0, i], rb[b, i])
                    re[d, 1, i] = re[a, 1, i]
            elif op == E_RSUB_B:
                for i in range(m):
                    re[d, 0, i] = sub64(rb[b, i], re[a, 0, i])
                    re[d, 1, i] = sub64(_ZERO, re[a, 1, i])
            elif op == E_MUL_B:
                for i in range(m):
                    v = rb[b, i]
                    re[d, 0, i] = mul64(re[a, 0, i], v)
                    re[d, 1, i] = mul64(re[a, 1, i], v)
            elif op == E_ADD_X:
                c0, c1 = k[b], k[b + 1]
                for i in range(m):
                    re[d, 0, i] = add64(re[a, 0, i], c0)
                    re[d, 1, i] = add64(re[a, 1, i], c1)
            elif op == E_MUL_X:
                c0, c1 = k[b], k[b + 1]
                for i in range(m):
                    x, y = ext_mul64(re[a, 0, i], re[a, 1, i], c0, c1)
                    re[d, 0, i] = x
                    re[d, 1, i] = y
            elif op == E_RSUB_X:
                c0, c1 = k[b], k[b + 1]
                for i in range(m):
                    re[d, 0, i] = sub64(c0, re[a, 0, i])
                    re[d, 1, i] = sub64(c1, re[a, 1, i])
            elif op == B_ADD_X:
                c0, c1 = k[b], k[b + 1]
                for i in range(m):
                    re[d, 0, i] = add64(rb[a, i], c0)
                    re[d, 1, i] = c1
            elif op == B_MUL_X:
                c0, c1 = k[b], k[b + 1]
                for i in range(m):
                    v = rb[a, i]
                    re[d, 0, i] = mul64(v, c0)
                    re[d, 1, i] = mul64(v, c1)
            elif op == B_RSUB_X:
                c0, c1 = k[b], k[b + 1]
                for i in range(m):
                    re[d, 0, i] = sub64(c0, rb[a, i])
                    re[d, 1, i] = c1
            elif op == ACC_B:
                c0, c1 = k[b], k[b + 1]
                for i in range(m):
                    v = rb[a, i]
                    re[d, 0, i] = add64(re[d, 0, i], mul64(v, c0))
                    re[d, 1, i] = add64(re[d, 1, i], mul64(v, c1))
            elif op == E_INV:
                _invert_block(re[a, 0], re[a, 1], re[d, 0], re[d, 1], m, norms, inverse_norms)
            elif op == ACC_E:
                c0, c1 = k[b], k[b + 1]
                for i in range(m):
                    x, y = ext_mul64(re[a, 0, i], re[a, 1, i], c0, c1)
                    re[d, 0, i] = add64(re[d, 0, i], x)
                    re[d, 1, i] = add64(re[d, 1, i], y)
            else:  # ACC_X: a constant constraint value, already times its coefficient
                c0, c1 = k[a], k[a + 1]
                for i in range(m):
                    re[d, 0, i] = add64(re[d, 0, i], c0)
                    re[d, 1, i] = add64(re[d, 1, i], c1)
        if columns:
            for g in range(n_groups):
                for i in range(m):
                    out[g, start + i, 0] = re[g, 0, i]
                    out[g, start + i, 1] = re[g, 1, i]
            continue
        for i in range(m):
            s0, s1 = _ZERO, _ZERO
            for g in range(n_groups):
                v = inverses[g, start + i]
                s0 = add64(s0, mul64(re[g, 0, i], v))
                s1 = add64(s1, mul64(re[g, 1, i], v))
            out[0, start + i, 0] = s0
            out[0, start + i, 1] = s1


def evaluate_quotient(program: ConstraintCode, main: np.ndarray, aux: np.ndarray, periodic: np.ndarray,
                      inverses: np.ndarray, out: np.ndarray) -> None:
    """out[j] = sum_g (sum_{k in g} alpha^k C_k(x_j)) * inverses[g, j] at every point j of one coset.

    main (width, n) and aux (2 * aux width, n) hold the coset's values (the next row of a point is the next
    position, wrapping around); periodic (count, n); inverses (groups, n); out (n, 2)."""
    n = main.shape[1]
    threads.run_ranges(_run, n, program.code, program.constants, main, aux, periodic, inverses,
                       out.reshape(1, n, 2), program.base_registers, program.ext_registers, program.groups, n, False,
                       min_per_thread=4 * BLOCK, align=BLOCK)


def evaluate_columns(program: ConstraintCode, main: np.ndarray, periodic: np.ndarray, rows: int,
                     out: np.ndarray, aux: np.ndarray | None = None) -> None:
    """out[g, j] = sum_{k in g} coefficient_k * expression_k at positions j < rows: main (width, >= rows), aux
    (2 * aux width, >= rows, if the program reads any) and periodic (count, >= rows) hold them (the next position
    of the last one is the first); out (groups, rows, 2). LogUp's helper columns, the DEEP composition."""
    no_columns = np.zeros((0, rows), dtype=np.uint64)
    threads.run_ranges(_run, rows, program.code, program.constants, main, no_columns if aux is None else aux,
                       periodic, no_columns, out, program.base_registers, program.ext_registers, program.groups,
                       rows, True, min_per_thread=4 * BLOCK, align=BLOCK)
