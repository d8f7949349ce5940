"""The DEEP composition over the whole LDE domain: `verifier.stark.deep`'s D(x), computed for every x at once."""
from __future__ import annotations

import numpy as np

from circuits.field import Ext, root_of_unity
from prover.engine import field_arrays as F
from prover.engine import lde
from prover.engine.array_algebra import ARRAYS
from prover.engine.polynomials import combine_columns
from prover.engine.quotient import domain_points
from verifier.stark.deep import deep_coefficients
from verifier.stark.protocol import Protocol


def deep_composition(protocol: Protocol, trace_coeffs: list[np.ndarray], quotient_coeffs: np.ndarray, z: Ext,
                     ood_trace, ood_quotient, gamma: Ext):
    """(A(x) - A(z)) / (x - z) + (B(x) - B(zg)) / (x - zg) + c R(x) over the LDE domain, where A, B and c are
    gamma-combinations of the committed polynomials and R is the randomizer (zero knowledge). A and B are
    combined in coefficient form and extended once each: no committed LDE is needed here."""
    width, parts = protocol.trace_width, 2 * protocol.quotient_chunks
    blowup = protocol.params.blowup
    at_z, at_zg, at_z_quotient, at_randomizer = deep_coefficients(gamma, width, parts)
    x = domain_points(protocol.lde_size)
    g = root_of_unity(protocol.trace_length)

    def extended(matrices, coeffs) -> np.ndarray:
        """The LDE, as an (N, 2) extension array, of sum_i coeffs[i] * polynomial_i."""
        total, start = None, 0
        for matrix in matrices:
            part = combine_columns(matrix, coeffs[start:start + matrix.shape[0]])
            total = part if total is None else F.add(total, part)
            start += matrix.shape[0]
        return np.ascontiguousarray(lde.low_degree_extend(np.ascontiguousarray(total.T), blowup).T)

    def term(combined, coeffs, values, point: Ext):
        at_point = sum((c * v for c, v in zip(coeffs, values)), Ext(0))
        return F.ext_mul(ARRAYS.sub(combined, at_point), F.ext_batch_inverse(ARRAYS.sub(x, point)))

    a_coeffs = at_z + at_z_quotient
    deep = term(extended([*trace_coeffs, quotient_coeffs[:parts]], a_coeffs), a_coeffs,
                ood_trace[:width] + ood_quotient, z)
    deep = F.add(deep, term(extended(trace_coeffs, at_zg), at_zg, ood_trace[width:], z * g))
    if protocol.params.zero_knowledge:
        randomizer = lde.low_degree_extend(quotient_coeffs[parts:parts + 2], blowup)
        deep = F.add(deep, F.ext_mul_scalar(np.ascontiguousarray(randomizer.T), at_randomizer))
    return deep
