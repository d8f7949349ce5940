"""A real round of synthetic users, proven and verified with given parameters, timed.

Each measurement runs in a fresh (spawned) process, so that its peak resident memory (ru_maxrss) is its own and not
the largest of every earlier point. The round is proven as `prover.exchange.round` proves it: one proof per shard of
at most `shard_leaves` leaves, one after another, each verified before the next; times and sizes are summed.
"""
from __future__ import annotations

import multiprocessing
import resource
import time
from dataclasses import asdict, dataclass

import numpy as np

from prover.exchange.generate import DEFAULT_MARKET
from prover.research.points import RoundShape
from verifier.stark.params import StarkParams

MAX_ASSETS = len(DEFAULT_MARKET)  # the synthetic market `generate_users` draws from


@dataclass(frozen=True)
class Measurement:
    proof_bytes: int  # over every proof of the round
    prove_s: float
    verify_s: float
    peak_mb: float  # the measuring process's peak resident memory
    conjectured_bits: int


def measure(shape: RoundShape, params: StarkParams) -> Measurement:
    """Prove and verify the round in a fresh process (see the module docstring)."""
    if shape.assets > MAX_ASSETS:
        raise ValueError(f"measuring needs at most {MAX_ASSETS} assets (the synthetic market), got {shape.assets}")
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_child, args=(shape, params, results))  # not a pool: the prover may fork
    child.start()
    outcome, value = results.get()
    child.join()
    if outcome != "ok":
        raise RuntimeError(f"measuring {shape} with {params.name} failed: {value}")
    return Measurement(**value)


def _child(shape: RoundShape, params: StarkParams, results) -> None:
    try:
        results.put(("ok", _measure_here(shape, params)))
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises it
        results.put(("error", f"{type(error).__name__}: {error}"))


def _measure_here(shape: RoundShape, params: StarkParams) -> dict:
    from circuits.solvency import SolvencyAir, Statement
    from prover.exchange.warm import warm
    from prover.engine.prover import prove, random_field_elements
    from prover.exchange.generate import generate_users
    from prover.exchange.solvency_trace import Witness, build_main_trace, exact_totals
    from prover.exchange.tree import leaf_digests, tree_levels
    from verifier.stark.verify import verify

    warm()  # load (or compile) the prover's kernels first, so that prove time is proving time
    table = generate_users(shape.users, shape.assets, seed=1)
    balances = np.zeros((shape.leaves, shape.assets), dtype=np.uint64)
    balances[:shape.users] = table.balances
    idc = random_field_elements((shape.leaves, 4))  # stands in for the user id commitments
    assets = tuple((a.symbol, a.decimals) for a in table.assets)
    size, prove_s, verify_s, bits = 0, 0.0, 0.0, 0
    per = shape.leaves_per_proof
    for i in range(shape.proofs):
        witness = Witness(idc[i * per:(i + 1) * per], balances[i * per:(i + 1) * per])
        levels = tree_levels(leaf_digests(witness.idc, witness.balances))
        statement = Statement(f"research/shard {i} of {shape.proofs}", assets, per,
                              tuple(int(x) for x in levels[-1][0]), exact_totals(witness.balances))
        air = SolvencyAir(statement, params.zk_rows)
        started = time.perf_counter()
        proof = prove(air, build_main_trace(air, witness, levels), params)
        prove_s += time.perf_counter() - started
        started = time.perf_counter()
        bits = verify(air, proof, params, min_security=0).security_bits
        verify_s += time.perf_counter() - started
        size += len(proof)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return asdict(Measurement(size, prove_s, verify_s, peak_mb, bits))
