"""Check a liabilities round (public.json + proof.bin) and a user's inclusion proof (SPEC §1, §3).

A sharded round (public.json has `shards`) splits the tree's leaves into S equal, contiguous subtrees; each is
proven by its own STARK (`proofs/shard-XXXX.bin`) for the statement "round/shard i of S" with the subtree's root
and exact totals, and the round is checked by recombining them: shard totals sum to the round totals, shard roots
hash up to the round root.

Two kinds of failure, kept apart because they mean different things to the person running the check:
`RoundInputError` (exit 2) for input that is not what the format says, `CheckFailed` (exit 1) for well-formed
input that does not prove what it claims. Standalone: imports nothing from `prover/`.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

from circuits.solvency import MAX_LEAVES, SolvencyAir, Statement
from circuits.tree_hash import (
    Digest,
    digest_from_hex,
    digest_to_hex,
    id_commitment,
    leaf_digest,
    node_digest,
    path_root,
)
from verifier.formats.amounts import (
    BALANCE_BOUND,
    AmountError,
    format_amount,
    parse_amount,
)
from verifier.formats.strict_json import JsonInputError, read_json_file
from verifier.stark.params import ParamsError, StarkParams
from verifier.stark.verify import VerificationError, verify

PUBLIC_FORMAT = "por-public/1"
INCLUSION_FORMAT = "por-inclusion/1"
PUBLIC_FILE, PROOF_FILE, SHARDS_DIR = "public.json", "proof.bin", "proofs"
MAX_DECIMALS = 18
MAX_PROOF_BYTES = 64 << 20
NONCE_BYTES = 32
_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_NONCE_HEX = re.compile(rf"[0-9a-f]{{{2 * NONCE_BYTES}}}")
_PUBLIC_KEYS = ("format", "round", "assets", "root", "leaves", "params", "security_bits")
_PUBLIC_OPTIONAL_KEYS = ("shards",)
_INCLUSION_KEYS = ("format", "round", "root", "user_id", "nonce", "balances", "decimals", "index", "siblings")


class RoundInputError(ValueError):
    """Malformed input (exit 2); the message names the file and the field."""


class CheckFailed(Exception):
    """Well-formed input that fails a check (exit 1); the message says which."""


@dataclass(frozen=True)
class Shard:
    """One shard's published subtree root and exact per-asset totals (base units, the round's asset order)."""

    root: Digest
    totals: tuple[int, ...]


class Public(NamedTuple):
    statement: Statement  # the whole round's
    params: StarkParams
    data: dict  # public.json as read
    shards: tuple[Shard, ...]  # empty unless the round is sharded


@dataclass(frozen=True)
class VerifiedRound:
    statement: Statement
    params: StarkParams
    security_bits: int
    proof_size: int  # bytes, over every proof file
    shards: int = 0  # shard proofs checked; 0 for a round proven by one proof.bin


@dataclass(frozen=True)
class Inclusion:
    round: str
    root: Digest
    user_id: str
    nonce: bytes
    balances: dict[str, str]  # symbol -> decimal string, in the file's (leaf) order
    decimals: dict[str, int]
    index: int
    siblings: list[Digest]


# -- public.json ------------------------------------------------------------------------------------------------------

def load_public(path: str | os.PathLike) -> Public:
    """Parse and validate public.json (and its `shards`, when present); every error names the file and the field."""
    name = os.fspath(path)
    try:
        data = read_json_file(path)
    except JsonInputError as error:
        raise RoundInputError(str(error)) from None
    field = _Fields(name, data, _PUBLIC_KEYS, optional=_PUBLIC_OPTIONAL_KEYS)
    field.require(data["format"] == PUBLIC_FORMAT, "format", f"must be {PUBLIC_FORMAT!r}")
    round_name = field.text("round")
    assets = data["assets"]
    field.require(isinstance(assets, list) and assets, "assets", "must be a non-empty list")
    symbols, totals = [], []
    for j, entry in enumerate(assets):
        asset = _Fields(name, entry, ("symbol", "decimals", "total"), f"assets[{j}]")
        symbols.append((_symbol(asset, "symbol"), _decimals(asset, "decimals", entry["decimals"])))
        totals.append(_amount(asset, "total", entry["total"], symbols[-1][1]))
    field.require(len({s for s, _ in symbols}) == len(symbols), "assets", "lists a symbol twice")
    root = field.digest("root")
    leaves = field.integer("leaves")
    field.require(2 <= leaves <= MAX_LEAVES and leaves & (leaves - 1) == 0, "leaves",
                  f"must be a power of two from 2 to {MAX_LEAVES}")
    try:
        params = StarkParams.from_json(data["params"])
        extra = set(data["params"]) - set(StarkParams.__dataclass_fields__)
        if extra:
            raise ParamsError(f"unknown key {sorted(extra)[0]!r}")
    except ParamsError as error:
        raise RoundInputError(f"{name}: params: {error}") from None
    field.integer("security_bits")
    try:
        statement = Statement(round_name, tuple(symbols), leaves, root, tuple(totals))
        shards = _shards(field, statement) if "shards" in data else ()
        proof_files(statement, shards)  # every shard statement must be well-formed too
    except ValueError as error:
        raise RoundInputError(f"{name}: {error}") from None
    return Public(statement, params, data, shards)


def _shards(field: _Fields, statement: Statement) -> tuple[Shard, ...]:
    """The `shards` list: S >= 2 entries with S dividing N into subtrees of a power-of-two size, each a canonical
    root and one exact, non-negative total per asset with that asset's decimals."""
    entries = field.data["shards"]
    count = len(entries) if isinstance(entries, list) else 0
    field.require(count >= 2 and count & (count - 1) == 0 and statement.leaves // count >= 2, "shards",
                  f"must list a power of two of shards, 2 to {statement.leaves // 2} (shards of 2 leaves or more)")
    shards = []
    for i, entry in enumerate(entries):
        shard = _Fields(field.name, entry, ("root", "totals"), f"shards[{i}]")
        values = entry["totals"]
        shard.require(isinstance(values, list) and len(values) == len(statement.assets), "totals",
                      f"must list one total per asset ({len(statement.assets)})")
        totals = tuple(_amount(shard, f"totals[{j}]", value, decimals)
                       for j, (value, (_, decimals)) in enumerate(zip(values, statement.assets)))
        shards.append(Shard(shard.digest("root"), totals))
    return tuple(shards)


