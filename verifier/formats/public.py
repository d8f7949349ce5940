"""public.json (SPEC §3), written and read here: what the exchange publishes about a round.

    {"format": "por-public/1", "round", "policy", "assets": [{"symbol", "decimals", "total"}], "root",
     "tree_root", "leaves", "params", "security_bits"[, "shards": [{"root", "totals"}]]
     [, "floored": [{"symbol", "amounts", "dropped"}]]}

A margin round (verifier/formats/margin_public.py) has `policy` as an object with the policy's parameters and
asset entries with equity, debt and collateral in place of `total` (so do its `shards`' totals); it has no
`floored`.

`floored` appears only when the exchange chose to floor amounts finer than an asset's decimals: per asset, how
many amounts and their exact dropped sum (in asset units), so nobody mistakes the published totals for the
unrounded books.

`root` is the published root R = round_root(tree_root, header): it binds the round name, policy, leaf count and
the ordered asset list (symbols, decimals) to the tree the proofs prove, so a user holding R alone can check
everything an inclusion proof shows. Totals are canonical decimal strings; `tree_root` is the STARK's statement.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import NamedTuple

from circuits.margin import MarginStatement
from circuits.solvency import MAX_LEAVES, Statement
from circuits.tree_hash import Digest, digest_to_hex, round_header, round_root
from verifier.errors import InputError
from verifier.formats.aggregation import Aggregation, parse_aggregation
from verifier.formats.amounts import format_amount
from verifier.formats.fields import Fields
from verifier.formats.margin_public import (
    books_as_slots,
    header_policy,
    margin_assets,
    parse_margin,
    policy_document,
    slots_as_books,
)
from verifier.formats.strict_json import read_json_file
from verifier.stark.params import ParamsError, StarkParams

PUBLIC_FORMAT = "por-public/1"
POLICIES = ("plain",)
_KEYS = ("format", "round", "policy", "assets", "root", "tree_root", "leaves", "params", "security_bits")
_OPTIONAL_KEYS = ("shards", "floored", "aggregation")


@dataclass(frozen=True)
class Shard:
    """One shard's published subtree root and exact per-asset totals (base units, the round's asset order; for a
    margin round per slot: each asset's free equity, debt and collateral per kind)."""

    root: Digest
    totals: tuple[int, ...]


class Public(NamedTuple):
    statement: Statement | MarginStatement  # the whole round's; its root is the tree root
    policy: str  # as the round header binds it ("plain", or "margin/1:<kinds>")
    root: Digest  # the published root, as public.json states it (checked against the binding by the verifier)
    params: StarkParams
    security_bits: int
    shards: tuple[Shard, ...]  # empty unless the round is sharded and publishes its shards
    aggregation: Aggregation | None = None  # a sharded round proven as one proof (verifier/formats/aggregation.py)


def published_root(statement: Statement, policy: str) -> Digest:
    """R: the tree root bound to the round's name, policy, leaf count and ordered asset list."""
    return round_root(statement.root, round_header(statement.round, policy, statement.leaves, statement.assets))


def public_document(statement: Statement | MarginStatement, policy: str, params: dict, security_bits: int,
                    shards: list[Shard] | tuple = (), floored: list[tuple[str, int, str]] | tuple = (),
                    aggregation: Aggregation | None = None) -> dict:
    """public.json's content for a proven round; `floored` lists (symbol, amounts floored, dropped sum)."""
    margin = isinstance(statement, MarginStatement)
    document = {
        "format": PUBLIC_FORMAT,
        "round": statement.round,
        "policy": policy_document(statement) if margin else policy,
        "assets": margin_assets(statement) if margin else
        [{"symbol": symbol, "decimals": decimals, "total": format_amount(total, decimals)}
         for (symbol, decimals), total in zip(statement.assets, statement.totals)],
        "root": digest_to_hex(published_root(statement, policy)),
        "tree_root": digest_to_hex(statement.root),
        "leaves": statement.leaves,
        "params": params,
        "security_bits": security_bits,
    }
    if shards and margin:
        document["shards"] = [{"root": digest_to_hex(shard.root),
                               "totals": slots_as_books(shard.totals, statement.assets, statement.policy.kinds)}
                              for shard in shards]
    elif shards:
        document["shards"] = [{"root": digest_to_hex(shard.root),
                               "totals": [format_amount(total, decimals)
                                          for (_, decimals), total in zip(statement.assets, shard.totals)]}
                              for shard in shards]
    if floored:
        document["floored"] = [{"symbol": symbol, "amounts": amounts, "dropped": dropped}
                               for symbol, amounts, dropped in floored]
    if aggregation is not None:
        document["aggregation"] = aggregation.document()
    return document


def load_public(path: str | os.PathLike) -> Public:
    """Read and validate public.json (and its `shards`, when present); every error names the file and the field."""
    return parse_public(read_json_file(path), os.fspath(path))


