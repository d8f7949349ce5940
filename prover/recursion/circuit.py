"""A tiny IR for the verifier AIR: ext mul-add, Poseidon2 permutation, Merkle step, bits. Each op computes its
outputs at once (the witness generator is the circuit's writer) and records its ports: which wires it reads,
which free values it takes (the child proof's data), which wires it produces. `trace` lays the ops out in slots.

An operand is a `Wire` (read from the bus) or a `Free` value (a cell the prover fills: the child proof's data).
A constant is never free: `constant(v)` is a wire the circuit fixes (a preprocessed constant row produces it),
and a bare int or Ext operand is refused, so a constant cannot silently become prover-chosen.

An op may write its result to an existing wire (`into`), asserting it equal to that wire's value: its output
port then consumes that wire instead of producing a new one (`assert_equal` is this, on an ext slot).

Arithmetic helpers (`add`, `sub`, `mul`, `div`, `inverse`, `select`, `witness`, `assert_nonzero`) are each one
or two mul-add ops over constant wires; they are the vocabulary the verifier walk is written in.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from circuits import poseidon2 as p2
from circuits.field import Ext
from circuits.recursion.chips import BITS, node_framing
from circuits.tree_hash import DIGEST_ELEMENTS


@dataclass(frozen=True)
class Wire:
    id: int


@dataclass(frozen=True)
class Free:
    """A value the prover supplies in the op's own cell (never read from the bus)."""

    value: Ext

    @staticmethod
    def of(value) -> "Free":
        return Free(Ext.lift(value))


Operand = Wire | Free


@dataclass
class Op:
    kind: str  # "ext", "poseidon2", "merkle", "bits"
    inputs: list  # per input port: Wire (read) or Free
    values: list[Ext]  # the input cells' values, in port order
    out_wire: int  # first output wire id (consecutive for several outputs)
    outputs: list[Ext]
    into: int | None = None  # ext only: the existing wire the result is asserted equal to


