"""FRI, verifier side: every query is followed through every layer, each fold checked, then the final polynomial.

Layer layout: a layer over a domain of N points with folding arity a has N/a leaves; leaf t holds the values
at indices t, t + N/a, ..., t + (a-1)N/a, the coset {x_t * zeta^k} that folds into one point of the next layer.
"""
from __future__ import annotations

from circuits.field import Ext, P, inv, root_of_unity


def fold_coset(coset: list[Ext], x_t: int, beta: Ext) -> Ext:
    """The folded value at x_t^a from the values at x_t * zeta^k (k < a): sum_r (beta/x_t)^r u_r, where
    u_r = (1/a) sum_k f(x_t zeta^k) zeta^(-kr)."""
    arity = len(coset)
    zeta_inv = inv(root_of_unity(arity))
    arity_inv = inv(arity)
    w = beta * inv(x_t)
    result, w_power = Ext(0), Ext(1)
    for r in range(arity):
        u = Ext(0)
        for k, value in enumerate(coset):
            u = u + value * (pow(zeta_inv, k * r, P) * arity_inv % P)
        result = result + w_power * u
        w_power = w_power * w
    return result


def evaluate_polynomial(coeffs: list[Ext], x: int) -> Ext:
    result = Ext(0)
    for c in reversed(coeffs):
        result = result * x + c
    return result
