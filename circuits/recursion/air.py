"""The verifier AIR: every row carries the same chip slots side by side (`chips`), so chips are column groups of
one table; the witness bus ties them together, constants enter it from preprocessed constant ports and public
inputs on the first rows.

The wiring (every wire id, read flag, multiplicity, Merkle flag and constant) is a preprocessed column, fixed by
the circuit: its commitment's root is the AIR's verifying key, which the verifier takes from the AIR (pinned, a
constant of the next layer's circuit), never from the proof. A prover who changes any of it commits other fixed
columns, whose openings do not reach the key. The columns and the key are computed from the circuit by
`prover.recursion.keys`; a verifier needs only the key.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from circuits.air import BOUNDARY, Air, Constraint, Interaction, trace_layout
from circuits.expr import main_col, public_value
from circuits.field import P
from circuits.tree_hash import DOMAIN_COMMIT_NODE
from circuits.recursion.chips import BitsSlot, Columns, ConstantPort, ExtSlot, Poseidon2Slot, PublicPort, node_framing


@dataclass(frozen=True)
class Shape:
    """How many slots of each chip a row has (constant ports included), and the Merkle steps' capacity framing."""

    poseidon2: int = 1
    ext: int = 2
    bits: int = 1
    constants: int = 1
    framing: tuple[int, ...] = node_framing()


# The shape every aggregation layer uses: the commitment's node framing for its Merkle steps (the children's
# commitments), one Poseidon2, ten extension, one bits slot and one constant port a row: a verifier walk writes
# about 15 mul-adds per permutation, so rows are balanced between the two (measured on shard children).
LAYER_SHAPE = Shape(poseidon2=1, ext=10, bits=1, constants=1, framing=node_framing(DOMAIN_COMMIT_NODE))


class RecursionAir(Air):
    max_degree = 7
    name = "por/recursion-chips/2"

    def __init__(self, shape: Shape, rows: int, publics: tuple[int, ...], zk_rows: int,
                 fixed=None, key: bytes | None = None):
        """`rows`: operation rows needed; `publics`: the public values (base elements), one per row from row 0,
        read by the constraints as `public_value` leaves (so the next layer's circuit takes them as wires; their
        wire ids are preprocessed). `fixed`: the circuit's preprocessed columns (the prover needs them); `key`:
        their root under the proof's parameters (prover and verifier need it)."""
        if any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < P for v in publics):
            raise ValueError("public values are canonical base field elements")
        self.shape, self.publics, self.zk_rows = shape, tuple(publics), zk_rows
        self.trace_length, self.active_rows = trace_layout(max(rows, len(self.publics), 1), zk_rows)
        counted = Columns()
        self._lay_out(counted)  # counts the fixed columns, which come first
        cols = Columns(counted.fixed_used)
        self._lay_out(cols)
        self.preprocessed_width, self.main_width = cols.fixed_used, cols.width
        if fixed is not None and tuple(fixed.shape) != (self.preprocessed_width, self.active_rows):
            raise ValueError(f"fixed columns of shape {tuple(fixed.shape)}, expected "
                             f"{(self.preprocessed_width, self.active_rows)}")
        self.fixed, self.key = fixed, key

    def _lay_out(self, cols: Columns) -> None:
        s = self.shape
        self.poseidon2 = [Poseidon2Slot(cols, i, s.framing) for i in range(s.poseidon2)]
        self.ext = [ExtSlot(cols, i) for i in range(s.ext)]
        self.bits = [BitsSlot(cols, i) for i in range(s.bits)]
        self.constant_ports = [ConstantPort(cols) for _ in range(s.constants)]
        self.public = PublicPort(cols)

    def slots(self) -> list:
        return [*self.poseidon2, *self.ext, *self.bits]

    def chip(self, kind: str) -> list:
        """The slots of one chip ("poseidon2", "ext", "bits")."""
        return {"poseidon2": self.poseidon2, "ext": self.ext, "bits": self.bits}[kind]

    def constraints(self) -> list[Constraint]:
        cs = [c for slot in self.slots() for c in slot.constraints()]
        pub = self.public
        for row in range(len(self.publics)):  # the wire is preprocessed
            cs += [Constraint(f"public {row} value.0", main_col(pub.value[0]) - public_value(row), BOUNDARY, row),
                   Constraint(f"public {row} value.1", main_col(pub.value[1]), BOUNDARY, row)]
        return cs

    def interactions(self) -> list[Interaction]:
        ports = [*self.slots(), *self.constant_ports, self.public]
        return [i for p in ports for i in p.interactions()]

    def preprocessed_columns(self):
        if self.fixed is None:
            raise ValueError(f"{self.name}: no wiring given (the prover's AIR comes from prover.recursion.keys)")
        return self.fixed

    def preprocessed_root(self, params) -> bytes:
        if self.key is None:
            raise ValueError(f"{self.name}: no verifying key given (pin the circuit's key: "
                             "prover.recursion.keys.verifying_key)")
        return self.key

    def public_inputs(self) -> bytes:
        s = self.shape
        head = struct.pack("<IIIII", s.poseidon2, s.ext, s.bits, s.constants, len(s.framing)) + struct.pack(
            f"<{len(s.framing)}Q", *s.framing) + struct.pack("<QI", self.active_rows, len(self.publics))
        return head + struct.pack(f"<{len(self.publics)}Q", *self.publics)

    def public_values(self) -> list[int]:
        return list(self.publics)
