"""The inclusion proof a user receives (SPEC §3), format `por-inclusion/2`, written and read here.

    {"format": "por-inclusion/2", "round", "policy", "assets": [{"symbol", "decimals"}], "leaves", "root",
     "user_id", "balances": {symbol: total}, "entries": [{"index", "nonce", "balances", "siblings"}]}

One entry per leaf of the user (a user's balances may be split over several leaves), in order: entry k's leaf
commits to its position (k, K) among the user's K = len(entries) leaves in its id commitment
(circuits.tree_hash.id_commitment), so no leaf can be left out, repeated, reordered or borrowed; `balances` is their
sum. `por-inclusion/1` (one leaf, the tree root unbound to the round) is refused with a message saying why.
Under the margin policy (`policy` "margin/1:<kinds>") each asset's balance is an object {"equity", "debt",
"collateral": {kind: amount}}, and an entry's leaf holds per asset equity minus collateral, debt, collateral.
Every amount is a canonical decimal string. The round, policy, leaf count and asset list are bound into `root`
(circuits.tree_hash.round_root), so a proof re-scaled, re-ordered or re-labelled cannot reach it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from circuits.solvency import MAX_LEAVES
from circuits.tree_hash import Digest, digest_to_hex
from verifier.errors import InputError
from verifier.formats.amounts import format_amount
from verifier.formats.fields import Fields, parse_digest
from verifier.formats.margin_public import books_as_slots, policy_kinds, slots_as_books
from verifier.formats.public import POLICIES

INCLUSION_FORMAT = "por-inclusion/2"
RETIRED_FORMAT = "por-inclusion/1"
NONCE_BYTES = 32
_KEYS = ("format", "round", "policy", "assets", "leaves", "root", "user_id", "balances", "entries")
_ENTRY_KEYS = ("index", "nonce", "balances", "siblings")
MAX_ENTRIES = 1024


@dataclass(frozen=True)
class Entry:
    index: int
    nonce: bytes
    balances: tuple[int, ...]  # base units, asset order (margin: the leaf's slots)
    siblings: tuple[Digest, ...]  # from the leaf level up


@dataclass(frozen=True)
class Inclusion:
    round: str
    policy: str
    assets: tuple[tuple[str, int], ...]
    leaves: int
    root: Digest
    user_id: str
    balances: tuple[int, ...]  # the stated sum, base units
    entries: tuple[Entry, ...]


def inclusion_document(round_name: str, policy: str, assets, leaves: int, root: Digest, user_id: str,
                       entries: list[Entry]) -> dict:
    """The proof's JSON; `entries` are the user's leaves in position order (entry k is the leaf committing to k)."""
    kinds = policy_kinds(policy)

    def amounts(values) -> dict:
        if kinds is not None:
            return slots_as_books(values, assets, kinds)
        return {symbol: format_amount(v, decimals) for (symbol, decimals), v in zip(assets, values)}

    total = [sum(column) for column in zip(*(e.balances for e in entries))]
    return {
        "format": INCLUSION_FORMAT, "round": round_name, "policy": policy,
        "assets": [{"symbol": symbol, "decimals": decimals} for symbol, decimals in assets],
        "leaves": leaves, "root": digest_to_hex(root), "user_id": user_id, "balances": amounts(total),
        "entries": [{"index": e.index, "nonce": e.nonce.hex(), "balances": amounts(e.balances),
                     "siblings": [digest_to_hex(s) for s in e.siblings]} for e in entries],
    }


def inclusion_json(document: dict) -> str:
    """The file users receive: compact JSON (about 2 KB for 2^16 leaves and 22 assets)."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False) + "\n"


def parse_inclusion(data: object, name: str = "inclusion proof") -> Inclusion:
    """Validate an inclusion proof's JSON: exact keys, types, canonical amounts, hex lengths, index ranges."""
    if isinstance(data, dict) and data.get("format") == RETIRED_FORMAT:
        raise InputError(f"{name}: format {RETIRED_FORMAT} is refused: it binds neither the round nor how many leaves "
                         f"a user has; ask the exchange for the {INCLUSION_FORMAT} proof")
    field = Fields(name, data, _KEYS)
    field.require(data["format"] == INCLUSION_FORMAT, "format", f"must be {INCLUSION_FORMAT!r}")
    kinds = policy_kinds(data["policy"])
    field.require(data["policy"] in POLICIES or kinds is not None, "policy",
                  f"must be one of {', '.join(POLICIES)} or margin/1:<kinds>")
    assets, _ = field.assets("assets", with_totals=False)
    leaves = field.integer("leaves")
    field.require(2 <= leaves <= MAX_LEAVES and leaves & (leaves - 1) == 0, "leaves",
                  f"must be a power of two from 2 to {MAX_LEAVES}")
    depth = leaves.bit_length() - 1
    entries = data["entries"]
    field.require(isinstance(entries, list) and 1 <= len(entries) <= MAX_ENTRIES, "entries",
                  f"must list 1 to {MAX_ENTRIES} leaves")
    parsed = tuple(_entry(Fields(name, e, _ENTRY_KEYS, f"entries[{k}]"), assets, leaves, depth, kinds)
                   for k, e in enumerate(entries))
    field.require(len({e.index for e in parsed}) == len(parsed), "entries", "name a leaf twice")
    return Inclusion(field.text("round"), data["policy"], tuple(assets), leaves, field.digest("root"),
                     field.text("user_id"), _balances(field, "balances", assets, kinds), parsed)


def _balances(field: Fields, key: str, assets, kinds) -> tuple[int, ...]:
    if kinds is not None:
        return books_as_slots(field, key, assets, kinds)
    value = field.data[key]
    symbols = [symbol for symbol, _ in assets]
    field.require(isinstance(value, dict) and list(value) == symbols, key,
                  "must name every asset of the round, in its order")
    return tuple(field.amount(f"{key}.{symbol}", value[symbol], decimals) for symbol, decimals in assets)


def _entry(field: Fields, assets, leaves: int, depth: int, kinds) -> Entry:
    index = field.integer("index")
    field.require(index < leaves, "index", f"must be below the leaf count {leaves}")
    nonce = field.data["nonce"]
    field.require(isinstance(nonce, str) and len(nonce) == 2 * NONCE_BYTES and all(c in "0123456789abcdef" for c in nonce),
                  "nonce", f"must be {2 * NONCE_BYTES} lowercase hex characters")
    siblings = field.data["siblings"]
    field.require(isinstance(siblings, list) and len(siblings) == depth, "siblings",
                  f"must list {depth} digests (the tree of {leaves} leaves)")
    return Entry(index, bytes.fromhex(nonce), _balances(field, "balances", assets, kinds),
                 tuple(parse_digest(s, field.where(f"siblings[{k}]")) for k, s in enumerate(siblings)))
