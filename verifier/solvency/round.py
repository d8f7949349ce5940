"""Check a liabilities round: public.json against its proof files, and against a root and totals published
elsewhere (SPEC §1, §3).

A sharded round (public.json has `shards`) splits the tree's leaves into S equal, contiguous subtrees; each is
proven by its own STARK (`proofs/shard-XXXX.bin`) for the statement "round/shard i of S" with the subtree's root
and exact totals, and the round is checked by recombining them: shard totals sum to the round totals, shard roots
hash up to the tree root, which the published root binds with the round's header. Imports nothing from `prover/`.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from circuits.margin import MarginAir, MarginStatement
from circuits.solvency import SolvencyAir, Statement
from circuits.tree_hash import digest_to_hex, node_digest
from verifier.errors import CheckFailed, InputError
from verifier.formats.amounts import AmountError, format_amount, parse_canonical_amount
from verifier.formats.aggregation import pinned_keys
from verifier.formats.fields import parse_digest
from verifier.formats.public import (
    PUBLIC_FORMAT,
    Public,
    Shard,
    load_public,
    published_root,
)
from verifier.solvency.aggregated import verify_aggregated
from verifier.stark.params import StarkParams
from verifier.stark.security import Security
from verifier.stark.verify import MIN_SECURITY, VerificationError, verify

PUBLIC_FILE, PROOF_FILE, SHARDS_DIR = "public.json", "proof.bin", "proofs"
MAX_PROOF_BYTES = 64 << 20

__all__ = ["PUBLIC_FILE", "PUBLIC_FORMAT", "PROOF_FILE", "SHARDS_DIR", "CheckFailed", "InputError", "Public", "Shard",
           "VerifiedRound", "load_public", "proof_files", "verify_round"]


@dataclass(frozen=True)
class VerifiedRound:
    public: Public
    params: StarkParams
    security_bits: int  # conjectured, as public.json states it
    security: Security  # every term, conjectured and proven
    proof_size: int  # bytes, over every proof file
    proof_digests: tuple[tuple[str, str], ...]  # (file, SHA-256 hex) of each proof file verified, in order
    proof_sha256: str  # SHA-256 of those files' bytes in that order (`cat FILES | sha256sum`): names the proof
    shards: int = 0  # shard proofs checked; 0 for a round proven by one proof.bin
    composed_bits: float | None = None  # an aggregated round: the union bound over its tree's proofs

    @property
    def statement(self) -> Statement | MarginStatement:
        return self.public.statement


def proof_files(statement: Statement, shards: tuple[Shard, ...] | list[Shard]) -> list[tuple[str, Statement]]:
    """The round's proof files (paths relative to the round directory) and the statement each proves: proof.bin
    for the whole round, or proofs/shard-XXXX.bin for shard i, whose round name binds its index and the count."""
    if not shards:
        return [(PROOF_FILE, statement)]
    count = len(shards)
    if isinstance(statement, MarginStatement):  # shard totals per slot
        return [(f"{SHARDS_DIR}/shard-{i:04d}.bin",
                 MarginStatement.of_slot_totals(f"{statement.round}/shard {i} of {count}", statement.assets,
                                                statement.leaves // count, shard.root, shard.totals,
                                                statement.policy))
                for i, shard in enumerate(shards)]
    return [(f"{SHARDS_DIR}/shard-{i:04d}.bin",
             Statement(f"{statement.round}/shard {i} of {count}", statement.assets, statement.leaves // count,
                       shard.root, shard.totals))
            for i, shard in enumerate(shards)]


def verify_round(round_dir: str | os.PathLike, root: str | None = None, totals: dict | None = None,
                 min_security: int = MIN_SECURITY, allow_no_zero_knowledge: bool = False,
                 keys: dict[str, bytes] | None = None) -> VerifiedRound:
    """Check DIR/proof.bin against DIR/public.json, and public.json against a root and totals published elsewhere.

    A sharded round is checked cheapest first: the shards add up to the round (totals, roots), its proofs/ holds
    exactly the shard proofs, then each proof against its shard's statement."""
    round_dir = Path(round_dir)
    if not round_dir.is_dir():
        raise InputError(f"{round_dir}: not a directory")
    public = load_public(round_dir / PUBLIC_FILE)
    statement, params, shards = public.statement, public.params, public.shards
    _check(published_root(statement, public.policy) == public.root,
           "public.json's root is not its tree root bound to its round, policy, leaf count and assets")
    if root is not None:
        expected = parse_digest(root.strip(), "--root")
        _check(expected == public.root, f"root differs: public.json has {digest_to_hex(public.root)}, "
                                        f"the published root is {root.strip().lower()}")
    if totals is not None:
        if isinstance(statement, MarginStatement):
            raise InputError("--totals pins a plain round's totals; a margin round publishes equity, debt and "
                             "collateral (compare them with public.json)")
        _check_totals(statement, totals)
    if public.aggregation is not None:
        return _verify_aggregated_round(round_dir, public, keys, min_security, allow_no_zero_knowledge)
    parts = proof_files(statement, shards)
    if shards:
        _check_recombination(statement, shards)
        _check_shard_files(round_dir, [file for file, _ in parts])
    size, digests, whole = 0, [], hashlib.sha256()
    for i, (file, part) in enumerate(parts):
        proof = _read_proof(round_dir / file)
        what = f"shard {i} of {len(shards)} in public.json" if shards else "public.json"
        try:
            air = MarginAir if isinstance(part, MarginStatement) else SolvencyAir
            verified = verify(air(part, params.zk_rows), proof, params, min_security, allow_no_zero_knowledge)
        except VerificationError as error:
            raise CheckFailed(f"{file} does not prove {what}: {error}") from None
        _check(public.security_bits == verified.security_bits,
               f"public.json claims {public.security_bits} bits of security, {file} gives {verified.security_bits}")
        size += len(proof)
        digests.append((file, hashlib.sha256(proof).hexdigest()))
        whole.update(proof)
    return VerifiedRound(public, params, public.security_bits, verified.security, size, tuple(digests),
                         whole.hexdigest(), len(shards))


