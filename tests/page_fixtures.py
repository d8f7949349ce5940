"""Build `por-inclusion/2` proofs in Python, with the reference scalar hashes, for the verification page's tests.

Independent of the prover on purpose: a small tree built leaf by leaf from circuits.tree_hash's scalar
functions, so the page is checked against the reference hashes, not against whatever the exporter emits.
"""
from __future__ import annotations

import random

from circuits.tree_hash import (
    digest_from_hex,
    digest_to_hex,
    id_commitment,
    leaf_digest,
    node_digest,
    path_root,
    round_header,
    round_root,
)
from verifier.formats.amounts import parse_amount
from verifier.formats.inclusion import Entry, inclusion_document

P = 2**64 - 2**32 + 1
ROUND = "2026-11"
POLICY = "plain"
ASSETS = [{"symbol": "BTC", "decimals": 8}, {"symbol": "ETH", "decimals": 18}, {"symbol": "USDT", "decimals": 6}]
LEAVES = 16

# user id -> one balances dict per leaf (a split user has several), in position order k = 0, 1, ...
USERS = {
    "alice": [{"BTC": "0.1", "ETH": "1.5", "USDT": "0"}],
    "bob": [{"BTC": "0.25", "ETH": "0", "USDT": "1000.000001"},
            {"BTC": "0.05", "ETH": "0.000000000000000001", "USDT": "250"},
            {"BTC": "1.2", "ETH": "0", "USDT": "0.5"}],
    "émilie 😀": [{"BTC": "0", "ETH": "4.2", "USDT": "7.25"}],
    "dora": [{"BTC": "2", "ETH": "0", "USDT": "10"}, {"BTC": "0.5", "ETH": "1", "USDT": "0"}],
}
# A forger's tree: the leaf count K a user's leaves were committed with, where it is not how many were placed
# (dora's two leaves say they are two of three; the third, holding the rest of her balance, was never placed).
COMMITTED_COUNTS = {"dora": 3}


def hash_round(tree_root, round_name: str, policy: str, leaves: int, assets: list[dict]):
    """The published root R for tree root T and the round's header (SPEC §1 item 4)."""
    pairs = [(a["symbol"], a["decimals"]) for a in assets]
    return round_root(tree_root, round_header(round_name, policy, leaves, pairs))


def _tree_levels(leaf_digests: list) -> list[list]:
    levels = [leaf_digests]
    while len(levels[-1]) > 1:
        level = levels[-1]
        levels.append([node_digest(level[i], level[i + 1]) for i in range(0, len(level), 2)])
    return levels


def _path(levels: list[list], index: int) -> list[str]:
    return [digest_to_hex(level[(index >> depth) ^ 1]) for depth, level in enumerate(levels[:-1])]


def build_round(seed: int = 7) -> tuple[dict, dict[str, dict]]:
    """A shuffled, padded tree over USERS: (public.json as a dict, {user id: inclusion proof dict})."""
    rng = random.Random(seed)
    slots = rng.sample(range(LEAVES), sum(len(entries) for entries in USERS.values()))
    leaves = [leaf_digest(tuple(rng.randrange(P) for _ in range(4)), [0] * len(ASSETS)) for _ in range(LEAVES)]
    placed = {}
    for user_id, entries in USERS.items():
        count = COMMITTED_COUNTS.get(user_id, len(entries))
        for k, balances in enumerate(entries):
            index, nonce = slots.pop(), rng.randbytes(32)
            units = [parse_amount(balances[a["symbol"]], a["decimals"]) for a in ASSETS]
            leaves[index] = leaf_digest(id_commitment(user_id, nonce, k, count), units)
            placed.setdefault(user_id, []).append((index, nonce, balances))
    levels = _tree_levels(leaves)
    root = digest_to_hex(hash_round(levels[-1][0], ROUND, POLICY, LEAVES, ASSETS))
    proofs = {user_id: _proof(user_id, entries, levels, root) for user_id, entries in placed.items()}
    public = {"format": "por-public/1", "round": ROUND, "policy": POLICY,
              "assets": [dict(a, total="0") for a in ASSETS], "root": root,
              "tree_root": digest_to_hex(levels[-1][0]), "leaves": LEAVES, "params": {}, "security_bits": 100}
    return public, proofs


def _proof(user_id: str, entries: list, levels: list[list], root: str) -> dict:
    assets = [(a["symbol"], a["decimals"]) for a in ASSETS]
    return inclusion_document(ROUND, POLICY, assets, LEAVES, digest_from_hex(root), user_id, [
        Entry(index, nonce, tuple(parse_amount(balances[symbol], decimals) for symbol, decimals in assets),
              tuple(digest_from_hex(s) for s in _path(levels, index))) for index, nonce, balances in entries])


def rebind(proof: dict) -> dict:
    """Recompute the file's own root from its (possibly altered) header, as a forger would: only the published
    root can then catch the change."""
    first = proof["entries"][0]
    units = [parse_amount(first["balances"][a["symbol"]], a["decimals"]) for a in proof["assets"]]
    leaf = leaf_digest(id_commitment(proof["user_id"], bytes.fromhex(first["nonce"]), 0, len(proof["entries"])), units)
    tree_root = path_root(leaf, first["index"], [digest_from_hex(s) for s in first["siblings"]])
    proof["root"] = digest_to_hex(hash_round(tree_root, proof["round"], proof["policy"], proof["leaves"],
                                             proof["assets"]))
    return proof
