"""One aggregation layer: k child proofs of one shape verified in one circuit, their claims combined, proven.

The layer's circuit is the children's verifier walks (`child_verifier`) and the statement (`claim_gadget`), its
public values the parent claim; its AIR is `circuits.recursion.air.RecursionAir` with the circuit's wiring, and
its verifying key the root of that wiring under the layer's parameters (`keys`). The same layer over another
round of the same shape writes the same wiring (the walk reads no value to decide what to write), so one key
serves every round of a configuration: what `LayerKey.describe` names and a verifier pins.
"""
from __future__ import annotations

from dataclasses import dataclass

from circuits.recursion.air import LAYER_SHAPE as SHAPE
from circuits.recursion.air import RecursionAir
from circuits.recursion.statement import SubtreeClaim
from prover.engine.prover import prove
from prover.recursion import claim_gadget
from prover.recursion.child_verifier import verify_child
from prover.recursion.circuit import Circuit
from prover.recursion.keys import build_air
from prover.recursion.merkle_gadget import COMMIT_FRAMING
from prover.recursion.trace import build_trace
from verifier.stark.params import StarkParams
from verifier.stark.protocol import Protocol


@dataclass(frozen=True)
class LayerProof:
    proof: bytes
    claim: SubtreeClaim
    air: RecursionAir  # carries the layer's key (air.key) and its shape: what the next layer verifies it as


def layer_circuit(children: list[tuple[Protocol, bytes]], child_count: int) -> Circuit:
    """The layer's circuit over `children` ((protocol, proof) in leaf order, each covering `child_count` shards);
    its public values are the parent claim's elements."""
    if len({(p.air.name, p.params, p.trace_length) for p, _ in children}) != 1:
        raise ValueError("a layer's children are proofs of one shape")
    circuit = Circuit(framing=COMMIT_FRAMING)
    claims = [verify_child(circuit, protocol, proof) for protocol, proof in children]
    is_shard = not isinstance(children[0][0].air, RecursionAir)
    parent = claim_gadget.combine(circuit, claims, child_count, check_children=is_shard)
    for wire in parent:
        circuit.assert_equal(wire, circuit.public(circuit.value(wire).a))
    return circuit


def prove_layer(children: list[tuple[Protocol, bytes]], child_count: int, params: StarkParams) -> LayerProof:
    """Verify the children in a circuit and prove it under `params` (Poseidon2 for a layer another layer will
    verify; the last layer may use BLAKE2s)."""
    circuit = layer_circuit(children, child_count)
    air = build_air(circuit, SHAPE, params, params.zk_rows)
    proof = prove(air, build_trace(air, circuit), params)
    return LayerProof(proof, SubtreeClaim.from_elements(air.public_values()), air)


def verifier_air(claim: SubtreeClaim, rows: int, key: bytes, zk_rows: int) -> RecursionAir:
    """The AIR a verifier checks a layer's proof against: the layer's shape, its trace rows and pinned key, and
    the claim it must prove (its public values)."""
    return RecursionAir(SHAPE, rows, tuple(claim.elements()), zk_rows, key=key)
