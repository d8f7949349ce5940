"""The verifier AIR's preprocessed columns from a circuit's shape: each op in the next free slot of its chip
(row-major), its ports' wire ids and read flags, its outputs' multiplicities (the wire's fan-out, or -1 for a
result asserted equal to an existing wire), the Merkle flag, the constant ports' rows and the public port's wires.

Built from the ops' kinds and ports and the circuit's constants only, never from a wire's value or a free cell
(the prover's data): the wiring, and so the verifying key, is a function of the circuit."""
from __future__ import annotations

from typing import Iterator

import numpy as np

from circuits import poseidon2 as p2
from circuits.field import P
from circuits.recursion.air import RecursionAir, Shape
from circuits.recursion.chips import BITS
from prover.recursion.circuit import Circuit, Op, Wire

CHIPS = {"ext": "ext", "poseidon2": "poseidon2", "merkle": "poseidon2", "bits": "bits"}  # op kind -> its chip


def _ceil(n: int, k: int) -> int:
    return -(-n // k)


def rows_needed(circuit: Circuit, shape: Shape) -> int:
    counts = {"ext": 0, "poseidon2": 0, "bits": 0, "constants": len(circuit.constants)}
    for op in circuit.ops:
        counts[CHIPS[op.kind]] += 1
    per_row = {"ext": shape.ext, "poseidon2": shape.poseidon2, "bits": shape.bits, "constants": shape.constants}
    if any(n and not per_row[k] for k, n in counts.items()):
        raise ValueError("the circuit uses a chip the shape has no slot for")
    return max([_ceil(n, per_row[k]) for k, n in counts.items() if n] + [len(circuit.publics), 1])


def placements(air: RecursionAir, circuit: Circuit) -> Iterator[tuple[Op, int, object]]:
    """(op, row, slot) for every op, in order: the next free slot of its chip, row-major."""
    used = dict.fromkeys(("ext", "poseidon2", "bits"), 0)
    for op in circuit.ops:
        kind = CHIPS[op.kind]
        slots = air.chip(kind)
        row, k = divmod(used[kind], len(slots))
        used[kind] += 1
        yield op, row, slots[k]


def _read(fixed, row: int, wire_col: int, read_col: int, x) -> None:
    if isinstance(x, Wire):  # a Free operand is the prover's cell: read flag 0
        fixed[wire_col, row], fixed[read_col, row] = x.id, 1


def _poseidon2(fixed, slot, row: int, op: Op, fan_out) -> None:
    for i, x in enumerate(op.inputs[:p2.WIDTH]):
        _read(fixed, row, slot.in_wire[i], slot.in_read[i], x)
    if op.kind == "merkle":
        fixed[slot.merkle, row], fixed[slot.bit_wire, row] = 1, op.inputs[p2.WIDTH].id
    fixed[slot.out_wire, row] = op.out_wire
    for i in range(p2.WIDTH):
        fixed[slot.out_mult[i], row] = fan_out.get(op.out_wire + i, 0)


def _ext(fixed, slot, row: int, op: Op, fan_out) -> None:
    for k, x in zip(slot.OPERANDS, op.inputs):
        _read(fixed, row, slot.wires[k], slot.reads[k], x)
    fixed[slot.wires["out"], row] = op.out_wire
    fixed[slot.out_mult, row] = P - 1 if op.into is not None else fan_out.get(op.out_wire, 0)


def _bits(fixed, slot, row: int, op: Op, fan_out) -> None:
    _read(fixed, row, slot.x_wire, slot.x_read, op.inputs[0])
    fixed[slot.bits_wire, row] = op.out_wire
    for j in range(BITS):
        fixed[slot.bit_mult[j], row] = fan_out.get(op.out_wire + j, 0)


FILL = {"poseidon2": _poseidon2, "ext": _ext, "bits": _bits}


def fixed_columns(air: RecursionAir, circuit: Circuit) -> np.ndarray:
    """The (preprocessed_width, active_rows) wiring of `circuit` in `air`'s layout (unused cells zero: wire 0,
    which no op produces, with nothing on the bus)."""
    fixed = np.zeros((air.preprocessed_width, air.active_rows), dtype=np.uint64)
    fan_out = circuit.fan_out()
    for op, row, slot in placements(air, circuit):
        FILL[CHIPS[op.kind]](fixed, slot, row, op, fan_out)
    ports = air.constant_ports
    for n, (value, wire) in enumerate(circuit.constants.items()):
        row, k = divmod(n, len(ports))
        fixed[[ports[k].wire, *ports[k].value, ports[k].mult], row] = wire, value.a, value.b, fan_out.get(wire, 0)
    pub = air.public
    for row, (wire, _) in enumerate(circuit.publics):  # the statement's values are the prover's cells
        fixed[pub.wire, row], fixed[pub.mult, row] = wire, fan_out.get(wire, 0)
    return fixed
