"""The DEEP composition over the whole LDE domain: `verifier.stark.deep`'s D(x), computed for every x at once."""
from __future__ import annotations

import numpy as np

from circuits.field import Ext, root_of_unity
from prover.engine import field_arrays as F
from prover.engine import ntt
from prover.engine.array_algebra import ARRAYS
from prover.engine.commitment import CommittedPolynomials, coset_shift
from verifier.stark.deep import deep_coefficients
from verifier.stark.protocol import Protocol


def deep_composition(protocol: Protocol, trace: list[CommittedPolynomials], quotient: CommittedPolynomials, z: Ext,
                     ood_trace, ood_quotient, gamma: Ext):
    """(A(x) - A(z)) / (x - z) + (B(x) - B(zg)) / (x - zg) + c R(x) over the LDE domain, as an (N, 2) extension
    array in natural order, where A, B and c are gamma-combinations of the committed polynomials and R is the
    randomizer (zero knowledge). A and B are combined in coefficient form (one pass over each commitment's
    coefficients for both), then evaluated one coset of the trace domain at a time (LDE point k + blowup*i is
    point i of coset k): only the result is LDE-sized, not the half dozen extension arrays of each term (256 MB
    each at 2^24 points)."""
    width, parts = protocol.trace_width, 2 * protocol.quotient_chunks
    n, blowup = protocol.trace_length, protocol.params.blowup
    at_z, at_zg, at_z_quotient, at_randomizer = deep_coefficients(gamma, width, parts)
    g = root_of_unity(n)

    def on_coset(coeffs: np.ndarray, shift: int) -> np.ndarray:
        """(n, 2): the extension polynomial with (2, n) coefficients on the coset shift * <w_n>."""
        return np.ascontiguousarray(ntt.coset_ntt(coeffs, shift).T)

    def term(poly, coeffs, values, point: Ext, shift: int, x: np.ndarray):
        at_point = sum((c * v for c, v in zip(coeffs, values)), Ext(0))
        return F.ext_mul(ARRAYS.sub(on_coset(poly, shift), at_point), F.ext_batch_inverse(ARRAYS.sub(x, point)))

    a, b = quotient.combine([at_z_quotient])[0], np.zeros((2, n), dtype=np.uint64)
    start = 0
    for committed in trace:
        a_part, b_part = committed.combine([at_z[start:start + committed.width], at_zg[start:start + committed.width]])
        a, b = F.add(a, a_part), F.add(b, b_part)
        start += committed.width
    if protocol.params.zero_knowledge:  # R's two base parts follow the quotient's chunks: R = part 0 + u * part 1
        randomizer = quotient.combine([[Ext(0)] * parts + [Ext(1), Ext(0, 1)]])[0]
    deep = np.empty((n * blowup, 2), dtype=np.uint64)
    for k in range(blowup):
        shift = coset_shift(k, n, blowup)
        x = F.powers(g, n, shift)
        value = F.add(term(a, at_z + at_z_quotient, ood_trace[:width] + ood_quotient, z, shift, x),
                      term(b, at_zg, ood_trace[width:], z * g, shift, x))
        if protocol.params.zero_knowledge:
            value = F.add(value, F.ext_mul_scalar(on_coset(randomizer, shift), at_randomizer))
        deep[k::blowup] = value
    return deep
