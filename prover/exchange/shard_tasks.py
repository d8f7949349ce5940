"""A round's units of work as plain functions of picklable data, so each runs in this process or as a Dask task:
a shard's subtree and a shard's proof (proven, then verified before it is kept), of either policy's statement."""
from __future__ import annotations

from typing import Callable

import numpy as np

from circuits.air import Air
from circuits.margin import MarginAir, MarginStatement
from circuits.solvency import SolvencyAir, Statement
from prover.engine.prover import prove
from prover.exchange.margin_trace import MarginWitness, build_margin_trace
from prover.exchange.solvency_trace import Witness, build_main_trace
from prover.exchange.tree import leaf_digests, tree_levels
from verifier.errors import CheckFailed
from verifier.stark.params import StarkParams
from verifier.stark.verify import VerificationError, verify

def subtree(idc: np.ndarray, balances: np.ndarray) -> list[np.ndarray]:
    """Every level of the tree over these leaves, leaves first."""
    return tree_levels(leaf_digests(idc, balances))


def shard_air(part: Statement | MarginStatement, zk_rows: int) -> Air:
    """The AIR a part of a round is proven with: the liabilities AIR, or the margin AIR for a margin statement."""
    return MarginAir(part, zk_rows) if isinstance(part, MarginStatement) else SolvencyAir(part, zk_rows)


def prove_shard(part: Statement | MarginStatement, idc: np.ndarray, values: np.ndarray, levels: list[np.ndarray],
                params: StarkParams, progress: Callable[[str], None] = lambda stage: None) -> tuple[bytes, int]:
    """The proof of `part` from its leaves (balances, or a margin leaf's slots) and their subtree, and its security
    in bits."""
    air = shard_air(part, params.zk_rows)
    if isinstance(air, MarginAir):
        trace = lambda: build_margin_trace(air, MarginWitness(idc, values), levels)  # noqa: E731
    else:
        trace = lambda: build_main_trace(air, Witness(idc, values), levels)  # noqa: E731
    return verified_proof(part.round, air, trace, params, progress)


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
