"""The DEEP composition over the whole LDE domain: `verifier.stark.deep`'s D(x), computed for every x at once."""
from __future__ import annotations

import numpy as np

from circuits.expr import aux_col, challenge, main_col
from circuits.field import Ext, root_of_unity
from prover.engine import field_arrays as F
from prover.engine import ntt
from prover.engine.commitment import CommittedPolynomials, coset_shift
from prover.engine.constraint_program import compile_constraints, inverse
from prover.engine.constraint_vm import evaluate_columns
from verifier.stark.deep import DeepComposition
from verifier.stark.protocol import Protocol


def deep_composition(protocol: Protocol, trace: list[CommittedPolynomials], quotient: CommittedPolynomials, z: Ext,
                     ood_trace, ood_quotient, gamma: Ext):
    """(A(x) - A(z)) / (x - z) + (B(x) - B(zg)) / (x - zg) + c R(x) over the LDE domain, as an (N, 2) extension
    array in natural order, where A, B and c are gamma-combinations of the committed polynomials and R is the
    randomizer (zero knowledge). A and B are combined in coefficient form (one pass over each commitment's
    coefficients for both), then evaluated one coset of the trace domain at a time (LDE point k + blowup*i is
    point i of coset k), and D by the constraint interpreter, a block of points at a time (its divisions one
    batch inversion a block): only the result is LDE-sized."""
    width, parts = protocol.trace_width, 2 * protocol.quotient_chunks
    n, blowup, zero_knowledge = protocol.trace_length, protocol.params.blowup, protocol.params.zero_knowledge
    g = root_of_unity(n)
    deep_at = DeepComposition(gamma, width, parts, z, z * g, ood_trace, ood_quotient, zero_knowledge)
    a, b = quotient.combine([deep_at.a_coeffs[width:]])[0], np.zeros((2, n), dtype=np.uint64)
    start = 0
    for committed in trace:
        a_part, b_part = committed.combine([deep_at.a_coeffs[start:start + committed.width],
                                            deep_at.b_coeffs[start:start + committed.width]])
        a, b = F.add(a, a_part), F.add(b, b_part)
        start += committed.width
    polynomials = [a, b]
    if zero_knowledge:  # R's two base parts follow the quotient's chunks: R = part 0 + u * part 1
        polynomials.append(quotient.combine([[Ext(0)] * parts + [Ext(1), Ext(0, 1)]])[0])
    program = compile_constraints([_composition(zero_knowledge)], [0], [Ext(1)],
                                  [deep_at.z, deep_at.zg, deep_at.a_at_z, deep_at.b_at_zg, deep_at.at_randomizer])
    deep = np.empty((n * blowup, 2), dtype=np.uint64)
    values = np.empty((2 * len(polynomials), n), dtype=np.uint64)
    out = np.empty((1, n, 2), dtype=np.uint64)
    for k in range(blowup):
        shift = coset_shift(k, n, blowup)
        for i, poly in enumerate(polynomials):
            ntt.coset_ntt(poly, shift, out=values[2 * i:2 * i + 2])
        evaluate_columns(program, F.powers(g, n, shift).reshape(1, n), _NO_PERIODIC, n, out, aux=values)
        deep[k::blowup] = out[0]
    return deep


_NO_PERIODIC = np.zeros((0, 0), dtype=np.uint64)
Z, ZG, A_AT_Z, B_AT_ZG, RANDOMIZER_COEFFICIENT = (challenge(i) for i in range(5))  # the program's constants


def _composition(zero_knowledge: bool):
    """D as an expression of x (main column 0) and A, B, R (extension columns 0, 1, 2) at x."""
    x = main_col(0)
    d = inverse(x - Z) * (aux_col(0) - A_AT_Z) + inverse(x - ZG) * (aux_col(1) - B_AT_ZG)
    return d + RANDOMIZER_COEFFICIENT * aux_col(2) if zero_knowledge else d
