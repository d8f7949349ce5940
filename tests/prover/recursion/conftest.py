"""A small Poseidon2-committed child proof (the toy bus AIR, so LogUp challenges are drawn too) with a proof of
work, shared by the recursion gadgets' tests."""
from dataclasses import replace

import numpy as np
import pytest
from toy_airs import BusAir

from prover.engine.prover import prove
from verifier.stark.params import load_preset, with_hash
from verifier.stark.proof_format import parse
from verifier.stark.protocol import Protocol

CHILD_PARAMS = replace(with_hash(load_preset("test"), "poseidon2"), grinding_bits=6)


@pytest.fixture(scope="session")
def child():
    """(protocol, parsed proof) of a verifying child."""
    rng = np.random.default_rng(5)
    sent = rng.integers(0, 1000, 40)
    air = BusAir(40, int(sent.sum()), CHILD_PARAMS.zk_rows)
    proof = prove(air, air.build_main_trace((sent, rng.permutation(sent))), CHILD_PARAMS)
    return Protocol(air, CHILD_PARAMS), parse(proof)