@dataclass
class Circuit:
    framing: tuple[int, ...] = node_framing()
    values: dict[int, Ext] = field(default_factory=dict)
    ops: list[Op] = field(default_factory=list)
    publics: list[tuple[int, Ext]] = field(default_factory=list)
    constants: dict[Ext, int] = field(default_factory=dict)  # value -> its wire, one wire per distinct constant

    def _wires(self, values: list[Ext]) -> list[Wire]:
        first = len(self.values) + 1  # wire 0 is never used: empty slots hold it with multiplicity 0
        for k, v in enumerate(values):
            self.values[first + k] = v
        return [Wire(first + k) for k in range(len(values))]

    def value(self, x: Operand) -> Ext:
        if isinstance(x, Wire):
            return self.values[x.id]
        if isinstance(x, Free):
            return x.value
        raise TypeError(f"an operand is a Wire or a Free value, not {type(x).__name__} (constants: constant())")

    def _base(self, x: Operand) -> int:
        v = self.value(x)
        if v.b:
            raise ValueError("a base-field port was given an extension element")
        return v.a

    def public(self, value: int) -> Wire:
        """A wire holding the public value `value` (a base element: the AIR's public values are)."""
        if isinstance(value, Ext) or isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("a public value is a base element (an int)")
        (wire,) = self._wires([Ext(value)])
        self.publics.append((wire.id, Ext(value)))
        return wire

    def constant(self, value) -> Wire:
        """The wire holding the constant `value` (fixed by the circuit: the trace's constant rows produce it)."""
        v = Ext.lift(value)
        if v not in self.constants:
            (wire,) = self._wires([v])
            self.constants[v] = wire.id
        return Wire(self.constants[v])

    def mul_add(self, a: Operand, b: Operand, c: Operand, into: Wire | None = None) -> Wire:
        out = self.value(a) * self.value(b) + self.value(c)
        if into is not None:
            if self.value(into) != out:
                raise ValueError("assertion fails: the result differs from the wire it is asserted equal to")
            self.ops.append(Op("ext", [a, b, c], [self.value(x) for x in (a, b, c)], into.id, [out], into.id))
            return into
        (wire,) = self._wires([out])
        self.ops.append(Op("ext", [a, b, c], [self.value(x) for x in (a, b, c)], wire.id, [out]))
        return wire

    def assert_equal(self, computed: Wire, expected: Wire) -> None:
        zero = self.constant(0)
        self.mul_add(zero, zero, computed, into=expected)

    # -- arithmetic over wires: each helper is one or two mul-add ops ---------------------------------------------
    def witness(self, value) -> Wire:
        """A free value put on the bus (the child proof's data that several ops read)."""
        zero = self.constant(0)
        return self.mul_add(zero, zero, Free.of(value))

    def add(self, a: Operand, b: Operand) -> Wire:
        return self.mul_add(a, self.constant(1), b)

    def sub(self, a: Operand, b: Operand) -> Wire:
        return self.mul_add(b, self.constant(-1), a)

    def mul(self, a: Operand, b: Operand) -> Wire:
        return self.mul_add(a, b, self.constant(0))

    def scale(self, a: Operand, k) -> Wire:
        """k * a for a constant k."""
        return self.mul_add(a, self.constant(k), self.constant(0))

    def div(self, a: Wire, b: Operand) -> Wire:
        """a / b: the quotient q is free, and q * b = a is asserted (b = 0 has no q unless a = 0: callers divide
        by values that are non-zero except with negligible probability, or check with assert_nonzero)."""
        vb = self.value(b)
        if vb == Ext(0):
            raise ZeroDivisionError("division by zero in the circuit")
        q = self.witness(self.value(a) / vb)
        self.mul_add(q, b, self.constant(0), into=a)
        return q

    def inverse(self, a: Operand) -> Wire:
        """1 / a, which also proves a != 0."""
        return self.div(self.constant(1), a)

    def assert_nonzero(self, a: Operand) -> None:
        self.inverse(a)

    def select(self, bit: Wire, if_one: Operand, if_zero: Operand) -> Wire:
        """if_zero + bit * (if_one - if_zero), for a bit (0 or 1) already constrained to be one."""
        return self.mul_add(bit, self.sub(if_one, if_zero), if_zero)

    def _permutation(self, kind: str, inputs: list, lanes: list[int], extra: list | None = None) -> list[Wire]:
        out = p2.permute(lanes)
        wires = self._wires([Ext(x) for x in out])
        self.ops.append(Op(kind, inputs + (extra or []), [Ext(x) for x in lanes], wires[0].id, [Ext(x) for x in out]))
        return wires

    def permute(self, inputs: list[Operand]) -> list[Wire]:
        if len(inputs) != p2.WIDTH:
            raise ValueError(f"a permutation takes {p2.WIDTH} lanes")
        return self._permutation("poseidon2", list(inputs), [self._base(x) for x in inputs])

    def merkle_step(self, digest: list[Operand], sibling: list[Operand], bit: Wire) -> list[Wire]:
        """The parent of `digest` and `sibling`: H_node(digest, sibling) if `bit` is 0, else H_node(sibling,
        digest), under the circuit's framing. Returns the 4 digest wires (the other 8 output lanes unused)."""
        if len(digest) != DIGEST_ELEMENTS or len(sibling) != DIGEST_ELEMENTS:
            raise ValueError(f"a digest is {DIGEST_ELEMENTS} elements")
        b = self._base(bit)
        if b not in (0, 1):
            raise ValueError("a Merkle step's index bit must be 0 or 1")
        d, s = [self._base(x) for x in digest], [self._base(x) for x in sibling]
        lanes = (s + d if b else d + s) + list(self.framing)
        capacity = [Free.of(x) for x in self.framing]  # free cells, constrained to the framing by the chip
        return self._permutation("merkle", list(digest) + list(sibling) + capacity, lanes, [bit])[:DIGEST_ELEMENTS]

    def bits(self, x: Operand) -> list[Wire]:
        """The 64 bits of the base element x, little-endian."""
        v = self._base(x)
        bits = self._wires([Ext((v >> j) & 1) for j in range(BITS)])
        self.ops.append(Op("bits", [x], [Ext(v)], bits[0].id, [self.values[w.id] for w in bits]))
        return bits

    def fan_out(self) -> dict[int, int]:
        """How often each wire is consumed: by reads, and by outputs asserted equal to it."""
        counts: dict[int, int] = {}
        for op in self.ops:
            for x in op.inputs:
                if isinstance(x, Wire):
                    counts[x.id] = counts.get(x.id, 0) + 1
            if op.into is not None:
                counts[op.into] = counts.get(op.into, 0) + 1
        return counts


def merkle_root(circuit: Circuit, leaf: list[Operand], index: Operand, siblings: list[list[Operand]]) -> list[Wire]:
    """The root over a leaf digest and its siblings (leaf level up), the index's bits choosing each order: the
    in-circuit `circuits.tree_hash.path_root`."""
    bits = circuit.bits(index)
    node = list(leaf)
    for level, sibling in enumerate(siblings):
        node = circuit.merkle_step(node, sibling, bits[level])
    return node
