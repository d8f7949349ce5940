"""The DEEP composition (DEEP-ALI): the one polynomial FRI proves of low degree, tying every committed column to
its out-of-domain openings. Its coefficients and its value at a query point are defined here once; the prover
computes the same combination over the whole LDE domain (`prover.engine.deep`).

    D(x) = (A(x) - A(z)) / (x - z) + (B(x) - B(zg)) / (x - zg) + c R(x)

where A combines the trace and quotient-chunk columns, B the trace columns (at the next row), with distinct
powers of gamma, and R is the zero-knowledge randomizer.
"""
from __future__ import annotations

from circuits.field import Ext

X = Ext(0, 1)  # the extension's generator: a column stored as two base parts is part0 + X * part1


def deep_coefficients(gamma: Ext, trace_width: int, quotient_parts: int):
    """Random coefficients of the DEEP composition: distinct powers of gamma, in a fixed order (trace columns at
    z and at z*g interleaved, the quotient chunk columns at z, then the zero-knowledge randomizer), so that no
    term of the batch FRI checks has a coefficient the prover knew before committing."""
    powers, power = [], Ext(1)
    for _ in range(2 * trace_width + quotient_parts + 1):
        powers.append(power)
        power = power * gamma
    at_z = powers[0:2 * trace_width:2]
    at_zg = powers[1:2 * trace_width:2]
    quotient = powers[2 * trace_width:-1]
    return at_z, at_zg, quotient, powers[-1]


class DeepComposition:
    """D at any point, from the opened rows there; built once per proof from gamma and the out-of-domain values."""

    def __init__(self, gamma: Ext, trace_width: int, quotient_parts: int, z: Ext, zg: Ext, ood_trace: list[Ext],
                 ood_quotient: list[Ext], zero_knowledge: bool):
        at_z, at_zg, at_z_quotient, self.at_randomizer = deep_coefficients(gamma, trace_width, quotient_parts)
        self.a_coeffs, self.b_coeffs = at_z + at_z_quotient, at_zg
        self.z, self.zg, self.parts, self.zero_knowledge = z, zg, quotient_parts, zero_knowledge
        self.a_at_z = _combine(self.a_coeffs, ood_trace[:trace_width] + ood_quotient)
        self.b_at_zg = _combine(at_zg, ood_trace[trace_width:])

    def at(self, x: int, trace_row: list[int], quotient_row: list[int]) -> Ext:
        a = _combine(self.a_coeffs, trace_row + quotient_row[:self.parts])
        b = _combine(self.b_coeffs, trace_row)
        value = (a - self.a_at_z) / (x - self.z) + (b - self.b_at_zg) / (x - self.zg)
        if self.zero_knowledge:
            randomizer = quotient_row[self.parts] + X * quotient_row[self.parts + 1]
            value = value + self.at_randomizer * randomizer
        return value


def _combine(coeffs: list[Ext], values) -> Ext:
    return sum((c * v for c, v in zip(coeffs, values)), Ext(0))
