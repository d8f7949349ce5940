import functools

"""Byte-level tampering: every field of the proof format, flipped, truncated, extended or replaced by garbage,
makes `verify` raise VerificationError, and nothing else. Parameters below the minimum are refused."""
import json
import struct
from importlib import resources

import numpy as np
import pytest
from toy_airs import BusAir, FibonacciAir, fibonacci_output

from prover.engine.prover import prove
from verifier.stark.params import ParamsError, StarkParams, load_preset
from verifier.stark.proof_format import MAGIC, parse
from verifier.stark.protocol import Protocol
from verifier.stark.verify import VerificationError
from verifier.stark.verify import verify as stark_verify

# The test preset gives about 24 bits; the library's default minimum is 100.
verify = functools.partial(stark_verify, min_security=0)

TEST = load_preset("test")


@pytest.fixture(scope="module")
def bus_proof():
    """A proof with every kind of field: LogUp commitment, periodic column, several FRI layers."""
    rng = np.random.default_rng(5)
    sent = rng.integers(0, 1000, 40)
    air = BusAir(40, int(sent.sum()), TEST.zk_rows)
    proof = prove(air, air.build_main_trace((sent, rng.permutation(sent))), TEST)
    verify(air, proof, TEST)
    return air, proof


def assert_rejected(air, data: bytes, **kwargs) -> None:
    with pytest.raises(VerificationError):
        verify(air, data, TEST, **kwargs)


def flipped(data: bytes, position: int, mask: int = 0xFF) -> bytes:
    return data[:position] + bytes([data[position] ^ mask]) + data[position + 1:]


def test_every_field_of_the_format_is_checked(bus_proof):
    air, proof = bus_proof
    spans = []
    parse(proof, spans)
    assert spans[0][0] == "magic" and spans[-1][2] == len(proof)
    assert sum(end - start for _, start, end in spans) == len(proof)  # the spans tile the whole proof
    kinds = {what.split(".")[0].split(" ")[0] for what, _, _ in spans}
    assert {"magic", "version", "params", "main_root", "aux_root", "quotient_root", "ood_trace", "ood_quotient",
            "fri_roots", "fri_final", "pow_nonce", "openings"} <= kinds
    tampered = 0
    for what, start, end in spans:
        for position, mask in {(start, 0xFF), (start, 0x01), ((start + end) // 2, 0xFF), (end - 1, 0xFF)}:
            try:
                verify(air, flipped(proof, position, mask), TEST)
            except VerificationError:
                tampered += 1
                continue
            pytest.fail(f"flipping byte {position} ({what}) with {mask:#x} was accepted")
    assert tampered >= 2 * len(spans)


def test_truncated_proofs_rejected(bus_proof):
    air, proof = bus_proof
    for length in [*range(0, len(proof), 97), len(proof) - 1]:
        assert_rejected(air, proof[:length])


@pytest.mark.parametrize("extra", [b"\x00", bytes(32), b"\xff" * 32])
def test_extended_proofs_rejected(bus_proof, extra):
    air, proof = bus_proof
    assert_rejected(air, proof + extra)


def test_garbage_rejected(bus_proof):
    air, proof = bus_proof
    rng = np.random.default_rng(9)
    assert_rejected(air, b"")
    assert_rejected(air, MAGIC)
    for size in (1, 31, 1000, len(proof)):
        assert_rejected(air, rng.bytes(size))
        assert_rejected(air, proof[:10] + rng.bytes(size))  # a valid header, then noise


def test_huge_vector_counts_rejected_without_allocating(bus_proof):
    air, proof = bus_proof
    spans = []
    parse(proof, spans)
    counts = [(what, start) for what, start, end in spans if what.endswith("count")]
    assert len(counts) > 10
    for what, start in counts:
        for huge in (0xFFFF_FFFF, 1 << 22, 1 << 21):
            assert_rejected(air, proof[:start] + struct.pack("<I", huge) + proof[start + 4:])


def test_nonzero_padding_and_non_canonical_elements_rejected(bus_proof):
    air, proof = bus_proof
    spans = []
    parse(proof, spans)
    what, start, end = next(s for s in spans if s[0] == "ood_trace")
    assert_rejected(air, proof[:start] + b"\xff" * 8 + proof[end:])  # 2^64 - 1 is not below p


# ------------------------------------------------------------------------------------------------ parameters

def test_proof_below_min_security_rejected(bus_proof):
    air, proof = bus_proof
    bits = Protocol(air, TEST).security.conjectured_bits
    assert verify(air, proof, TEST, min_security=bits).security_bits == bits
    with pytest.raises(VerificationError, match=f"{bits} bits of security, below the minimum {bits + 1}"):
        verify(air, proof, TEST, min_security=bits + 1)
    with pytest.raises(VerificationError, match="below the minimum 100"):
        verify(air, proof, TEST, min_security=100)
    with pytest.raises(VerificationError, match="below the minimum"):
        verify(air, proof, None, min_security=100)
    with pytest.raises(VerificationError, match="below the minimum 100"):
        stark_verify(air, proof, TEST)  # the library's own default, as the command line's


def test_a_proof_without_zero_knowledge_is_rejected_unless_allowed():
    params = StarkParams(**{**TEST.to_json(), "name": "no-zk", "zero_knowledge": False})
    air = FibonacciAir(64, fibonacci_output(64), params.zk_rows)
    proof = prove(air, air.build_main_trace(None), params)
    with pytest.raises(VerificationError, match="without zero knowledge"):
        verify(air, proof, params)
    assert verify(air, proof, params, allow_no_zero_knowledge=True).params.zero_knowledge is False


def test_proof_parameters_must_match_expected(bus_proof):
    air, proof = bus_proof
    for field, value in (("num_queries", 9), ("grinding_bits", 1), ("log_blowup", 2), ("zero_knowledge", False),
                         ("fri_log_arity", 3), ("fri_log_final_degree", 2)):
        other = StarkParams(**{**TEST.to_json(), field: value})
        with pytest.raises(VerificationError, match=field):
            verify(air, proof, other)
    with pytest.raises(VerificationError, match="differ"):
        verify(air, proof, load_preset("standard"))


def test_presets():
    standard, test = load_preset("standard"), load_preset("test")
    assert standard.zero_knowledge and test.zero_knowledge
    assert json.loads(resources.files("params").joinpath("test.json").read_text())["description"].startswith(
        "INSECURE")
    with pytest.raises(ParamsError):
        load_preset("fast")
    with pytest.raises(ParamsError):
        StarkParams(**{**test.to_json(), "num_queries": 0})


def test_params_in_the_proof_are_bound(bus_proof):
    """Changing a parameter byte changes the air/transcript: rejected even when no expected params are given."""
    air, proof = bus_proof
    spans = []
    parse(proof, spans)
    for what, start, end in spans:
        if what.startswith("params."):
            with pytest.raises(VerificationError):
                verify(air, flipped(proof, start, 0x01), None)


def test_fibonacci_proof_rejected_for_other_public_inputs():
    air = FibonacciAir(30, fibonacci_output(30), TEST.zk_rows)
    proof = prove(air, air.build_main_trace(None), TEST)
    assert_rejected(FibonacciAir(30, fibonacci_output(30) - 1, TEST.zk_rows), proof)
