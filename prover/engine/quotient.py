"""The constraint quotient: every constraint divided by the polynomial vanishing where it must hold, combined
with powers of a random challenge, evaluated over the LDE domain, then split into chunks of trace degree."""
from __future__ import annotations

import numba as nb
import numpy as np

from circuits.air import BOUNDARY, EVERY_ROW, TRANSITION
from circuits.field import GENERATOR, Ext, P, root_of_unity
from prover.engine import field_arrays as F
from prover.engine import ntt, threads
from prover.engine.array_algebra import ARRAYS, trace_leaf
from prover.engine.commitment import CommittedPolynomials, coset_shift
from verifier.stark.protocol import Protocol

CHUNK = 1 << 17  # points per evaluation pass: each kernel call costs ~50 us, so amortise it over many points


class ConstraintViolation(ValueError):
    """The trace does not satisfy the AIR; raised by the honest prover before it proves anything."""


@nb.njit(nogil=True, cache=True)
def _exclusion(x, roots, out, lo, hi):
    for j in range(lo, hi):
        acc = np.uint64(1)
        for r in roots:
            acc = F.mul64(acc, F.sub64(x[j], r))
        out[j] = acc


def domain_points(size: int, shift: int = GENERATOR) -> np.ndarray:
    return F.powers(root_of_unity(size), size, shift)


def _divisor_inverses(protocol: Protocol, shift: int, x: np.ndarray) -> dict:
    """1 / Z(x) on one coset of the trace domain for every divisor the constraints use: keyed by kind, or by
    row for boundaries."""
    n = protocol.trace_length
    w = root_of_unity(n)
    # On a coset shift*<w_n>, x^n is the constant shift^n: one inversion for the whole vanishing polynomial.
    vanishing_inv = pow(pow(shift, n, P) - 1, P - 2, P)
    # Every-row constraints exclude the random rows from the vanishing set; transitions the last active row too.
    excluded = np.empty(x.size, dtype=np.uint64)
    threads.run_ranges(_exclusion, x.size, x, F.from_ints([pow(w, i, P) for i in range(protocol.active_rows, n)]), excluded,
                       min_per_thread=F.PER_THREAD)
    out = {EVERY_ROW: F.mul_scalar(excluded, vanishing_inv)}
    out[TRANSITION] = F.mul(out[EVERY_ROW], F.add_scalar(x, -pow(w, protocol.active_rows - 1, P)))
    for c in protocol.constraints:
        if c.kind == BOUNDARY:
            row = protocol.boundary_row(c)
            if row not in out:
                out[row] = F.batch_inverse(F.add_scalar(x, -pow(w, row, P)))
    return out


