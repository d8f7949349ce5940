"""One aggregation layer end to end (prover/recursion/layer.py): two tiny Poseidon2 shard proofs verified in one
circuit, proven, and the layer's proof checked by the native verifier against the claim `combine` gives; each
forged or foreign child is refused, and a layer proof against the wrong claim or key is rejected."""
import functools
from dataclasses import replace

import numpy as np
import pytest

from circuits.field import P
from circuits.recursion.statement import combine
from circuits.solvency import SolvencyAir, Statement
from prover.engine.prover import prove
from prover.exchange import tree
from prover.exchange.solvency_trace import Witness, build_main_trace
from prover.recursion.child_verifier import ChildRejected
from circuits.recursion.air import LAYER_SHAPE as SHAPE
from prover.recursion.keys import build_air, verifying_key
from prover.recursion.layer import layer_circuit, prove_layer, verifier_air
from prover.recursion.trace import build_trace
from verifier.stark.params import load_preset, with_hash
from verifier.stark.protocol import Protocol
from verifier.stark.verify import VerificationError, verify

PARAMS = with_hash(load_preset("test"), "poseidon2")
LEAVES, ASSETS = 4, 2


def shard(index: int, count: int = 2, seed: int = 0, round_name: str = "2026-12",
          params=PARAMS) -> tuple[Protocol, bytes]:
    rng = np.random.default_rng(seed * 100 + index)
    idc = rng.integers(0, P, (LEAVES, 4), dtype=np.uint64)
    balances = rng.integers(0, 1 << 62, (LEAVES, ASSETS), dtype=np.uint64)
    root = tuple(int(x) for x in tree.tree_levels(tree.leaf_digests(idc, balances))[-1][0])
    totals = tuple(int(t) for t in balances.astype(object).sum(axis=0))
    statement = Statement(round_name, (("BTC", 8), ("ETH", 18)), LEAVES, root, totals, (index, count))
    air = SolvencyAir(statement, params.zk_rows)
    return Protocol(air, params), prove(air, build_main_trace(air, Witness(idc, balances)), params)


@functools.cache
def honest():
    children = [shard(0), shard(1)]
    return children, prove_layer(children, 1, PARAMS)


def test_a_layer_over_two_shards_proves_their_combined_claim():
    children, layer = honest()
    expected = combine([p.air.statement.claim() for p, _ in children])
    assert layer.claim == expected
    air = verifier_air(expected, layer.air.active_rows, layer.air.key, PARAMS.zk_rows)
    verify(air, layer.proof, PARAMS, min_security=0)


def test_a_layer_proof_against_another_claim_or_key_is_rejected():
    children, layer = honest()
    claim = layer.claim
    other = type(claim)(claim.round, claim.shards, claim.first, claim.count, claim.leaves, claim.root,
                        (claim.totals[0] + 1, *claim.totals[1:]))
    with pytest.raises(VerificationError):
        verify(verifier_air(other, layer.air.active_rows, layer.air.key, PARAMS.zk_rows), layer.proof, PARAMS,
               min_security=0)
    wrong_key = bytes(32)
    with pytest.raises(VerificationError):
        verify(verifier_air(claim, layer.air.active_rows, wrong_key, PARAMS.zk_rows), layer.proof, PARAMS,
               min_security=0)


def test_a_flipped_byte_of_a_child_is_refused():
    children, _ = honest()
    protocol, proof = children[1]
    forged = bytearray(proof)
    forged[len(forged) // 2] ^= 1
    with pytest.raises(ChildRejected):
        prove_layer([children[0], (protocol, bytes(forged))], 1, PARAMS)


@pytest.mark.parametrize("forge", ["another round", "swapped"])
def test_foreign_or_reordered_children_cannot_be_aggregated(forge):
    children, _ = honest()
    if forge == "another round":
        children = [children[0], shard(1, round_name="2026-11")]
    else:
        children = children[::-1]
    with pytest.raises(ValueError, match="assertion fails"):
        prove_layer(children, 1, PARAMS)


def test_a_cheating_layer_prover_with_its_checks_off_is_rejected():
    """The circuit built from honest children, then one Merkle sibling cell of the trace changed (as a prover
    skipping the walk's checks would): proven without the prover's constraint check, the verifier rejects it."""
    children, layer = honest()
    circuit = layer_circuit(children, 1)
    air = build_air(circuit, SHAPE, PARAMS, PARAMS.zk_rows)
    trace = build_trace(air, circuit)
    slot = air.poseidon2[0]
    row = next(r for r in range(air.active_rows) if trace[slot.merkle, r])
    trace[slot.lanes[5], row] = (int(trace[slot.lanes[5], row]) + 1) % P
    forged = prove(air, trace, PARAMS, check=False)
    with pytest.raises(VerificationError):
        verify(verifier_air(layer.claim, layer.air.active_rows, layer.air.key, PARAMS.zk_rows), forged, PARAMS,
               min_security=0)


def test_children_at_a_weaker_preset_make_another_circuit():
    """Fewer queries: another walk, so another key; the honest layer's key does not accept its proof."""
    weak = replace(PARAMS, num_queries=PARAMS.num_queries - 2, name="weaker")
    children = [shard(i, params=weak) for i in range(2)]
    weak_circuit = layer_circuit(children, 1)
    _, honest_layer = honest()
    assert verifying_key(weak_circuit, SHAPE, PARAMS, PARAMS.zk_rows) != honest_layer.air.key
