"""The verifier AIR's trace from a circuit: the AIR's preprocessed columns (the wiring, `wiring`) first, then the
prover's cells: each op's values in the slot `wiring.placements` gives it, the S-box cells by the prover's batch
kernel, the Merkle steps' swap bits, the public values; unused slots left as operations on zeros."""
from __future__ import annotations

import numpy as np

from circuits.field import P
from circuits.recursion.air import RecursionAir
from circuits.recursion.chips import HALF
from prover.engine.poseidon2_batch import permute_batch_with_sboxes
from prover.recursion.circuit import Circuit, Op
from prover.recursion.wiring import CHIPS, placements


def _fill_ext(trace, slot, row: int, op: Op) -> None:
    for k, v in zip((*slot.OPERANDS, "out"), [*op.values, op.outputs[0]]):
        trace[slot.values[k], row] = (v.a, v.b)


def _fill_bits(trace, slot, row: int, op: Op) -> None:
    x = op.values[0].a
    trace[slot.x, row] = x
    trace[slot.bits, row] = [(x >> j) & 1 for j in range(len(slot.bits))]


def _fill_inverses(trace, slot) -> None:
    """inv = 1 / (hi - (2^32 - 1)) where that is non-zero (every row, the empty slots' zeros included)."""
    x = trace[slot.x].astype(object)
    for row, v in enumerate(x):
        z = ((int(v) >> HALF) - ((1 << HALF) - 1)) % P
        trace[slot.inv, row] = pow(z, P - 2, P) if z else 0


def _fill_permutations(trace, slot, lanes: np.ndarray) -> None:
    first = slot.lanes[0]  # lanes then S-boxes: the kernel's recorded layout, written in place
    permute_batch_with_sboxes(lanes, trace[first:first + len(slot.lanes) + len(slot.sboxes)])
    swap = trace[slot.swap].astype(bool)  # the unswapped view of lanes 0..7 the bus reads: (digest, sibling)
    for i in range(len(slot.ordered)):
        partner = slot.lanes[(i + 4) % 8]
        trace[slot.ordered[i]] = np.where(swap, trace[partner], trace[slot.lanes[i]])


def build_trace(air: RecursionAir, circuit: Circuit) -> np.ndarray:
    """The (main_width, active_rows) trace of `circuit` for `air` (from `prover.recursion.keys`)."""
    rows = air.active_rows
    trace = np.zeros((air.main_width, rows), dtype=np.uint64)
    trace[:air.preprocessed_width] = air.preprocessed_columns()
    states = {id(slot): np.zeros((rows, len(slot.lanes)), dtype=np.uint64) for slot in air.poseidon2}
    for op, row, slot in placements(air, circuit):
        kind = CHIPS[op.kind]
        if kind == "poseidon2":
            states[id(slot)][row] = [v.a for v in op.values]
            if op.kind == "merkle":  # lanes are (sibling, digest) exactly when the index bit is 1
                trace[slot.swap, row] = circuit.value(op.inputs[len(slot.lanes)]).a
        elif kind == "ext":
            _fill_ext(trace, slot, row, op)
        else:
            _fill_bits(trace, slot, row, op)
    for slot in air.poseidon2:
        _fill_permutations(trace, slot, states[id(slot)])
    for slot in air.bits:
        _fill_inverses(trace, slot)
    pub = air.public
    for row, (_, value) in enumerate(circuit.publics):
        trace[pub.value, row] = (value.a, value.b)
    return trace
