"""The DEEP composition over the whole LDE domain: `verifier.stark.deep`'s D(x), computed for every x at once."""
from __future__ import annotations

import numpy as np

from circuits.field import Ext, root_of_unity
from prover.engine import field_arrays as F
from prover.engine import ntt
from prover.engine.array_algebra import ARRAYS
from prover.engine.commitment import coset_shift
from prover.engine.polynomials import combine_columns
from verifier.stark.deep import deep_coefficients
from verifier.stark.protocol import Protocol


def deep_composition(protocol: Protocol, trace_coeffs: list[np.ndarray], quotient_coeffs: np.ndarray, z: Ext,
                     ood_trace, ood_quotient, gamma: Ext):
    """(A(x) - A(z)) / (x - z) + (B(x) - B(zg)) / (x - zg) + c R(x) over the LDE domain, as an (N, 2) extension
    array in natural order, where A, B and c are gamma-combinations of the committed polynomials and R is the
    randomizer (zero knowledge). A and B are combined in coefficient form, then evaluated one coset of the trace
    domain at a time (LDE point k + blowup*i is point i of coset k): only the result is LDE-sized, not the half
    dozen extension arrays of each term (256 MB each at 2^24 points)."""
    width, parts = protocol.trace_width, 2 * protocol.quotient_chunks
    n, blowup = protocol.trace_length, protocol.params.blowup
    at_z, at_zg, at_z_quotient, at_randomizer = deep_coefficients(gamma, width, parts)
    g = root_of_unity(n)

    def combined(matrices, coeffs) -> np.ndarray:
        """The (2, n) coefficients of sum_i coeffs[i] * polynomial_i."""
        total, start = None, 0
        for matrix in matrices:
            part = combine_columns(matrix, coeffs[start:start + matrix.shape[0]])
            total = part if total is None else F.add(total, part)
            start += matrix.shape[0]
        return np.ascontiguousarray(total.T)

    def on_coset(coeffs: np.ndarray, shift: int) -> np.ndarray:
        """(n, 2): the extension polynomial with (2, n) coefficients on the coset shift * <w_n>."""
        return np.ascontiguousarray(ntt.coset_ntt(coeffs, shift).T)

    def term(poly, coeffs, values, point: Ext, shift: int, x: np.ndarray):
        at_point = sum((c * v for c, v in zip(coeffs, values)), Ext(0))
        return F.ext_mul(ARRAYS.sub(on_coset(poly, shift), at_point), F.ext_batch_inverse(ARRAYS.sub(x, point)))

    a_coeffs = at_z + at_z_quotient
    a = combined([*trace_coeffs, quotient_coeffs[:parts]], a_coeffs)
    b = combined(trace_coeffs, at_zg)
    deep = np.empty((n * blowup, 2), dtype=np.uint64)
    for k in range(blowup):
        shift = coset_shift(k, n, blowup)
        x = F.powers(g, n, shift)
        value = F.add(term(a, a_coeffs, ood_trace[:width] + ood_quotient, z, shift, x),
                      term(b, at_zg, ood_trace[width:], z * g, shift, x))
        if protocol.params.zero_knowledge:
            value = F.add(value, F.ext_mul_scalar(on_coset(quotient_coeffs[parts:parts + 2], shift), at_randomizer))
        deep[k::blowup] = value
    return deep
