"""The constraint quotient: every constraint divided by the polynomial vanishing where it must hold, combined
with powers of a random challenge, evaluated over the LDE domain, then split into chunks of trace degree."""
from __future__ import annotations

import numba as nb
import numpy as np

from circuits.air import BOUNDARY, EVERY_ROW, TRANSITION
from circuits.field import GENERATOR, Ext, P, root_of_unity
from prover.engine import field_arrays as F
from prover.engine import ntt, threads
from prover.engine.commitment import CommittedPolynomials, coset_shift
from prover.engine.constraint_program import compile_constraints
from prover.engine.constraint_vm import evaluate_quotient
from verifier.stark.protocol import Protocol


class ConstraintViolation(ValueError):
    """The trace does not satisfy the AIR; raised by the honest prover before it proves anything."""


@nb.njit(nogil=True, cache=True)
def _exclusion(x, roots, out, lo, hi):
    """out[j] = prod_r (x[j] - r) for j in [lo, hi): root by root over blocks of points, so that the loop over
    points vectorizes (a product per point, root after root, is a chain of dependent multiplications)."""
    for start in range(lo, hi, 1024):
        end = min(start + 1024, hi)
        xs, acc = x[start:end], out[start:end]
        acc[:] = 1
        for r in roots:
            for j in range(end - start):
                acc[j] = F.mul64(acc[j], F.sub64(xs[j], r))


def domain_points(size: int, shift: int = GENERATOR) -> np.ndarray:
    return F.powers(root_of_unity(size), size, shift)


def divisor_groups(protocol: Protocol) -> tuple[list, list[int]]:
    """The distinct divisors the constraints use (EVERY_ROW, TRANSITION, or a boundary's row), in order of first
    use, and each constraint's index into them."""
    keys = [protocol.boundary_row(c) if c.kind == BOUNDARY else c.kind for c in protocol.constraints]
    distinct = list(dict.fromkeys(keys))
    index = {key: i for i, key in enumerate(distinct)}
    return distinct, [index[key] for key in keys]


def _divisor_inverses(protocol: Protocol, shift: int, x: np.ndarray, keys: list, out: np.ndarray) -> None:
    """out[g] = 1 / Z(x) on one coset of the trace domain for the divisor keys[g]: EVERY_ROW, TRANSITION, or a
    boundary's row. Written row by row into one array reused by every coset (a dict of arrays stacked into it
    held them twice: 0.2 GiB at 2^21 rows)."""
    n = protocol.trace_length
    w = root_of_unity(n)
    # On a coset shift*<w_n>, x^n is the constant shift^n: one inversion for the whole vanishing polynomial.
    vanishing_inv = pow(pow(shift, n, P) - 1, P - 2, P)
    # Every-row constraints exclude the random rows from the vanishing set; transitions the last active row too.
    excluded = np.empty(x.size, dtype=np.uint64)
    threads.run_ranges(_exclusion, x.size, x, F.from_ints([pow(w, i, P) for i in range(protocol.active_rows, n)]), excluded,
                       min_per_thread=F.PER_THREAD)
    every_row = F.mul_scalar(excluded, vanishing_inv)
    del excluded
    # 1 / (x_j - w^r) = w^-r / (shift w^(j-r) - 1): every boundary row's divisor is a rotation of one inverse.
    base = None
    for g, key in enumerate(keys):
        if key == EVERY_ROW:
            out[g] = every_row
        elif key == TRANSITION:
            out[g] = F.mul(every_row, F.add_scalar(x, -pow(w, protocol.active_rows - 1, P)))
        else:
            base = F.batch_inverse(F.add_scalar(x, -1)) if base is None else base
            out[g] = F.mul_scalar(np.roll(base, key), pow(w, (P - 2) * key, P))


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


def quotient_values(protocol: Protocol, main: CommittedPolynomials, aux: CommittedPolynomials | None,
                    challenges: list[Ext], alpha: Ext) -> np.ndarray:
    """sum_k alpha^k C_k(x) / Z_k(x) at every LDE point (natural order), as an (N, 2) extension array,
    computed one coset of the trace domain at a time."""
    n, blowup = protocol.trace_length, protocol.params.blowup
    # Constraints sharing a divisor are summed first (coefficients alpha^k), then divided once.
    group_keys, group_of = divisor_groups(protocol)
    coefficients, power = [], Ext(1)
    for _ in protocol.constraints:
        coefficients.append(power)
        power = power * alpha
    program = compile_constraints([c.expr for c in protocol.constraints], group_of, coefficients, challenges)

    result = np.zeros((n * blowup, 2), dtype=np.uint64)
    values = np.empty((n, 2), dtype=np.uint64)
    inverse_rows = np.empty((len(group_keys), n), dtype=np.uint64)
    no_columns = np.zeros((0, n), dtype=np.uint64)
    order = main.pass_order()  # both arrays hold their commitment's last coset, unless LogUp's trace values replaced it
    aux_cosets = aux.cosets(order) if aux is not None else ((k, no_columns) for k in order)
    for (coset, main_values), (_, aux_values) in zip(main.cosets(order), aux_cosets):
        shift = coset_shift(coset, n, blowup)
        x = F.powers(root_of_unity(n), n, shift)
        _divisor_inverses(protocol, shift, x, group_keys, inverse_rows)
        periodic = np.stack(_periodic_on_coset(protocol, shift)) if protocol.periodic else no_columns
        evaluate_quotient(program, main_values, aux_values, periodic, inverse_rows, values)
        result[coset::blowup] = values
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
