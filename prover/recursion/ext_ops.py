"""Building blocks of the in-circuit verifier's algebra, each a few ext mul-add ops over `Circuit` wires: what
the OOD and FRI gadgets share (pairs of base parts, square chains, Horner, powers from bits, a multiplexer).

An optional `into` asserts the block's result equal to an existing wire with its last op (no extra op).
"""
from __future__ import annotations

from circuits.field import P
from prover.recursion.circuit import Circuit, Operand, Wire
from verifier.stark.deep import X


def ext_of_parts(circuit: Circuit, part0: Operand, part1: Operand) -> Wire:
    """part0 + X * part1: an extension column stored as two parts (LogUp columns, quotient chunks, FRI leaves)."""
    return circuit.mul_add(circuit.constant(X), part1, part0)


def square_chain(circuit: Circuit, x: Wire, count: int) -> list[Wire]:
    """[x, x^2, x^4, ..., x^(2^count)]."""
    chain = [x]
    for _ in range(count):
        chain.append(circuit.mul(chain[-1], chain[-1]))
    return chain


def horner(circuit: Circuit, coeffs: list[Wire], x: Operand, into: Wire | None = None) -> Wire:
    """sum_i coeffs[i] * x^i: one op per coefficient after the first."""
    acc = coeffs[-1]
    if len(coeffs) == 1 and into is not None:
        circuit.assert_equal(acc, into)
    for k, c in enumerate(reversed(coeffs[:-1])):
        acc = circuit.mul_add(acc, x, c, into=into if k == len(coeffs) - 2 else None)
    return acc


def power_from_bits(circuit: Circuit, bits: list[Wire], base: int, times: Wire | int = 1) -> Wire:
    """times * base^n, n given by its little-endian bit wires (each already constrained to 0 or 1) and base a
    constant: the product of the factors 1 + b_j (base^(2^j) - 1), two ops a bit (one for the first bit when
    `times` is a constant, which that factor absorbs)."""
    acc: Wire | None = times if isinstance(times, Wire) else None
    for j, bit in enumerate(bits):
        step = pow(base, 1 << j, P)
        if acc is None:
            acc = circuit.mul_add(bit, circuit.constant((step - 1) * times), circuit.constant(times))
        else:
            factor = circuit.mul_add(bit, circuit.constant(step - 1), circuit.constant(1))
            acc = circuit.mul(acc, factor)
    return acc if acc is not None else circuit.constant(times)


def select(circuit: Circuit, bit: Wire, if_one: Operand, if_zero: Operand, into: Wire | None = None) -> Wire:
    """if_zero + bit * (if_one - if_zero), for a bit already constrained to 0 or 1."""
    return circuit.mul_add(bit, circuit.sub(if_one, if_zero), if_zero, into=into)


def mux(circuit: Circuit, bits: list[Wire], values: list[Wire], into: Wire | None = None) -> Wire:
    """values[k] for k given by its little-endian bit wires (len(values) == 2^len(bits)): a binary tree of
    selects, bit 0 choosing within pairs, two ops per select."""
    if len(values) != 1 << len(bits):
        raise ValueError(f"{len(values)} values for {len(bits)} selector bits")
    if not bits:
        if into is not None:
            circuit.assert_equal(values[0], into)
        return values[0]
    level = values
    for depth, bit in enumerate(bits):
        last = depth == len(bits) - 1
        level = [select(circuit, bit, level[2 * m + 1], level[2 * m], into=into if last else None)
                 for m in range(len(level) // 2)]
    return level[0]
