"""The circuit transcript derives exactly the native Poseidon2 transcript's challenges, query indices and proof of
work on a real child proof, costs nothing for its constant prefix, and refuses what the native verifier refuses."""
import itertools

import pytest
from conftest import CHILD_PARAMS, native_replay, replay

from circuits.field import P, Ext
from prover.recursion.circuit import Circuit
from prover.recursion.transcript_gadget import CircuitTranscript, query_bits
from verifier.stark.commitment import digest_elements
from verifier.stark.transcript import Poseidon2Transcript, u64_limbs


def _nonce(circuit, nonce):
    return tuple(circuit.witness(x) for x in u64_limbs([nonce]))


def _in_circuit(protocol, proof, native):
    """The replay on wires; its final sponge state (all 12 lanes and the pending block) equals `native`'s."""
    c = Circuit()
    t = CircuitTranscript.from_native(c, protocol.new_transcript())
    challenges, indices = replay(
        t, protocol, proof, lambda d: [c.witness(x) for x in digest_elements(d)],
        lambda values: [c.witness(v) for v in values],
        lambda t: t.check_pow(_nonce(c, proof.pow_nonce), protocol.params.grinding_bits))
    assert (t.native()._state, t.native()._pending) == (native._state, native._pending)
    return c, [c.values[w.id] for w in challenges], [sum(c.values[b.id].a << j for j, b in enumerate(bits))
                                                    for bits in indices]


def _permutations(circuit):
    return sum(op.kind == "poseidon2" for op in circuit.ops)


def test_the_circuit_replays_the_native_challenges_and_indices(child):
    protocol, proof = child
    native_challenges, native_indices, native = native_replay(protocol, proof)
    circuit, challenges, indices = _in_circuit(protocol, proof, native)
    assert challenges == native_challenges and indices == native_indices
    assert len(challenges) == protocol.num_challenges + 3 + len(proof.fri_roots) > 5
    assert len(set(indices)) > 1 and all(0 <= i < protocol.lde_size for i in indices)
    assert _permutations(circuit) > len(challenges)


def test_a_native_prefix_costs_no_permutation_and_equals_absorbing_it_in_circuit():
    native = Poseidon2Transcript()
    native.absorb("params", b"\x01\x02\x03")
    native.absorb_ints("shape", [7, 2**64 - 1])
    assert native._pending  # the prefix ends mid-block: the buffered elements must carry over
    from_native = Circuit()
    resumed = CircuitTranscript.from_native(from_native, native)
    scratch = Circuit()
    replayed = CircuitTranscript.from_native(scratch)
    replayed.absorb("params", b"\x01\x02\x03")
    replayed.absorb_ints("shape", [tuple(scratch.constant(x) for x in u64_limbs([v])) for v in (7, 2**64 - 1)])
    assert _permutations(from_native) == 0 < _permutations(scratch)
    out = []
    for c, t in ((from_native, resumed), (scratch, replayed)):
        t.absorb_elements("x", [c.witness(v) for v in range(11)])  # crosses a block boundary
        out.append([c.values[w.id] for w in t.squeeze("c", 19)])  # more than one block of output
    native.absorb_elements("x", list(range(11)))
    assert out[0] == out[1] == native._squeeze("c", 19)


def test_an_extension_challenge_is_the_first_two_outputs():
    c = Circuit()
    t = CircuitTranscript.from_native(c)
    native = Poseidon2Transcript()
    assert c.values[t.challenge_ext("a").id] == native.challenge_ext("a")


def test_the_proof_of_work_accepts_the_nonce_and_refuses_the_next(child):
    protocol, proof = child
    bits = protocol.params.grinding_bits
    assert bits == CHILD_PARAMS.grinding_bits > 0
    before_pow = []
    native_replay(protocol, proof, before_pow)
    (native,) = before_pow
    c = Circuit()
    t = CircuitTranscript.from_native(c, native)
    t.check_pow(_nonce(c, proof.pow_nonce), bits)
    # nonce + 1 fails natively but once in 2^bits proofs (zero knowledge makes every proof new): then the next
    bad = next(n for n in itertools.count(proof.pow_nonce + 1) if not native.check_pow(n, bits))
    assert bad - proof.pow_nonce < 50
    c = Circuit()
    with pytest.raises(ValueError, match="assertion fails"):
        CircuitTranscript.from_native(c, native).check_pow(_nonce(c, bad), bits)


def test_the_nonce_limbs_are_range_checked():
    """Without the check, a limb >= 2^32 would give a nonce no native verifier reads (even without grinding)."""
    c = Circuit()
    CircuitTranscript.from_native(c).check_pow((c.witness(2**32 - 1), c.witness(2**32 - 1)), 0)
    for limbs in ((2**32, 0), (0, 2**32), (P - 1, 0)):
        c = Circuit()
        with pytest.raises(ValueError, match="assertion fails"):
            CircuitTranscript.from_native(c).check_pow(tuple(c.witness(x) for x in limbs), 0)


def test_a_query_element_p_minus_1_is_refused():
    c = Circuit()
    assert [c.values[b.id].a for b in query_bits(c, c.witness(P - 3), 3)] == [0, 1, 1]
    with pytest.raises(ZeroDivisionError):
        query_bits(c, c.witness(P - 1), 3)


def test_an_extension_value_is_absorbed_as_its_coordinates():
    c = Circuit()
    t = CircuitTranscript.from_native(c)
    native = Poseidon2Transcript()
    values = [Ext(3, 5), Ext(P - 1, 0), Ext(0, 2)]
    t.absorb_ext("v", [c.witness(v) for v in values])
    native.absorb_ext("v", values)
    assert [c.values[w.id] for w in t.squeeze("c", 3)] == native._squeeze("c", 3)