def _periodic_on_coset(protocol: Protocol, shift: int) -> list[np.ndarray]:
    """Each periodic column's polynomial p(x) = q(x^(n/period)) on one coset: x^(n/period) runs over the coset
    shift^(n/period) * <w_period>, so q's values there repeat every `period` points."""
    n = protocol.trace_length
    out = []
    for values in protocol.periodic:
        period = len(values)
        small = ntt.coset_ntt(ntt.intt(F.from_ints(values)), pow(shift, n // period, P))
        out.append(np.tile(small, n // period))
    return out


@nb.njit(parallel=True, cache=True)
def _accumulate_base(acc0, acc1, value, c0, c1, chunk):
    # acc += (c0 + c1 X) * value over contiguous 1-d slices, which LLVM vectorizes. parallel=True rather than
    # prover.engine.threads: called for every constraint of every chunk, where an OpenMP fork is the cheaper one.
    for c in nb.prange((value.size + chunk - 1) // chunk):
        lo, hi = c * chunk, min(value.size, (c + 1) * chunk)
        v, a0, a1 = value[lo:hi], acc0[lo:hi], acc1[lo:hi]
        for i in range(hi - lo):
            a0[i] = F.add64(a0[i], F.mul64(v[i], c0))
            a1[i] = F.add64(a1[i], F.mul64(v[i], c1))


def _accumulate_run(acc: np.ndarray, value: np.ndarray, c0, c1) -> None:
    _accumulate_base(acc[0], acc[1], value, c0, c1, 1 << 14)


def _accumulate(acc: np.ndarray, value, coefficient: Ext) -> None:
    """acc += coefficient * value, for acc of shape (2, m) (the two coordinates apart) and a base or extension
    array (or a constant) value."""
    if not isinstance(value, np.ndarray):
        value = np.full(acc.shape[1], value, dtype=np.uint64) if isinstance(value, int) else \
            np.array([[value.a], [value.b]], dtype=np.uint64).repeat(acc.shape[1], axis=1).T
    if value.ndim == 1:
        _accumulate_run(acc, value, np.uint64(coefficient.a), np.uint64(coefficient.b))
        return
    # (v0 + v1 X)(c0 + c1 X) = (v0 c0 + 7 v1 c1) + (v0 c1 + v1 c0) X: two base accumulations per coordinate
    v0, v1 = np.ascontiguousarray(value[:, 0]), np.ascontiguousarray(value[:, 1])
    c0, c1 = coefficient.a, coefficient.b
    _accumulate_run(acc, v0, np.uint64(c0), np.uint64(c1))
    _accumulate_run(acc, v1, np.uint64(7 * c1 % P), np.uint64(c0))


def quotient_values(protocol: Protocol, main: CommittedPolynomials, aux: CommittedPolynomials | None,
                    challenges: list[Ext], alpha: Ext) -> np.ndarray:
    """sum_k alpha^k C_k(x) / Z_k(x) at every LDE point (natural order), as an (N, 2) extension array,
    computed one coset of the trace domain at a time."""
    n, blowup = protocol.trace_length, protocol.params.blowup
    # Constraints sharing a divisor are summed first (coefficients alpha^k), then divided once.
    group_of = [protocol.boundary_row(c) if c.kind == BOUNDARY else c.kind for c in protocol.constraints]
    groups = set(group_of)
    coefficients, power = [], Ext(1)
    for _ in protocol.constraints:
        coefficients.append(power)
        power = power * alpha

    result = np.zeros((n * blowup, 2), dtype=np.uint64)
    for coset in range(blowup):
        shift = coset_shift(coset, n, blowup)
        x = F.powers(root_of_unity(n), n, shift)
        inverses = _divisor_inverses(protocol, shift, x)
        periodic = _periodic_on_coset(protocol, shift)
        main_values = main.coset(coset)
        aux_values = aux.coset(coset) if aux is not None else None
        out = result[coset::blowup]
        for lo in range(0, n, CHUNK):
            hi = min(lo + CHUNK, n)
            sums = {key: np.zeros((2, hi - lo), dtype=np.uint64) for key in groups}

            def fold(k: int, value, sums=sums) -> None:
                _accumulate(sums[group_of[k]], value, coefficients[k])

            protocol.program.evaluate(ARRAYS, trace_leaf(main_values, aux_values, periodic, challenges, lo, hi), fold)
            for key, combined in sums.items():
                out[lo:hi] = F.add(out[lo:hi], F.ext_mul_base(combined.T, inverses[key][lo:hi]))
    return result


def split_quotient(protocol: Protocol, values: np.ndarray, check: bool = True) -> np.ndarray:
    """Coefficients of the chunks Q_j (degree < n) with Q = sum_j x^(j n) Q_j, as base columns
    (chunk 0 part 0, chunk 0 part 1, chunk 1 part 0, ...), shape (2m, n)."""
    n, m = protocol.trace_length, protocol.quotient_chunks
    coeffs = ntt.coset_intt(np.ascontiguousarray(values.T), GENERATOR)  # (2, N)
    if check and coeffs[:, m * n:].any():
        raise ConstraintViolation("the constraint quotient is not a polynomial of the expected degree: "
                                  "the trace violates a constraint")
    return np.stack([coeffs[part, j * n:(j + 1) * n] for j in range(m) for part in (0, 1)])