def proof_files(statement: Statement, shards: tuple[Shard, ...] | list[Shard]) -> list[tuple[str, Statement]]:
    """The round's proof files (paths relative to the round directory) and the statement each proves: proof.bin
    for the whole round, or proofs/shard-XXXX.bin for shard i, whose round name binds its index and the count."""
    if not shards:
        return [(PROOF_FILE, statement)]
    count = len(shards)
    return [(f"{SHARDS_DIR}/shard-{i:04d}.bin",
             Statement(f"{statement.round}/shard {i} of {count}", statement.assets, statement.leaves // count,
                       shard.root, shard.totals))
            for i, shard in enumerate(shards)]


def verify_round(round_dir: str | os.PathLike, root: str | None = None, totals: dict | None = None,
                 min_security: int = 100) -> VerifiedRound:
    """Check DIR/proof.bin against DIR/public.json, and public.json against a root and totals published elsewhere.

    A sharded round is checked cheapest first: the shards add up to the round (totals, roots), its proofs/ holds
    exactly the shard proofs, then each proof against its shard's statement."""
    round_dir = Path(round_dir)
    if not round_dir.is_dir():
        raise RoundInputError(f"{round_dir}: not a directory")
    statement, params, public, shards = load_public(round_dir / PUBLIC_FILE)
    if root is not None:
        expected = _parse_digest(root, "--root")
        _check(expected == statement.root, f"root differs: public.json has {digest_to_hex(statement.root)}, "
                                           f"the published root is {root.lower()}")
    if totals is not None:
        _check_totals(statement, totals)
    parts = proof_files(statement, shards)
    if shards:
        _check_recombination(statement, shards)
        _check_shard_files(round_dir, [file for file, _ in parts])
    size = 0
    for i, (file, part) in enumerate(parts):
        proof = _read_proof(round_dir / file)
        what = f"shard {i} of {len(shards)} in public.json" if shards else "public.json"
        try:
            verified = verify(SolvencyAir(part, params.zk_rows), proof, params, min_security)
        except VerificationError as error:
            raise CheckFailed(f"{file} does not prove {what}: {error}") from None
        _check(public["security_bits"] == verified.security_bits,
               f"public.json claims {public['security_bits']} bits of security, {file} gives {verified.security_bits}")
        size += len(proof)
    return VerifiedRound(statement, params, public["security_bits"], size, len(shards))


