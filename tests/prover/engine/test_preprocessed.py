"""Preprocessed (fixed) columns: committed in their own tree, checked against the AIR's pinned root, never the
prover's; AIRs without them keep their proofs byte for byte (golden digests in test_poseidon2_commitment)."""
import dataclasses
import functools

import pytest
from toy_airs import SelectorAir, selector_output

from prover.engine.prover import preprocessed_root, prove
from verifier.stark.params import load_preset, with_hash
from verifier.stark.proof_format import parse
from verifier.stark.verify import VerificationError, verify

verify = functools.partial(verify, min_security=0)
TEST = load_preset("test")
ROWS = 40


def selector_air(params=TEST, root=None) -> SelectorAir:
    """The AIR with its verifying key recomputed for `params` (what a pinned constant is checked against)."""
    bare = SelectorAir(ROWS, 0, params.zk_rows)
    air = SelectorAir(ROWS, selector_output(bare.active_rows), params.zk_rows)
    air.root = root if root is not None else preprocessed_root(air, params)
    return air


@pytest.fixture(scope="module", params=["blake2s", "poseidon2"])
def proven(request):
    params = with_hash(TEST, request.param)
    air = selector_air(params)
    proof = prove(air, air.build_main_trace(), params)
    return air, proof, params


def test_a_proof_with_fixed_columns_verifies(proven):
    air, proof, params = proven
    verify(air, proof, params)
    assert proof[8:10] == b"\x03\x00" and parse(proof).preprocessed_width == 2


def test_another_pinned_root_is_rejected(proven):
    air, proof, params = proven
    other = selector_air(dataclasses.replace(params, log_blowup=params.log_blowup + 1))
    assert other.root != air.root
    with pytest.raises(VerificationError):  # the root is in the transcript: every challenge moves
        verify(selector_air(params, other.root), proof, params)


def test_a_prover_committing_other_fixed_columns_is_rejected(proven):
    air, _, params = proven
    s, c = air.preprocessed_columns()
    forged = [s, [v + (i == 4) for i, v in enumerate(c)]]  # unselected row: every constraint still holds
    with pytest.raises(ValueError, match="preprocessed columns"):
        prove(air, air.build_main_trace(forged), params)
    proof = prove(air, air.build_main_trace(forged), params, check=False)
    with pytest.raises(VerificationError, match="preprocessed columns"):
        verify(air, proof, params)


def test_a_stale_pinned_root_is_refused_by_the_prover(proven):
    air, _, params = proven
    with pytest.raises(ValueError, match="stale"):
        prove(selector_air(params, bytes(32)), air.build_main_trace(), params)


def test_byte_flips_in_the_fixed_opening_are_rejected(proven):
    """Every field of the first opening (the fixed tree's: rows, siblings, counts) and the width field."""
    air, proof, params = proven
    spans = []
    parse(proof, spans)
    starts = [i for i, (what, _, _) in enumerate(spans) if what == "openings.rows count"]
    fixed_opening = spans[starts[0]:starts[1]]
    assert any(what == "openings.siblings" for what, _, _ in fixed_opening)
    width = [span for span in spans if span[0] == "preprocessed_width"]
    for what, start, stop in fixed_opening + width:
        for position in {start, stop - 1}:
            tampered = proof[:position] + bytes([proof[position] ^ 1]) + proof[position + 1:]
            with pytest.raises(VerificationError):
                verify(air, tampered, params)


# The toy AIR's verifying key under the test preset (BLAKE2s), pinned: the commitment of fixed columns is stable.
PINNED_TEST_ROOT = "a0c0e3d553e74fb9137c8fb408cc3652538f5a50ec9bb1dd6523b3f5bace1f89"


def test_the_pinned_root_is_recomputed():
    assert selector_air(TEST).root.hex() == PINNED_TEST_ROOT


def test_a_version_3_proof_without_fixed_columns_is_malformed(proven):
    air, proof, params = proven
    spans = []
    parse(proof, spans)
    [(_, start, end)] = [span for span in spans if span[0] == "preprocessed_width"]
    with pytest.raises(VerificationError, match="malformed"):
        verify(air, proof[:start] + bytes(end - start) + proof[end:], params)
