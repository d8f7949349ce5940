"""The child's constraints at the out-of-domain point, in the circuit: the in-circuit `_check_ood` of
`verifier.stark.verify`.

The constraint values come from the child's own symbolic expressions (`protocol.program`, the source the prover
and the native verifier evaluate) run under an algebra of circuit ops: no hand copy of any constraint. Everything
that depends only on the child's shape (roots of unity, the excluded rows, the periodic columns' values) is a
constant of the circuit; the wires are the challenges, z and the opened values.

The sum over constraints is grouped by divisor before dividing (the same value as the native sum, fewer ops):
every transition and every-row constraint shares the vanishing polynomial z^n - 1 once multiplied by its excluded
rows, and each boundary row has one division. Divisions witness the quotient and assert quotient * divisor; a
divisor vanishes only if z lands on the trace domain (z^n = 1), which a random extension challenge does with
negligible probability (and the native verifier then fails too).
"""
from __future__ import annotations

from circuits.air import BOUNDARY, EVERY_ROW, TRANSITION
from circuits.expr import Algebra
from circuits.field import P, inv, root_of_unity
from prover.recursion.circuit import Circuit, Wire
from prover.recursion.ext_ops import ext_of_parts, horner, square_chain
from verifier.stark.protocol import Protocol


def wire_algebra(circuit: Circuit) -> Algebra:
    """Expressions evaluated as circuit ops: each add, sub, mul or neg is one ext mul-add."""
    return Algebra(add=circuit.add, sub=circuit.sub, mul=circuit.mul, neg=lambda a: circuit.scale(a, -1))


def periodic_at(circuit: Circuit, values: list[int], z_squares: list[Wire]) -> Wire:
    """The periodic column's polynomial at z, barycentric as `_periodic_at`: q(y) = (y^m - 1) sum_i c_i / (y - w^i)
    with c_i = v_i w^i / m, y = z^(n/m) and y^m = z^n from `z_squares` (z^(2^j) up to z^n)."""
    period = len(values)
    log_period = period.bit_length() - 1
    y, z_n = z_squares[-1 - log_period], z_squares[-1]
    w, one = root_of_unity(period), circuit.constant(1)
    total = None
    for i, v in enumerate(values):
        if v:
            point = pow(w, i, P)
            term = circuit.div(circuit.constant(v * point * inv(period)), circuit.mul_add(y, one, circuit.constant(-point)))
            total = term if total is None else circuit.add(total, term)
    if total is None:
        return circuit.constant(0)
    return circuit.mul(total, circuit.sub(z_n, one))


def constraint_values(circuit: Circuit, protocol: Protocol, challenges: list[Wire], z_squares: list[Wire],
                      ood_trace: list[Wire], publics: list[Wire]) -> list[Wire]:
    """Every constraint of the child at z (ood_trace: each base trace column at z, then at z*g, as ext wires;
    publics: the child's public values, which its constraints read as leaves)."""
    width, main_width = protocol.trace_width, protocol.main_width
    periodic = [periodic_at(circuit, col, z_squares) for col in protocol.periodic]
    aux: dict[tuple[int, int], Wire] = {}  # an aux cell may appear as several leaf nodes: paired once

    def leaf(node):
        op = node.op
        if op == "main":
            col, offset = node.args
            return ood_trace[offset * width + col]
        if op == "aux":
            if node.args not in aux:
                col, offset = node.args
                base = offset * width + main_width + 2 * col
                aux[node.args] = ext_of_parts(circuit, ood_trace[base], ood_trace[base + 1])
            return aux[node.args]
        if op == "periodic":
            return periodic[node.args[0]]
        if op == "challenge":
            return challenges[node.args[0]]
        if op == "public":
            return publics[node.args[0]]
        return circuit.constant(node.args[0])

    return protocol.symbolic_program.evaluate(wire_algebra(circuit), leaf)


