"""The verifier AIR of a circuit and its verifying key: the root of the circuit's preprocessed columns
(`wiring`) committed as the engine commits them under given parameters. The key is what a verifier pins (and
what the next layer's circuit holds as a constant); it depends on the circuit's shape, never on a proof's data."""
from __future__ import annotations

from circuits.recursion.air import RecursionAir, Shape
from prover.engine.prover import preprocessed_root
from prover.recursion.circuit import Circuit
from prover.recursion.wiring import fixed_columns, rows_needed


def public_values(circuit: Circuit) -> tuple[int, ...]:
    """The circuit's public values as the AIR states them (base elements)."""
    return tuple(value.a for _, value in circuit.publics)


def wired_air(circuit: Circuit, shape: Shape, zk_rows: int) -> RecursionAir:
    """The AIR with the circuit's fixed columns and no key yet (enough to check a trace, not to prove)."""
    if tuple(shape.framing) != tuple(circuit.framing):
        raise ValueError("the circuit's Merkle framing differs from the shape's")
    layout = RecursionAir(shape, rows_needed(circuit, shape), public_values(circuit), zk_rows)
    return RecursionAir(shape, layout.active_rows, layout.publics, zk_rows, fixed_columns(layout, circuit))


def build_air(circuit: Circuit, shape: Shape, params, zk_rows: int) -> RecursionAir:
    """The AIR carrying the circuit's wiring and its verifying key under `params` (what `prove` needs)."""
    air = wired_air(circuit, shape, zk_rows)
    return RecursionAir(shape, air.active_rows, air.publics, zk_rows, air.fixed, preprocessed_root(air, params))


def verifying_key(circuit: Circuit, shape: Shape, params, zk_rows: int) -> bytes:
    return preprocessed_root(wired_air(circuit, shape, zk_rows), params)
