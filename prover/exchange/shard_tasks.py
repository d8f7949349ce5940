"""A round's units of work as plain functions of picklable data, so each runs in this process or as a Dask task:
a shard's subtree and a shard's proof (proven, then verified before it is kept)."""
from __future__ import annotations

from typing import Callable

import numpy as np

from circuits.air import Air
from circuits.solvency import SolvencyAir, Statement
from prover.engine.prover import prove
from prover.exchange.solvency_trace import Witness, build_main_trace
from prover.exchange.tree import leaf_digests, tree_levels
from verifier.errors import CheckFailed
from verifier.stark.params import StarkParams
from verifier.stark.verify import VerificationError, verify

def subtree(idc: np.ndarray, balances: np.ndarray) -> list[np.ndarray]:
    """Every level of the tree over these leaves, leaves first."""
    return tree_levels(leaf_digests(idc, balances))


def prove_shard(part: Statement, idc: np.ndarray, balances: np.ndarray, levels: list[np.ndarray],
                params: StarkParams, progress: Callable[[str], None] = lambda stage: None) -> tuple[bytes, int]:
    """The proof of `part` from its leaves and their subtree, and its security in bits."""
    air = SolvencyAir(part, params.zk_rows)
    return verified_proof(part.round, air, lambda: build_main_trace(air, Witness(idc, balances), levels), params,
                          progress)


def verified_proof(what: str, air: Air, trace: Callable[[], np.ndarray], params: StarkParams,
                   progress: Callable[[str], None] = lambda stage: None) -> tuple[bytes, int]:
    """The proof of `air` (of the round or shard `what`) over the trace `trace()` builds, verified here (no proof
    that fails is ever kept: a failure is CheckFailed, exit 1), and its security in bits."""
    progress("main trace")
    # handed straight to prove, which copies it and drops it: a name kept here would hold the trace for the whole
    # proof (0.8 GB at 2^16 leaves, 3.2 GB at 2^18)
    proof = prove(air, trace(), params, progress=progress)
    progress("verifying the proof")
    try:
        return proof, verify(air, proof, params, min_security=0).security_bits
    except VerificationError as error:
        raise CheckFailed(f"the proof just made of {what!r} does not verify, so it was not kept: {error}") from None
