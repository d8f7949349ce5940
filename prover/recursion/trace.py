"""The verifier AIR's trace from a circuit's ops: each op in the next free slot of its chip (row-major), the
wiring columns from the ops' ports (a producer's multiplicity is its wire's fan-out), the S-box cells by the
prover's batch kernel, unused slots left as operations on zeros with nothing on the bus.

The kernel is imported from prover.exchange for now; it moves to prover.engine with the Poseidon2 commitment
(docs/RECURSION.md, section 1), and this import with it."""
from __future__ import annotations

import numpy as np

from circuits.field import P
from circuits.recursion.air import RecursionAir, Shape
from circuits.recursion.chips import HALF
from prover.engine.poseidon2_batch import permute_batch_with_sboxes
from prover.recursion.circuit import Circuit, Op, Wire

CHIPS = {"ext": "ext", "poseidon2": "poseidon2", "merkle": "poseidon2", "bits": "bits"}  # op kind -> its chip


def rows_needed(circuit: Circuit, shape: Shape) -> int:
    counts = {"ext": 0, "poseidon2": 0, "bits": 0}
    for op in circuit.ops:
        counts[CHIPS[op.kind]] += 1
    per_row = {"ext": shape.ext, "poseidon2": shape.poseidon2, "bits": shape.bits}
    if any(n and not per_row[k] for k, n in counts.items()):
        raise ValueError("the circuit uses a chip the shape has no slot for")
    return max([-(-n // per_row[k]) for k, n in counts.items() if n] + [len(circuit.publics), 1])


def build_air(circuit: Circuit, shape: Shape, zk_rows: int) -> RecursionAir:
    if tuple(shape.framing) != tuple(circuit.framing):
        raise ValueError("the circuit's Merkle framing differs from the shape's")
    return RecursionAir(shape, rows_needed(circuit, shape), tuple(circuit.publics), zk_rows)


def _set_input(trace, row: int, wire_col: int, read_col: int, x) -> None:
    if isinstance(x, Wire):
        trace[wire_col, row], trace[read_col, row] = x.id, 1


def _fill_poseidon2(trace, slot, row: int, op: Op, fan_out, circuit: Circuit) -> None:
    for i, x in enumerate(op.inputs[:12]):
        _set_input(trace, row, slot.in_wire[i], slot.in_read[i], x)
    if op.kind == "merkle":
        bit = op.inputs[12]
        trace[slot.merkle, row], trace[slot.bit_wire, row] = 1, bit.id
        trace[slot.swap, row] = circuit.value(bit).a  # lanes are (sibling, digest) exactly when the bit is 1
    trace[slot.out_wire, row] = op.out_wire
    for i in range(len(op.outputs)):
        trace[slot.out_mult[i], row] = fan_out.get(op.out_wire + i, 0) % P


def _fill_ext(trace, slot, row: int, op: Op, fan_out) -> None:
    for k, x, v in zip(slot.OPERANDS, op.inputs, op.values):
        trace[slot.values[k], row] = (v.a, v.b)
        _set_input(trace, row, slot.wires[k], slot.reads[k], x)
    out = op.outputs[0]
    trace[slot.values["out"], row] = (out.a, out.b)
    trace[slot.wires["out"], row] = op.out_wire
    trace[slot.out_mult, row] = P - 1 if op.into is not None else fan_out.get(op.out_wire, 0)


def _fill_bits(trace, slot, row: int, op: Op, fan_out) -> None:
    x = op.values[0].a
    trace[slot.x, row] = x
    _set_input(trace, row, slot.x_wire, slot.x_read, op.inputs[0])
    trace[slot.bits_wire, row] = op.out_wire
    for j in range(len(op.outputs)):
        trace[slot.bits[j], row] = (x >> j) & 1
        trace[slot.bit_mult[j], row] = fan_out.get(op.out_wire + j, 0)


def _fill_inverses(trace, slot) -> None:
    """inv = 1 / (hi - (2^32 - 1)) where that is non-zero (every row, the empty slots' zeros included)."""
    x = trace[slot.x].astype(object)
    for row, v in enumerate(x):
        z = ((int(v) >> HALF) - ((1 << HALF) - 1)) % P
        trace[slot.inv, row] = pow(z, P - 2, P) if z else 0


def build_trace(air: RecursionAir, circuit: Circuit) -> np.ndarray:
    """The (main_width, active_rows) trace of `circuit` for `air` (from `build_air`)."""
    rows = air.active_rows
    trace = np.zeros((air.main_width, rows), dtype=np.uint64)
    fan_out = circuit.fan_out()
    slots = {"ext": air.ext, "poseidon2": air.poseidon2, "bits": air.bits}
    used = {k: 0 for k in slots}
    states = [np.zeros((rows, 12), dtype=np.uint64) for _ in air.poseidon2]
    for op in circuit.ops:
        kind = CHIPS[op.kind]
        n = used[kind]
        used[kind] += 1
        row, slot = divmod(n, len(slots[kind]))
        slot_columns = slots[kind][slot]
        if kind == "poseidon2":
            states[slot][row] = [v.a for v in op.values]
            _fill_poseidon2(trace, slot_columns, row, op, fan_out, circuit)
        elif kind == "ext":
            _fill_ext(trace, slot_columns, row, op, fan_out)
        else:
            _fill_bits(trace, slot_columns, row, op, fan_out)
    for slot, lanes in zip(air.poseidon2, states):
        first = slot.lanes[0]  # lanes then S-boxes: the kernel's recorded layout, written in place
        permute_batch_with_sboxes(lanes, trace[first:first + len(slot.lanes) + len(slot.sboxes)])
        # the unswapped view of lanes 0..7 the bus reads: (digest, sibling)
        swap = trace[slot.swap].astype(bool)
        for i in range(8):
            partner = slot.lanes[(i + 4) % 8]
            trace[slot.ordered[i]] = np.where(swap, trace[partner], trace[slot.lanes[i]])
    for slot in air.bits:
        _fill_inverses(trace, slot)
    pub = air.public
    for row, (wire, value) in enumerate(circuit.publics):
        trace[pub.wire, row], trace[pub.value[0], row], trace[pub.value[1], row] = wire, value.a, value.b
        trace[pub.mult, row] = fan_out.get(wire, 0)
    return trace
