"""The constraint quotient: every constraint divided by the polynomial vanishing where it must hold, combined
with powers of a random challenge, evaluated over the LDE domain, then split into chunks of trace degree."""
from __future__ import annotations

import numba as nb
import numpy as np

from circuits import field as F
from circuits.air import BOUNDARY, EVERY_ROW, TRANSITION
from circuits.field import GENERATOR, P, Ext, root_of_unity
from circuits import ntt
from prover import lde
from prover.array_algebra import ARRAYS
from verifier.protocol import Protocol

CHUNK = 1 << 14  # LDE points per evaluation pass: small enough that intermediates stay in cache


class ConstraintViolation(ValueError):
    """The trace does not satisfy the AIR; raised by the honest prover before it proves anything."""


@nb.njit(parallel=True, cache=True)
def _exclusion(x, roots, out):
    for j in nb.prange(x.size):
        acc = np.uint64(1)
        for r in roots:
            acc = F.mul64(acc, F.sub64(x[j], r))
        out[j] = acc


def domain_points(size: int, shift: int = GENERATOR) -> np.ndarray:
    return F.powers(root_of_unity(size), size, shift)


def divisor_inverses(protocol: Protocol, x: np.ndarray) -> dict:
    """1 / Z(x) over the domain for every divisor the constraints use: keyed by kind, or by row for boundaries."""
    n, size = protocol.trace_length, x.size
    blowup = size // n
    w = root_of_unity(n)
    # x^n takes only `blowup` distinct values on the coset, so 1/(x^n - 1) costs `blowup` inversions.
    x_n = [pow(GENERATOR, n, P) * pow(root_of_unity(blowup), j, P) % P for j in range(blowup)]
    vanishing_inv = np.tile(F.from_ints([pow(v - 1, P - 2, P) for v in x_n]), n)
    # Every-row constraints exclude the random rows from the vanishing set; transitions the last active row too.
    excluded = np.empty(size, dtype=np.uint64)
    _exclusion(x, F.from_ints([pow(w, i, P) for i in range(protocol.active_rows, n)]), excluded)
    out = {EVERY_ROW: F.mul(excluded, vanishing_inv)}
    out[TRANSITION] = F.mul(out[EVERY_ROW], F.add_scalar(x, -pow(w, protocol.active_rows - 1, P)))
    for c in protocol.constraints:
        if c.kind == BOUNDARY:
            row = protocol.boundary_row(c)
            if row not in out:
                out[row] = F.batch_inverse(F.add_scalar(x, -pow(w, row, P)))
    return out


def periodic_lde(protocol: Protocol, size: int) -> list[np.ndarray]:
    """Each periodic column's polynomial over the LDE domain (it repeats with period blowup * its length)."""
    n = protocol.trace_length
    blowup = size // n
    out = []
    for values in protocol.periodic:
        period = len(values)
        coeffs = ntt.intt(F.from_ints(values))
        # p(x) = q(x^(n/period)); on the coset, x^(n/period) runs over a coset of size blowup*period.
        small = lde.low_degree_extend(coeffs[None, :], blowup, pow(GENERATOR, n // period, P))[0]
        out.append(np.tile(small, n // period))
    return out


def quotient_values(protocol: Protocol, main_lde: np.ndarray, aux_lde: np.ndarray | None, challenges: list[Ext],
                    alpha: Ext) -> np.ndarray:
    """sum_k alpha^k C_k(x) / Z_k(x) at every LDE point, as an (N, 2) extension array."""
    size = main_lde.shape[1]
    blowup = size // protocol.trace_length
    x = domain_points(size)
    inverses = divisor_inverses(protocol, x)
    periodic = periodic_lde(protocol, size)
    groups: dict = {}
    power = Ext(1)
    for k, c in enumerate(protocol.constraints):
        key = protocol.boundary_row(c) if c.kind == BOUNDARY else c.kind
        groups.setdefault(key, []).append((k, power))
        power = power * alpha

    result = np.zeros((size, 2), dtype=np.uint64)
    for lo in range(0, size, CHUNK):
        hi = min(lo + CHUNK, size)
        nxt = np.arange(lo + blowup, hi + blowup) % size  # the next trace row is `blowup` LDE points ahead

        def leaf(node, lo=lo, hi=hi, nxt=nxt):
            op = node.op
            if op == "main":
                col, offset = node.args
                return main_lde[col, lo:hi] if offset == 0 else main_lde[col, nxt]
            if op == "aux":
                col, offset = node.args
                rows = slice(lo, hi) if offset == 0 else nxt
                return np.stack([aux_lde[2 * col, rows], aux_lde[2 * col + 1, rows]], axis=1)
            if op == "periodic":
                return periodic[node.args[0]][lo:hi]
            if op == "challenge":
                return challenges[node.args[0]]
            return node.args[0]

        values = protocol.program.evaluate(ARRAYS, leaf)
        for key, members in groups.items():
            combined = 0
            for k, coefficient in members:
                combined = ARRAYS.add(combined, ARRAYS.mul(values[k], coefficient))
            combined = ARRAYS.add(np.zeros((hi - lo, 2), dtype=np.uint64), combined)
            result[lo:hi] = F.add(result[lo:hi], F.ext_mul_base(combined, inverses[key][lo:hi]))
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
