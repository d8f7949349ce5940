"""The aggregated statement (circuits/recursion/statement.py): layers over shard claims reproduce the round's tree
root and exact totals, and every child that is not the next piece of the same round is refused."""
import random

import pytest

from circuits.field import P
from circuits.recursion.statement import (
    MAX_TOTAL,
    ClaimError,
    SubtreeClaim,
    combine,
    published_root,
    round_id,
    total_limbs,
)
from circuits.tree_hash import node_digest, round_header, round_root

HEADER = round_header("2026-12", "plain", 16, [("BTC", 8), ("ETH", 8)])
OTHER = round_header("2026-11", "plain", 16, [("BTC", 8), ("ETH", 8)])


def _tree_root(leaves):
    level = list(leaves)
    while len(level) > 1:
        level = [node_digest(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def _round(shards=4, per_shard=4, seed=1):
    rng = random.Random(seed)
    leaves = [tuple(rng.randrange(P) for _ in range(4)) for _ in range(shards * per_shard)]
    balances = [(rng.randrange(1 << 63), rng.randrange(1 << 63)) for _ in leaves]
    claims = []
    for s in range(shards):
        part = slice(s * per_shard, (s + 1) * per_shard)
        totals = tuple(sum(b[j] for b in balances[part]) for j in range(2))
        claims.append(SubtreeClaim(round_id(HEADER), shards, s, 1, per_shard, _tree_root(leaves[part]), totals))
    totals = tuple(sum(b[j] for b in balances) for j in range(2))
    return claims, _tree_root(leaves), totals


def test_two_layers_of_two_and_one_layer_of_four_give_the_round_root_and_totals():
    claims, root, totals = _round()
    pairwise = combine([combine(claims[:2]), combine(claims[2:])])
    four = combine(claims)
    assert pairwise == four
    assert (four.root, four.totals, four.leaves, four.first, four.count) == (root, totals, 16, 0, 4)
    assert published_root(four, HEADER) == round_root(root, HEADER)


def test_a_child_of_another_round_is_refused():
    claims, _, _ = _round()
    foreign = SubtreeClaim(round_id(OTHER), 4, 1, 1, 4, claims[1].root, claims[1].totals)
    with pytest.raises(ClaimError, match="another round"):
        combine([claims[0], foreign])


def test_swapped_or_non_adjacent_children_are_refused():
    claims, _, _ = _round()
    with pytest.raises(ClaimError, match="out of order"):
        combine([claims[1], claims[0]])
    with pytest.raises(ClaimError, match="out of order"):
        combine([claims[0], claims[2]])
    with pytest.raises(ClaimError, match="aligned"):
        combine([claims[1], claims[2]])  # adjacent, but not one subtree of the round's tree


def test_children_of_unequal_size_or_count_are_refused():
    claims, _, _ = _round()
    pair = combine(claims[:2])
    with pytest.raises(ClaimError, match="covers"):
        combine([pair, claims[2]])
    with pytest.raises(ClaimError, match="power of two"):
        combine(claims[:3])


def test_totals_off_by_one_or_by_p_are_other_claims():
    claims, _, totals = _round()
    for delta in (1, P):
        forged = SubtreeClaim(claims[0].round, 4, 0, 1, 4, claims[0].root,
                              (claims[0].totals[0] + delta, claims[0].totals[1]))
        assert forged.elements() != claims[0].elements()
        assert combine([forged, *claims[1:]]).totals[0] == totals[0] + delta
    assert total_limbs(5) != total_limbs(5 + P)


def test_a_total_beyond_the_limbs_and_a_non_canonical_root_are_refused():
    claims, _, _ = _round()
    with pytest.raises(ClaimError, match="outside"):
        SubtreeClaim(claims[0].round, 4, 0, 1, 4, claims[0].root, (MAX_TOTAL, 0))
    with pytest.raises(ClaimError, match="canonical"):
        SubtreeClaim(claims[0].round, 4, 0, 1, 4, (P, 0, 0, 0), claims[0].totals)


def test_the_published_root_needs_the_whole_round_and_its_own_header():
    claims, _, _ = _round()
    with pytest.raises(ClaimError, match="covers 2 of"):
        published_root(combine(claims[:2]), HEADER)
    with pytest.raises(ClaimError, match="another round"):
        published_root(combine(claims), OTHER)


def test_the_layout_is_fixed_whatever_the_round_name():
    long_name = round_header("x" * 300, "plain", 16, [("BTC", 8), ("ETH", 8)])
    claims, _, _ = _round()
    other = SubtreeClaim(round_id(long_name), 4, 0, 1, 4, claims[0].root, claims[0].totals)
    assert len(other.elements()) == len(claims[0].elements()) == 4 + 4 + 4 + 2 * 3
