"""The verifier AIR's chips (docs/RECURSION.md, section 2): column groups of one trace, each one operation per row,
all reading and writing values through one LogUp witness bus.

Every value on the bus is a tuple `(wire id, c0, c1)`: an element of F_p[X]/(X^2 - 7) (circuits.field.Ext), a
base-field value having c1 = 0. The slot that computes a wire sends it with multiplicity = its fan-out; every
consumer receives it once (read flag 1); an input whose read flag is 0 is a free witness value (the child proof's
data). An output port with multiplicity -1 *consumes* the wire it names: the op's result is asserted equal to a
value produced elsewhere (a public input, say). Constants are produced by constant ports.

The wiring is fixed by the circuit: every wire id, read flag, multiplicity, Merkle flag and constant is a
preprocessed column (`Columns.fixed`), committed under the circuit's verifying key, so the prover fills only the
values. Each wire then has exactly one producer sending it as often as it is consumed, and the bus balances only
if every consumer reads the value its producer computed. The local constraints hold on every row whatever the
wiring (an unused slot holds a valid operation on zeros, with nothing on the bus), so no selector gates them
except the Merkle mode's framing and swap.
"""
from __future__ import annotations

from circuits import poseidon2 as p2
from circuits import poseidon2_air
from circuits.air import EVERY_ROW, Constraint, Interaction
from circuits.expr import Expr, const, main_col
from circuits.field import EXT_NONRESIDUE, P
from circuits.tree_hash import DIGEST_ELEMENTS, DOMAIN_NODE, RATE

WITNESS_BUS = 1
BITS = 64
HALF = 32


def node_framing(domain: int = DOMAIN_NODE) -> tuple[int, ...]:
    """The capacity of a two-to-one node hash of `circuits.tree_hash`'s sponge: [domain, 8, 0, 0] (the solvency
    tree's node by default; the STARK's Poseidon2 commitment passes its own node domain)."""
    return (domain, 2 * DIGEST_ELEMENTS) + (0,) * (p2.WIDTH - RATE - 2)


class Columns:
    """Hands out main-trace columns from two ranges: the preprocessed ones (`fixed`) from 0, the prover's
    (`take`) from `fixed_width` on, as the engine wants the fixed columns first. The AIR lays its slots out once
    with `fixed_width` 0 to count them (`fixed_used`), then again for real."""

    def __init__(self, fixed_width: int = 0):
        self.fixed_used, self.width = 0, fixed_width

    def fixed(self, k: int) -> list[int]:
        self.fixed_used += k
        return list(range(self.fixed_used - k, self.fixed_used))

    def take(self, k: int) -> list[int]:
        self.width += k
        return list(range(self.width - k, self.width))


def port(multiplicity: Expr, wire: Expr, value: list[Expr]) -> Interaction:
    """`multiplicity` copies of (wire, value) on the witness bus; a base value is padded with c1 = 0."""
    coords = list(value) + [const(0)] * (2 - len(value))
    return Interaction(WITNESS_BUS, multiplicity, (wire, *coords))


def _boolean(name: str, x: Expr) -> Constraint:
    return Constraint(name, x * (x - 1), EVERY_ROW)


class Poseidon2Slot:
    """One permutation (12 input lanes, 118 S-box cells, `circuits.poseidon2_air`), either plain (every lane read
    and written on the bus) or a Merkle step (`merkle` = 1): lanes 0..7 are (digest, sibling), swapped when the
    index bit `swap` is 1 (the `ordered` cells are the unswapped view the bus reads, degree 2), the capacity is
    the constant `framing`, and the bit is read from the bus. Outputs have consecutive wire ids from `out_wire`.
    `merkle` is preprocessed (0 or 1 by construction); `swap` is the prover's, held to the bus's bit."""

    def __init__(self, cols: Columns, index: int, framing: tuple[int, ...]):
        if len(framing) != p2.WIDTH - RATE:
            raise ValueError(f"a framing is the {p2.WIDTH - RATE} capacity lanes")
        self.name, self.framing = f"poseidon2 slot {index}: ", tuple(framing)
        self.merkle, self.bit_wire, self.out_wire = cols.fixed(3)
        self.in_wire, self.in_read, self.out_mult = cols.fixed(p2.WIDTH), cols.fixed(p2.WIDTH), cols.fixed(p2.WIDTH)
        self.lanes, self.sboxes = cols.take(p2.WIDTH), cols.take(poseidon2_air.SBOXES)  # the kernel's order
        self.ordered = cols.take(RATE)
        (self.swap,) = cols.take(1)

    def _cells(self):
        return [main_col(c) for c in self.lanes], [main_col(c) for c in self.sboxes]

    def outputs(self) -> list[Expr]:
        return poseidon2_air.outputs(*self._cells())

    def constraints(self) -> list[Constraint]:
        lanes, sboxes = self._cells()
        merkle, swap = main_col(self.merkle), main_col(self.swap)
        cs = poseidon2_air.constraints(lanes, sboxes, self.name)
        cs += [_boolean(self.name + "swap is boolean", swap),
               Constraint(self.name + "swap only in a Merkle step", swap * (1 - merkle), EVERY_ROW)]
        for i in range(RATE):
            partner = lanes[(i + DIGEST_ELEMENTS) % RATE]
            cs.append(Constraint(f"{self.name}ordered lane {i}",
                                 main_col(self.ordered[i]) - lanes[i] - swap * (partner - lanes[i]), EVERY_ROW))
        for i, value in enumerate(self.framing):
            cs.append(Constraint(f"{self.name}Merkle framing lane {RATE + i}",
                                 merkle * (lanes[RATE + i] - value), EVERY_ROW))
        return cs

    def interactions(self) -> list[Interaction]:
        read = [main_col(c) for c in self.ordered] + [main_col(c) for c in self.lanes[RATE:]]
        ports = [port(-main_col(r), main_col(w), [v]) for r, w, v in zip(self.in_read, self.in_wire, read)]
        ports.append(port(-main_col(self.merkle), main_col(self.bit_wire), [main_col(self.swap)]))
        ports += [port(main_col(m), main_col(self.out_wire) + i, [out])
                  for i, (m, out) in enumerate(zip(self.out_mult, self.outputs()))]
        return ports


