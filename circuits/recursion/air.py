"""The verifier AIR's first piece: every row carries the same chip slots side by side (`chips`), so chips are
column groups of one table; the witness bus ties them together and public inputs enter it on the first rows.

Not yet a sound verifier circuit: the wiring (wire ids, read flags, multiplicities) is prover-chosen until the
engine has preprocessed columns (see `chips`).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from circuits.air import BOUNDARY, Air, Constraint, Interaction, trace_layout
from circuits.expr import main_col
from circuits.field import Ext
from circuits.recursion.chips import BitsSlot, Columns, ExtSlot, Poseidon2Slot, PublicPort, node_framing


@dataclass(frozen=True)
class Shape:
    """How many slots of each chip a row has, and the Merkle steps' capacity framing."""

    poseidon2: int = 1
    ext: int = 2
    bits: int = 1
    framing: tuple[int, ...] = node_framing()


class RecursionAir(Air):
    max_degree = 7
    name = "por/recursion-chips/1"

    def __init__(self, shape: Shape, rows: int, publics: tuple[tuple[int, Ext], ...], zk_rows: int):
        """`rows`: operation rows needed; `publics`: (wire id, value) pairs, one per row from row 0."""
        self.shape, self.publics = shape, tuple(publics)
        self.trace_length, self.active_rows = trace_layout(max(rows, len(self.publics), 1), zk_rows)
        cols = Columns()
        self.poseidon2 = [Poseidon2Slot(cols, i, shape.framing) for i in range(shape.poseidon2)]
        self.ext = [ExtSlot(cols, i) for i in range(shape.ext)]
        self.bits = [BitsSlot(cols, i) for i in range(shape.bits)]
        self.public = PublicPort(cols)
        self.main_width = cols.width

    def slots(self) -> list:
        return [*self.poseidon2, *self.ext, *self.bits]

    def constraints(self) -> list[Constraint]:
        cs = [c for slot in self.slots() for c in slot.constraints()]
        pub = self.public
        for row, (wire, value) in enumerate(self.publics):
            cs += [Constraint(f"public {row} wire", main_col(pub.wire) - wire, BOUNDARY, row),
                   Constraint(f"public {row} value.0", main_col(pub.value[0]) - value.a, BOUNDARY, row),
                   Constraint(f"public {row} value.1", main_col(pub.value[1]) - value.b, BOUNDARY, row)]
        return cs

    def interactions(self) -> list[Interaction]:
        return [i for slot in self.slots() for i in slot.interactions()] + self.public.interactions()

    def public_inputs(self) -> bytes:
        s = self.shape
        head = struct.pack("<IIII", s.poseidon2, s.ext, s.bits, len(s.framing)) + struct.pack(
            f"<{len(s.framing)}Q", *s.framing) + struct.pack("<QI", self.active_rows, len(self.publics))
        return head + b"".join(struct.pack("<QQQ", w, v.a, v.b) for w, v in self.publics)
