"""A small Poseidon2-committed child proof (the toy bus AIR, so LogUp challenges are drawn too) with a proof of
work, and verify.py's transcript sequence to replay on it natively or in a circuit: shared by the recursion
gadgets' tests."""
from dataclasses import replace

import numpy as np
import pytest
from toy_airs import BusAir

from prover.engine.prover import prove
from verifier.stark.params import load_preset, with_hash
from verifier.stark.proof_format import parse
from verifier.stark.protocol import Protocol
from verifier.stark.verify import verify

CHILD_PARAMS = replace(with_hash(load_preset("test"), "poseidon2"), grinding_bits=6)


@pytest.fixture(scope="session")
def child():
    """(protocol, parsed proof) of a verifying child."""
    rng = np.random.default_rng(5)
    sent = rng.integers(0, 1000, 40)
    air = BusAir(40, int(sent.sum()), CHILD_PARAMS.zk_rows)
    proof = prove(air, air.build_main_trace((sent, rng.permutation(sent))), CHILD_PARAMS)
    verify(air, proof, CHILD_PARAMS, min_security=0)
    return Protocol(air, CHILD_PARAMS), parse(proof)


def replay(t, protocol, proof, digest, exts, pow_check):
    """verify.py's transcript sequence on `t` (native or circuit): the challenges, then the query indices."""
    challenges = []
    t.absorb_digest("main root", digest(proof.main_root))
    challenges += [t.challenge_ext(f"logup challenge {i}") for i in range(protocol.num_challenges)]
    if proof.aux_root is not None:
        t.absorb_digest("aux root", digest(proof.aux_root))
    challenges.append(t.challenge_ext("composition"))
    t.absorb_digest("quotient root", digest(proof.quotient_root))
    challenges.append(t.challenge_ext("ood point"))
    t.absorb_ext("ood values", exts(proof.ood_trace + proof.ood_quotient))
    challenges.append(t.challenge_ext("deep"))
    for root in proof.fri_roots:
        t.absorb_digest("fri layer", digest(root))
        challenges.append(t.challenge_ext("fri fold"))
    t.absorb_ext("fri final", exts(proof.fri_final))
    pow_check(t)
    return challenges, t.challenge_indices("queries", protocol.params.num_queries, protocol.lde_size)


def native_replay(protocol, proof, before_pow=None):
    """The native challenges, indices and final transcript; `before_pow` collects a copy of the transcript the
    nonce is checked on."""
    def pow_check(t):
        if before_pow is not None:
            before_pow.append(t.copy())
        assert t.check_pow(proof.pow_nonce, protocol.params.grinding_bits)
        t.absorb_ints("pow nonce", [proof.pow_nonce])
    t = protocol.new_transcript()
    return (*replay(t, protocol, proof, lambda d: d, lambda e: e, pow_check), t)