def _excluded_at(circuit: Circuit, rows: range, n: int, z: Wire) -> Wire:
    """prod_{i in rows} (z - w^i), w the trace domain's generator: a polynomial with constant coefficients,
    evaluated by Horner (one op per excluded row)."""
    w = root_of_unity(n)
    coeffs = [1]
    for i in rows:  # multiply by (X - w^i)
        root = pow(w, i, P)
        coeffs = [(lo - root * hi) % P for lo, hi in zip([0] + coeffs, coeffs + [0])]
    if len(coeffs) == 1:
        return circuit.constant(1)
    return horner(circuit, [circuit.constant(c) for c in coeffs], z)


def composed_at(circuit: Circuit, protocol: Protocol, challenges: list[Wire], alpha: Wire, z_squares: list[Wire],
                ood_trace: list[Wire], publics: list[Wire]) -> Wire:
    """sum_i alpha^i C_i(z) / divisor_i(z), the value the quotient's chunks must recombine to."""
    z, n, active = z_squares[0], protocol.trace_length, protocol.active_rows
    values = constraint_values(circuit, protocol, challenges, z_squares, ood_trace, publics)
    sums: dict[tuple[str, int], Wire] = {}  # divisor -> sum of alpha^i C_i(z) over its constraints
    power = None  # alpha^i; None for alpha^0
    for k, (c, value) in enumerate(zip(protocol.constraints, values)):
        key = (c.kind, protocol.boundary_row(c) if c.kind == BOUNDARY else 0)
        term_power = power if power is not None else circuit.constant(1)
        sums[key] = circuit.mul_add(term_power, value, sums[key] if key in sums else circuit.constant(0))
        if k < len(values) - 1:
            power = alpha if power is None else circuit.mul(power, alpha)
    one = circuit.constant(1)
    terms = []
    # Transition and every-row constraints: divisor (z^n - 1) / excluded(z), so one division by z^n - 1.
    vanishing_numerator = None
    every_row_excluded = None
    for kind in (EVERY_ROW, TRANSITION):
        if (kind, 0) not in sums:
            continue
        if every_row_excluded is None:
            every_row_excluded = _excluded_at(circuit, range(active, n), n, z)
        excluded = every_row_excluded
        if kind == TRANSITION:
            last = circuit.mul_add(z, one, circuit.constant(-pow(root_of_unity(n), active - 1, P)))
            excluded = circuit.mul(excluded, last)
        vanishing_numerator = circuit.mul_add(sums[(kind, 0)], excluded,
                                              vanishing_numerator or circuit.constant(0))
    if vanishing_numerator is not None:
        terms.append(circuit.div(vanishing_numerator, circuit.sub(z_squares[-1], one)))
    w = root_of_unity(n)
    for (kind, row), total in sums.items():
        if kind == BOUNDARY:
            terms.append(circuit.div(total, circuit.mul_add(z, one, circuit.constant(-pow(w, row, P)))))
    composed = terms[0]
    for term in terms[1:]:
        composed = circuit.add(composed, term)
    return composed


def check_ood(circuit: Circuit, protocol: Protocol, challenges: list[Wire], alpha: Wire, z: Wire,
              ood_trace: list[Wire], ood_quotient: list[Wire], publics: list[Wire]) -> Wire:
    """Asserts that the quotient's chunks at z (ood_quotient: each chunk's two parts at z, as ext wires)
    recombine, in powers of z^n, to the constraints composed at z; returns the composed value's wire."""
    n = protocol.trace_length
    z_squares = square_chain(circuit, z, n.bit_length() - 1)
    composed = composed_at(circuit, protocol, challenges, alpha, z_squares, ood_trace, publics)
    chunks = [ext_of_parts(circuit, ood_quotient[2 * j], ood_quotient[2 * j + 1])
              for j in range(protocol.quotient_chunks)]
    horner(circuit, chunks, z_squares[-1], into=composed)
    return composed