class ExtSlot:
    """out = a * b + c over F_p[X]/(X^2 - 7), each value two cells (degree 2)."""

    OPERANDS = ("a", "b", "c")

    def __init__(self, cols: Columns, index: int):
        self.name = f"ext slot {index}: "
        self.wires = {k: cols.fixed(1)[0] for k in (*self.OPERANDS, "out")}
        self.reads = {k: cols.fixed(1)[0] for k in self.OPERANDS}
        (self.out_mult,) = cols.fixed(1)
        self.values = {k: cols.take(2) for k in (*self.OPERANDS, "out")}

    def _value(self, k: str) -> list[Expr]:
        return [main_col(c) for c in self.values[k]]

    def constraints(self) -> list[Constraint]:
        (a0, a1), (b0, b1), (c0, c1), (o0, o1) = (self._value(k) for k in (*self.OPERANDS, "out"))
        return [Constraint(self.name + "out.0 = (a*b + c).0", o0 - (a0 * b0 + EXT_NONRESIDUE * (a1 * b1) + c0),
                           EVERY_ROW),
                Constraint(self.name + "out.1 = (a*b + c).1", o1 - (a0 * b1 + a1 * b0 + c1), EVERY_ROW)]

    def interactions(self) -> list[Interaction]:
        ports = [port(-main_col(self.reads[k]), main_col(self.wires[k]), self._value(k)) for k in self.OPERANDS]
        ports.append(port(main_col(self.out_mult), main_col(self.wires["out"]), self._value("out")))
        return ports


class BitsSlot:
    """A base element x and its 64 bits, little-endian: each boolean, x = lo + 2^32 hi, and the 64-bit integer
    canonical (< p = 2^64 - 2^32 + 1: if hi is 2^32 - 1, lo is 0), so the bits of x are unique. `inv` is the
    inverse of hi - (2^32 - 1) when that is non-zero, making `all_ones = 1 - z * inv` the indicator of z = 0.
    Bit j has wire id `bits_wire + j`."""

    def __init__(self, cols: Columns, index: int):
        self.name = f"bits slot {index}: "
        self.x_wire, self.x_read, self.bits_wire = cols.fixed(3)
        self.bit_mult = cols.fixed(BITS)
        self.x, self.inv = cols.take(2)
        self.bits = cols.take(BITS)

    def constraints(self) -> list[Constraint]:
        bits = [main_col(c) for c in self.bits]
        lo = sum((b * (1 << j) for j, b in enumerate(bits[1:HALF], 1)), bits[0])
        hi = sum((b * (1 << j) for j, b in enumerate(bits[HALF + 1:], 1)), bits[HALF])
        z = hi - ((1 << HALF) - 1)
        all_ones = 1 - z * main_col(self.inv)
        cs = [_boolean(f"{self.name}bit {j} is boolean", b) for j, b in enumerate(bits)]
        cs += [Constraint(self.name + "x = lo + 2^32 hi", main_col(self.x) - lo - hi * ((1 << HALF) % P), EVERY_ROW),
               Constraint(self.name + "all_ones is 0 unless hi = 2^32 - 1", z * all_ones, EVERY_ROW),
               Constraint(self.name + "lo = 0 when hi = 2^32 - 1 (canonical)", all_ones * lo, EVERY_ROW)]
        return cs

    def interactions(self) -> list[Interaction]:
        ports = [port(-main_col(self.x_read), main_col(self.x_wire), [main_col(self.x)])]
        ports += [port(main_col(m), main_col(self.bits_wire) + j, [main_col(b)])
                  for j, (m, b) in enumerate(zip(self.bit_mult, self.bits))]
        return ports


class SourcePort:
    """A value entering the bus with no operation: (wire, value) sent `mult` times (its fan-out), the wire and the
    multiplicity preprocessed (zero multiplicity on rows the circuit leaves unused), the value too if `fixed`."""

    def __init__(self, cols: Columns, fixed: bool):
        self.wire, self.mult = cols.fixed(2)
        self.value = cols.fixed(2) if fixed else cols.take(2)

    def interactions(self) -> list[Interaction]:
        return [port(main_col(self.mult), main_col(self.wire), [main_col(c) for c in self.value])]


class PublicPort(SourcePort):
    """Public inputs enter the bus here, one per row from row 0: the value cells are the prover's, pinned by
    boundary constraints to the public inputs (circuits.recursion.air)."""

    def __init__(self, cols: Columns):
        super().__init__(cols, fixed=False)


class ConstantPort(SourcePort):
    """The circuit's constants enter the bus here, one per row and port: every cell preprocessed, so a constant is
    what the circuit says (`prover.recursion.circuit.Circuit.constant`), not what the prover would like."""

    def __init__(self, cols: Columns):
        super().__init__(cols, fixed=True)
