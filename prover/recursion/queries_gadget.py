"""Every query of a child proof in the circuit: the DEEP composition at the query point from the opened rows, then
each FRI fold and the final polynomial, as `verifier.stark.verify._check_queries` does natively (the formulas of
`verifier.stark.deep` and `verifier.stark.fri`).

Everything fixed by the child's shape is a constant: the domain generators, each layer's coset shift, the
interpolation weights zeta^(-kr)/a. The query's position enters only through its index bits: the query point
g * w^j is a product over the bits, a layer's leaf position t and coset slot k are bit slices of j, and the
opened coset's value at k is picked by a multiplexer of those bits.
"""
from __future__ import annotations

from circuits.field import GENERATOR, P, inv, root_of_unity
from prover.recursion.circuit import Circuit, Wire
from prover.recursion.ext_ops import ext_of_parts, horner, mux, power_from_bits
from verifier.stark.protocol import Protocol


def _combine(circuit: Circuit, coeffs: list[Wire], values: list[Wire]) -> Wire:
    acc = circuit.mul(coeffs[0], values[0])
    for c, v in zip(coeffs[1:], values[1:]):
        acc = circuit.mul_add(c, v, acc)
    return acc


class DeepGadget:
    """D(x) at any query point, from the OOD values (the per-proof parts computed once)."""

    def __init__(self, circuit: Circuit, protocol: Protocol, gamma: Wire, z: Wire, ood_trace: list[Wire],
                 ood_quotient: list[Wire]):
        c = circuit
        self.circuit, self.width = c, protocol.trace_width
        self.parts, self.zero_knowledge = 2 * protocol.quotient_chunks, protocol.params.zero_knowledge
        count = 2 * self.width + self.parts + 1
        powers = [c.constant(1), gamma]
        while len(powers) < count:
            powers.append(c.mul(powers[-1], gamma))
        at_z, at_zg, quotient, self.at_randomizer = _split(powers, self.width, self.parts)
        self.a_coeffs, self.b_coeffs = at_z + quotient, at_zg
        self.a_at_z = _combine(c, self.a_coeffs, ood_trace[:self.width] + ood_quotient)
        self.b_at_zg = _combine(c, self.b_coeffs, ood_trace[self.width:])
        self.z, self.zg = z, c.scale(z, root_of_unity(protocol.trace_length))

    def at(self, x: Wire, trace_row: list[Wire], quotient_row: list[Wire]) -> Wire:
        c = self.circuit
        a = _combine(c, self.a_coeffs, trace_row + quotient_row[:self.parts])
        b = _combine(c, self.b_coeffs, trace_row)
        value = c.add(c.div(c.sub(a, self.a_at_z), c.sub(x, self.z)), c.div(c.sub(b, self.b_at_zg),
                                                                             c.sub(x, self.zg)))
        if self.zero_knowledge:
            randomizer = ext_of_parts(c, quotient_row[self.parts], quotient_row[self.parts + 1])
            value = c.mul_add(self.at_randomizer, randomizer, value)
        return value


def _split(powers: list, width: int, parts: int):
    """deep_coefficients' order (trace at z and z*g interleaved, quotient parts, the randomizer), on wires."""
    at_z, at_zg = powers[0:2 * width:2], powers[1:2 * width:2]
    return at_z, at_zg, powers[2 * width:2 * width + parts], powers[2 * width + parts]


def check_query(circuit: Circuit, protocol: Protocol, deep: DeepGadget, bits: list[Wire], trace_row: list[Wire],
                quotient_row: list[Wire], fri_rows: list[list[Wire]], betas: list[Wire],
                fri_final: list[Wire]) -> None:
    """Assert one query's path: D at the query point is the first layer's opened value, each fold is the next
    layer's, and the last fold is the final polynomial's value."""
    c = circuit
    x = power_from_bits(c, bits, root_of_unity(protocol.lde_size), GENERATOR)
    expected = deep.at(x, trace_row, quotient_row)
    log_arity = protocol.params.fri_log_arity
    arity = 1 << log_arity
    zeta_inv, arity_inv = inv(root_of_unity(arity)), inv(arity)
    shift, log_size = GENERATOR, protocol.lde_size.bit_length() - 1
    for size, row, beta in zip(protocol.fri_layers, fri_rows, betas):
        log_leaves = log_size - log_arity
        t_bits, k_bits = bits[:log_leaves], bits[log_leaves:log_size]
        coset = [ext_of_parts(c, row[2 * i], row[2 * i + 1]) for i in range(arity)]
        mux(c, k_bits, coset, into=expected)
        x_t = power_from_bits(c, t_bits, root_of_unity(size), shift)
        w = c.div(beta, x_t)
        u = [_combine(c, [c.constant(pow(zeta_inv, k * r, P) * arity_inv % P) for k in range(arity)], coset)
             for r in range(arity)]
        expected = horner(c, u, w)
        shift, log_size = pow(shift, arity, P), log_leaves
    x_final = power_from_bits(c, bits[:log_size], root_of_unity(1 << log_size), shift)
    horner(c, fri_final, x_final, into=expected)