def _check_recombination(statement: Statement, shards: tuple[Shard, ...]) -> None:
    """The shards add up to the round: per asset their totals sum to the round's exactly, and their roots (the
    subtrees' roots, in leaf order) hash up, pairwise level by level, to the round's root."""
    for j, ((symbol, decimals), total) in enumerate(zip(statement.assets, statement.totals)):
        summed = sum(shard.totals[j] for shard in shards)
        _check(summed == total, f"{symbol}: the shard totals sum to {format_amount(summed, decimals)}, "
                                f"the round total is {format_amount(total, decimals)}")
    level = [shard.root for shard in shards]
    while len(level) > 1:
        level = [node_digest(level[k], level[k + 1]) for k in range(0, len(level), 2)]
    _check(level[0] == statement.root, f"the {len(shards)} shard roots do not hash up to the round root "
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
        raise RoundInputError('--totals: expected a JSON object of decimal strings, such as {"BTC": "12.5"}')
    symbols = [symbol for symbol, _ in statement.assets]
    missing, extra = set(symbols) - set(published), set(published) - set(symbols)
    _check(not missing, f"--totals lacks {', '.join(sorted(missing))}, which the round has")
    _check(not extra, f"--totals names {', '.join(sorted(extra))}, which the round does not have")
    for (symbol, decimals), total in zip(statement.assets, statement.totals):
        text = published[symbol]
        fraction = text.partition(".")[2]
        try:
            value = Fraction(parse_amount(text, len(fraction)), 10 ** len(fraction))
        except AmountError as error:
            raise RoundInputError(f"--totals: {symbol}: {error}") from None
        _check(value == Fraction(total, 10 ** decimals),
               f"{symbol} total differs: public.json has {total} base units, the published total is {text}")


def _read_proof(path: Path) -> bytes:
    try:
        with open(path, "rb") as stream:
            proof = stream.read(MAX_PROOF_BYTES + 1)
    except OSError as error:
        raise RoundInputError(f"{path}: cannot read: {error.strerror or error}") from None
    _check(len(proof) <= MAX_PROOF_BYTES, f"{path}: larger than any valid proof")
    return proof


# -- inclusion proofs --------------------------------------------------------------------------------------------------

def parse_inclusion(data: object, name: str = "inclusion proof") -> Inclusion:
    """Validate an inclusion proof's JSON: format, types, hex lengths and the index range."""
    field = _Fields(name, data, _INCLUSION_KEYS)
    field.require(data["format"] == INCLUSION_FORMAT, "format", f"must be {INCLUSION_FORMAT!r}")
    balances, decimals = data["balances"], data["decimals"]
    field.require(isinstance(balances, dict) and balances, "balances", "must be a non-empty object")
    field.require(isinstance(decimals, dict) and list(decimals) == list(balances), "decimals",
                  "must be an object naming the balances' assets in the same order")
    for symbol, amount in balances.items():
        field.require(isinstance(amount, str) and _SYMBOL.fullmatch(symbol), f"balances.{symbol}",
                      "must be a decimal string under an asset symbol")
        _decimals(field, f"decimals.{symbol}", decimals[symbol])
    siblings = data["siblings"]
    field.require(isinstance(siblings, list) and 1 <= len(siblings) < MAX_LEAVES.bit_length(), "siblings",
                  f"must be a list of 1 to {MAX_LEAVES.bit_length() - 1} digests")
    index = field.integer("index")
    field.require(index < 1 << len(siblings), "index", f"must be below 2^{len(siblings)} (the path's length)")
    nonce = data["nonce"]
    field.require(isinstance(nonce, str) and _NONCE_HEX.fullmatch(nonce), "nonce",
                  f"must be {2 * NONCE_BYTES} lowercase hex characters")
    return Inclusion(field.text("round"), field.digest("root"), field.text("user_id"), bytes.fromhex(nonce),
                     dict(balances), dict(decimals), index,
                     [_parse_digest(s, f"{name}: siblings[{k}]") for k, s in enumerate(siblings)])


def verify_inclusion(inclusion: dict, root: str | None = None, public: Statement | None = None,
                     name: str = "inclusion proof") -> Inclusion:
    """Recompute the user's leaf and walk its path; it must reach the round's root.

    Against a public.json (`public`), the round, root, asset list, decimals and tree depth come from it;
    against a bare `root` (hex), the inclusion file's own asset order and decimals are used; with neither, the
    path is only checked against the root the file itself claims.
    """
    proof = parse_inclusion(inclusion, name)
    if public is not None:
        _check(proof.round == public.round, f"inclusion proof is for round {proof.round!r}, public.json is for "
                                            f"round {public.round!r}")
        _check(proof.root == public.root, "inclusion proof names another root than public.json")
        depth = public.leaves.bit_length() - 1
        _check(len(proof.siblings) == depth,
               f"path has {len(proof.siblings)} siblings, the round's tree is {depth} deep")
        assets = list(public.assets)
        named, expected = set(proof.balances), {symbol for symbol, _ in assets}
        _check(named == expected, f"balances name {', '.join(sorted(named ^ expected))} differently from the round")
        for symbol, decimals in assets:
            _check(proof.decimals[symbol] == decimals, f"{symbol} has {decimals} decimals in the round, "
                                                       f"{proof.decimals[symbol]} in the inclusion proof")
        target = public.root
    else:
        assets = list(proof.decimals.items())
        target = proof.root if root is None else _parse_digest(root, "--root")
        _check(proof.root == target, "inclusion proof names another root than the published one")
    balances = []
    for symbol, decimals in assets:
        try:
            units = parse_amount(proof.balances[symbol], decimals)
        except AmountError as error:
            raise RoundInputError(f"{name}: field 'balances.{symbol}': {error}") from None
        _check(units < BALANCE_BOUND, f"{symbol} balance is not below 2^63 base units")
        balances.append(units)
    leaf = leaf_digest(id_commitment(proof.user_id, proof.nonce), balances)
    reached = path_root(leaf, proof.index, proof.siblings)
    _check(reached == target, f"user {proof.user_id!r}'s leaf does not lead to root {digest_to_hex(target)}: "
                              "wrong balances, nonce, index or siblings")
    return proof


# -- field validation ----------------------------------------------------------------------------------------------

class _Fields:
    """Typed access to an object's fields; every refusal names the file and the field."""

    def __init__(self, name: str, data: object, keys: tuple[str, ...], prefix: str = "", optional: tuple = ()):
        self.name, self.data, self.prefix = name, data, prefix
        if not isinstance(data, dict):
            raise RoundInputError(f"{name}: {prefix or 'the document'} must be a JSON object")
        missing, extra = [k for k in keys if k not in data], sorted(set(data) - set(keys) - set(optional))
        self.require(not missing, missing[0] if missing else "", "is missing")
        self.require(not extra, extra[0] if extra else "", "is not a field of this format")

    def where(self, field: str) -> str:
        return f"{self.name}: field {f'{self.prefix}.{field}' if self.prefix else field!r}"

    def require(self, condition: object, field: str, what: str) -> None:
        if not condition:
            raise RoundInputError(f"{self.where(field)} {what}")

    def text(self, key: str) -> str:
        value = self.data[key]
        self.require(isinstance(value, str) and value and value.isprintable(), key, "must be a non-empty string")
        return value

    def integer(self, key: str) -> int:
        value = self.data[key]
        self.require(type(value) is int and value >= 0, key, "must be a non-negative integer")
        return value

    def digest(self, key: str) -> Digest:
        return _parse_digest(self.data[key], self.where(key))


def _symbol(field: _Fields, key: str) -> str:
    value = field.data[key]
    field.require(isinstance(value, str) and _SYMBOL.fullmatch(value), key, "must be an asset symbol such as 'BTC'")
    return value


def _decimals(field: _Fields, key: str, value: object) -> int:
    field.require(type(value) is int and 0 <= value <= MAX_DECIMALS, key, f"must be an integer in 0..{MAX_DECIMALS}")
    return value


def _amount(field: _Fields, key: str, value: object, decimals: int) -> int:
    field.require(isinstance(value, str), key, "must be a decimal string")
    try:
        return parse_amount(value, decimals)
    except AmountError as error:
        raise RoundInputError(f"{field.where(key)}: {error}") from None


def _parse_digest(value: object, where: str) -> Digest:
    try:
        return digest_from_hex(value)
    except ValueError as error:
        raise RoundInputError(f"{where}: {error}") from None


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)
