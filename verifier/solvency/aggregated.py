"""Check an aggregated round's one proof: the last layer of its aggregation tree proves the claim that public.json
states (the round's header digest, every shard, every leaf, the tree root and the exact totals), under the
verifying key pinned for the round's configuration (verifier/formats/aggregation.py). Imports nothing from
`prover/`: the key is pinned, never recomputed here.
"""
from __future__ import annotations

from dataclasses import dataclass

from circuits.recursion.air import LAYER_SHAPE, RecursionAir
from circuits.recursion.statement import SubtreeClaim, round_id
from circuits.solvency import SolvencyAir, Statement
from circuits.tree_hash import round_header
from verifier.errors import CheckFailed, InputError
from verifier.formats.aggregation import Aggregation
from verifier.formats.public import Public
from verifier.stark.params import StarkParams
from verifier.stark.protocol import Protocol
from verifier.stark.security import composed_bits
from verifier.stark.verify import Verified, VerificationError, verify


@dataclass(frozen=True)
class VerifiedAggregation:
    verified: Verified  # the last layer's proof
    proof_bits: int  # the weakest proof of the tree (conjectured)
    composed_bits: float  # the union bound over every proof of the tree


def round_claim(public: Public) -> SubtreeClaim:
    """What the last layer must prove, from public.json alone."""
    s, shards = public.statement, public.aggregation.shards
    header = round_header(s.round, public.policy, s.leaves, s.assets)
    return SubtreeClaim(round_id(header), shards, 0, shards, s.leaves, s.root, tuple(s.totals))


def tree_bits(a: Aggregation, statement: Statement, top: StarkParams) -> list[int]:
    """Every proof's conjectured bits, level by level: the shards, then each level's layers (from their shapes:
    security depends on them, not on the values proven)."""
    s = statement
    shard = Statement(s.round, s.assets, s.leaves // a.shards, s.root, tuple(0 for _ in s.totals), (0, a.shards))
    bits = [Protocol(SolvencyAir(shard, a.shard_params.zk_rows), a.shard_params).security.conjectured_bits] * a.shards
    claim = SubtreeClaim((0,) * 4, a.shards, 0, a.shards, s.leaves, s.root, tuple(s.totals))
    for level, rows in enumerate(a.rows, 1):
        params = top if level == len(a.rows) else a.shard_params
        air = RecursionAir(LAYER_SHAPE, rows, tuple(claim.elements()), params.zk_rows, key=a.key)
        bits += [Protocol(air, params).security.conjectured_bits] * (a.shards >> level)
    return bits


def verify_aggregated(public: Public, proof: bytes, keys: dict[str, bytes], min_security: int,
                      allow_no_zero_knowledge: bool) -> VerifiedAggregation:
    """CheckFailed unless proof.bin proves public.json's claim under the configuration's pinned key, every
    proof of the tree at `min_security` bits or more."""
    a, s = public.aggregation, public.statement
    configuration = a.configuration(public.policy, s.leaves, s.assets, public.params)
    if configuration not in keys:
        raise InputError(f"public.json's aggregation: no verifying key is pinned for its configuration "
                         f"({configuration}); an auditor recomputes it with `python -m prover.exchange.pin_keys` "
                         "and passes it with --keys")
    if keys[configuration] != a.key:
        raise CheckFailed("public.json's aggregation key is not the key pinned for its configuration")
    claim = round_claim(public)
    bits = tree_bits(a, s, public.params)
    if min(bits) < min_security:
        raise CheckFailed(f"a proof of the aggregation tree gives {min(bits)} bits, below the minimum {min_security}")
    air = RecursionAir(LAYER_SHAPE, a.rows[-1], tuple(claim.elements()), public.params.zk_rows, key=a.key)
    try:
        verified = verify(air, proof, public.params, min_security, allow_no_zero_knowledge)
    except VerificationError as error:
        raise CheckFailed(f"proof.bin does not prove public.json (aggregated): {error}") from None
    return VerifiedAggregation(verified, min(bits), composed_bits(bits))
