"""A user's check of their inclusion proof: every leaf of theirs, recomputed from their id, nonces and balances,
reaches one tree root, and that tree root bound to the round's header is the published root. Without a
published root there is nothing to check against, so there is no verdict.

Entry k's leaf is rebuilt with the id commitment of position (k, K), K the number of entries: each of the user's
leaves commits to its place among all K of them, so a proof with a leaf left out (K too small for the leaves'
commitments), repeated or reordered (a position that is not the leaf's), or borrowed from another user (another
id) cannot reach the root, whatever total it states."""
from __future__ import annotations

from circuits.tree_hash import (
    Digest,
    digest_to_hex,
    id_commitment,
    leaf_digest,
    path_root,
    round_header,
    round_root,
)
from verifier.errors import CheckFailed
from verifier.formats.amounts import BALANCE_BOUND, format_amount
from circuits.margin.policy import AMOUNT_BOUND
from verifier.formats.inclusion import Inclusion, parse_inclusion
from verifier.formats.margin_public import policy_kinds
from verifier.formats.public import Public


def verify_inclusion(document: object, published_root: Digest, public: Public | None = None,
                     name: str = "inclusion proof") -> Inclusion:
    """Check an inclusion proof's JSON against the published root (and, when given, the round's public.json)."""
    proof = parse_inclusion(document, name)
    if public is not None:
        statement = public.statement
        _check(proof.round == statement.round, f"inclusion proof is for round {proof.round!r}, public.json is for "
                                               f"round {statement.round!r}")
        _check(proof.policy == public.policy, "inclusion proof names another policy than public.json")
        _check(proof.assets == statement.assets, "inclusion proof lists other assets, decimals or order than "
                                                 "public.json")
        _check(proof.leaves == statement.leaves, f"inclusion proof is for a tree of {proof.leaves} leaves, the "
                                                 f"round has {statement.leaves}")
    _check(proof.root == published_root, "inclusion proof names another root than the published one")
    tree_roots = set()
    bound, what = ((AMOUNT_BOUND, "an amount is not below 2^62") if policy_kinds(proof.policy)
                   else (BALANCE_BOUND, "a balance is not below 2^63"))
    count = len(proof.entries)
    for k, entry in enumerate(proof.entries):
        _check(all(b < bound for b in entry.balances), f"entry {k}: {what} base units")
        leaf = leaf_digest(id_commitment(proof.user_id, entry.nonce, k, count), list(entry.balances))
        tree_roots.add(path_root(leaf, entry.index, list(entry.siblings)))
    _check(len(tree_roots) == 1, f"the user's {count} leaves do not lead to one tree: a leaf altered, missing, "
                                 "repeated, out of order or another user's")
    header = round_header(proof.round, proof.policy, proof.leaves, proof.assets)
    _check(round_root(tree_roots.pop(), header) == published_root,
           f"user {proof.user_id!r}'s leaves do not lead to root {digest_to_hex(published_root)}: wrong balances, "
           "nonce, index, siblings, round, assets or decimals, or a leaf missing, repeated, out of order or another "
           "user's")
    summed = tuple(sum(column) for column in zip(*(e.balances for e in proof.entries)))
    if policy_kinds(proof.policy):
        _check(proof.balances == summed, "the stated equity, debt or collateral is not the sum of the user's leaves")
    for (symbol, decimals), stated, total in zip(proof.assets, proof.balances, summed):  # plain: one per asset
        _check(stated == total, f"{symbol}: the stated balance {format_amount(stated, decimals)} is not the sum of "
                                f"the user's leaves, {format_amount(total, decimals)}")
    return proof


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)