def parse_public(data: object, name: str = "public.json") -> Public:
    """Validate public.json's content, already read as JSON."""
    field = Fields(name, data, _KEYS, optional=_OPTIONAL_KEYS)
    field.require(data["format"] == PUBLIC_FORMAT, "format", f"must be {PUBLIC_FORMAT!r}")
    round_name = field.text("round")
    margin = isinstance(data["policy"], dict)
    field.require(margin or data["policy"] in POLICIES, "policy",
                  f"must be one of {', '.join(POLICIES)}, or the margin policy's object")
    leaves = field.integer("leaves")
    field.require(2 <= leaves <= MAX_LEAVES and leaves & (leaves - 1) == 0, "leaves",
                  f"must be a power of two from 2 to {MAX_LEAVES}")
    try:
        params = StarkParams.from_json(data["params"])
        extra = set(data["params"]) - set(StarkParams.__dataclass_fields__)
        if extra:
            raise ParamsError(f"unknown key {sorted(extra)[0]!r}")
    except ParamsError as error:
        raise InputError(f"{name}: params: {error}") from None
    security_bits = field.integer("security_bits")
    if margin:
        field.require("floored" not in data, "floored", "does not apply to a margin round")
        field.require("aggregation" not in data, "aggregation", "margin rounds are not aggregated yet")
        statement = parse_margin(field, round_name, leaves, field.digest("tree_root"))
        shards = _shards(field, statement) if "shards" in data else ()
        return Public(statement, header_policy(statement.policy), field.digest("root"), params, security_bits,
                      shards)
    assets, totals = field.assets("assets", with_totals=True)
    try:
        statement = Statement(round_name, tuple(assets), leaves, field.digest("tree_root"), tuple(totals))
    except ValueError as error:
        raise InputError(f"{name}: {error}") from None
    shards = _shards(field, statement) if "shards" in data else ()
    if "floored" in data:
        _check_floored(field, statement)
    aggregation = None
    if "aggregation" in data:
        field.require(not shards, "aggregation", "cannot accompany published shards")
        aggregation = parse_aggregation(name, data["aggregation"], leaves)
    return Public(statement, data["policy"], field.digest("root"), params, security_bits, shards, aggregation)


def _shards(field: Fields, statement: Statement | MarginStatement) -> tuple[Shard, ...]:
    """The `shards` list: S >= 2 entries with S dividing N into subtrees of a power-of-two size, each a canonical
    root and one exact, non-negative total per asset with that asset's decimals (a margin round: per asset its
    equity, debt and collateral, as the round's own entries)."""
    entries = field.data["shards"]
    count = len(entries) if isinstance(entries, list) else 0
    field.require(count >= 2 and count & (count - 1) == 0 and statement.leaves // count >= 2, "shards",
                  f"must list a power of two of shards, 2 to {statement.leaves // 2} (shards of 2 leaves or more)")
    shards = []
    for i, entry in enumerate(entries):
        shard = Fields(field.name, entry, ("root", "totals"), f"shards[{i}]")
        if isinstance(statement, MarginStatement):
            totals = books_as_slots(shard, "totals", statement.assets, statement.policy.kinds)
            shard.require(all(t < (statement.leaves // count) << 62 for t in totals), "totals",
                          "must each be below the shard's leaf count times 2^62 base units")
            shards.append(Shard(shard.digest("root"), totals))
            continue
        values = entry["totals"]
        shard.require(isinstance(values, list) and len(values) == len(statement.assets), "totals",
                      f"must list one total per asset ({len(statement.assets)})")
        totals = tuple(shard.amount(f"totals[{j}]", value, decimals)
                       for j, (value, (_, decimals)) in enumerate(zip(values, statement.assets)))
        shard.require(all(t < (statement.leaves // count) << 63 for t in totals), "totals",
                      "must each be below the shard's leaf count times 2^63 base units")
        shards.append(Shard(shard.digest("root"), totals))
    return tuple(shards)


def _check_floored(field: Fields, statement: Statement) -> None:
    """`floored`: one entry per floored asset of the round, a positive count and a canonical decimal sum."""
    entries = field.data["floored"]
    field.require(isinstance(entries, list) and entries, "floored", "must be a non-empty list")
    symbols = {symbol for symbol, _ in statement.assets}
    for i, entry in enumerate(entries):
        item = Fields(field.name, entry, ("symbol", "amounts", "dropped"), f"floored[{i}]")
        item.require(item.symbol("symbol") in symbols, "symbol", "must be one of the round's assets")
        item.require(item.integer("amounts") > 0, "amounts", "must be a positive count")
        dropped = entry["dropped"]
        item.require(isinstance(dropped, str) and dropped, "dropped", "must be a decimal string")
        places = len(dropped.partition(".")[2])
        item.amount("dropped", dropped, places)