def _verify_aggregated_round(round_dir: Path, public: Public, keys: dict[str, bytes] | None, min_security: int,
                             allow_no_zero_knowledge: bool) -> VerifiedRound:
    """One proof.bin, nothing under proofs/, checked against the pinned keys (and `keys` an auditor adds)."""
    _check(not (round_dir / SHARDS_DIR).exists(), f"{SHARDS_DIR}/ is present, but public.json describes an "
                                                  "aggregated round (one proof.bin)")
    proof = _read_proof(round_dir / PROOF_FILE)
    result = verify_aggregated(public, proof, pinned_keys(keys), min_security, allow_no_zero_knowledge)
    _check(public.security_bits == result.proof_bits,
           f"public.json claims {public.security_bits} bits of security, its aggregation tree gives "
           f"{result.proof_bits}")
    digest = hashlib.sha256(proof).hexdigest()
    return VerifiedRound(public, public.params, public.security_bits, result.verified.security, len(proof),
                         ((PROOF_FILE, digest),), digest, public.aggregation.shards, result.composed_bits)


def _check_recombination(statement: Statement, shards: tuple[Shard, ...]) -> None:
    """The shards add up to the round: per asset their totals sum to the round's exactly, and their roots (the
    subtrees' roots, in leaf order) hash up, pairwise level by level, to the round's root (a margin round's: every
    slot total, free equity, debt and collateral per kind)."""
    if isinstance(statement, MarginStatement):
        names = ("free equity", "debt") + statement.policy.kinds
        for j, total in enumerate(statement.slot_totals()):
            (symbol, decimals), what = statement.assets[j // len(names)], names[j % len(names)]
            summed = sum(shard.totals[j] for shard in shards)
            _check(summed == total, f"{symbol} {what}: the shard totals sum to {format_amount(summed, decimals)}, "
                                    f"the round's is {format_amount(total, decimals)}")
    else:
        for j, ((symbol, decimals), total) in enumerate(zip(statement.assets, statement.totals)):
            summed = sum(shard.totals[j] for shard in shards)
            _check(summed == total, f"{symbol}: the shard totals sum to {format_amount(summed, decimals)}, "
                                    f"the round total is {format_amount(total, decimals)}")
    level = [shard.root for shard in shards]
    while len(level) > 1:
        level = [node_digest(level[k], level[k + 1]) for k in range(0, len(level), 2)]
    _check(level[0] == statement.root, f"the {len(shards)} shard roots do not hash up to the tree root "
                                       f"{digest_to_hex(statement.root)}")


def _check_shard_files(round_dir: Path, files: list[str]) -> None:
    """A sharded round holds exactly its shard proofs under proofs/, and no whole-round proof.bin."""
    expected = {Path(file).name for file in files}
    folder = round_dir / SHARDS_DIR
    present = set(os.listdir(folder)) if folder.is_dir() else set()
    missing, extra = sorted(expected - present), sorted(present - expected)
    _check(not missing, f"{SHARDS_DIR}/{missing[0] if missing else ''} is missing "
                        f"({len(missing)} of the {len(files)} shard proofs)")
    _check(not extra, f"{SHARDS_DIR}/{extra[0] if extra else ''} is not one of the {len(files)} shard proofs "
                      "public.json describes")
    _check(not (round_dir / PROOF_FILE).exists(), f"{PROOF_FILE} is present, but public.json describes a sharded "
                                                  "round (proofs/shard-XXXX.bin)")


def _check_totals(statement: Statement, published: object) -> None:
    if not isinstance(published, dict) or not all(isinstance(v, str) for v in published.values()):
        raise InputError('--totals: expected a JSON object of decimal strings, such as {"BTC": "12.5"}')
    symbols = [symbol for symbol, _ in statement.assets]
    missing, extra = set(symbols) - set(published), set(published) - set(symbols)
    _check(not missing, f"--totals lacks {', '.join(sorted(missing))}, which the round has")
    _check(not extra, f"--totals names {', '.join(sorted(extra))}, which the round does not have")
    for (symbol, decimals), total in zip(statement.assets, statement.totals):
        text = published[symbol]
        try:
            value = parse_canonical_amount(text, decimals)
        except AmountError as error:
            raise InputError(f"--totals: {symbol}: {error}") from None
        _check(value == total, f"{symbol} total differs: public.json has {format_amount(total, decimals)}, "
                               f"the published total is {text}")


def _read_proof(path: Path) -> bytes:
    try:
        with open(path, "rb") as stream:
            proof = stream.read(MAX_PROOF_BYTES + 1)
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    _check(len(proof) <= MAX_PROOF_BYTES, f"{path}: larger than any valid proof")
    return proof


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)
