"""The layer's statement in the circuit (prover/recursion/claim_gadget.py) computes exactly the native
`combine`, and every child that `combine` refuses makes the circuit's assertions fail; so do limbs that encode a
total non-canonically (the same integer with a limb of 2^32 or more)."""
import random

import pytest

from circuits.field import P
from circuits.recursion.statement import SubtreeClaim, TOTALS_AT, combine, round_id
from circuits.tree_hash import node_digest, round_header
from prover.recursion import claim_gadget
from prover.recursion.circuit import Circuit

HEADER = round_header("2026-12", "plain", 16, [("BTC", 8), ("ETH", 8)])


def _claims(shards=4, seed=3):
    rng = random.Random(seed)
    return [SubtreeClaim(round_id(HEADER), shards, s, 1, 4, tuple(rng.randrange(P) for _ in range(4)),
                         (rng.randrange(4 << 63), rng.randrange(4 << 63))) for s in range(shards)]


def _combined(children_elements, child_count=1, check=True):
    circuit = Circuit()
    wires = [[circuit.witness(x) for x in elements] for elements in children_elements]
    parent = claim_gadget.combine(circuit, wires, child_count, check)
    return [circuit.value(w).a for w in parent]


def test_the_circuit_combines_as_the_native_statement():
    claims = _claims()
    assert _combined([c.elements() for c in claims[:2]]) == combine(claims[:2]).elements()
    assert _combined([c.elements() for c in claims]) == combine(claims).elements()
    pairs = [combine(claims[:2]), combine(claims[2:])]
    assert _combined([c.elements() for c in pairs], 2, False) == combine(claims).elements()
    assert combine(claims).root == node_digest(pairs[0].root, pairs[1].root)


@pytest.mark.parametrize("forge", ["another round", "another shard count", "swapped", "not adjacent",
                                   "wrong count", "unequal leaves"])
def test_children_combine_refuses_make_the_circuit_fail(forge):
    claims = [c.elements() for c in _claims()]
    children = [list(claims[0]), list(claims[1])]
    if forge == "another round":
        children[1][0] ^= 1
    elif forge == "another shard count":
        children[1][4] = 8
    elif forge == "swapped":
        children = [list(claims[1]), list(claims[0])]
    elif forge == "not adjacent":
        children[1] = list(claims[2])
    elif forge == "wrong count":
        children[0][6] = children[1][6] = 2
    else:
        children[1][7] = 8
    with pytest.raises(ValueError, match="assertion fails"):
        _combined(children)


def test_a_total_off_by_one_or_p_is_another_parent_claim():
    claims = _claims()
    honest = combine(claims[:2]).elements()
    for delta in (1, P):
        forged = SubtreeClaim(claims[0].round, 4, 0, 1, 4, claims[0].root,
                              (claims[0].totals[0] + delta, claims[0].totals[1]))
        assert _combined([forged.elements(), claims[1].elements()]) != honest


@pytest.mark.parametrize("limb", [0, 1, 2])
def test_a_non_canonical_limb_encoding_of_the_same_total_is_refused(limb):
    """Borrowing 1 from the next limb into this one (+2^32) keeps the integer and breaks the range check; the
    top limb may not reach 2^30 (totals below 2^94)."""
    claims = _claims()
    child = claims[0].elements()
    at = TOTALS_AT + limb
    if limb < 2:
        child[at] += 1 << 32
        child[at + 1] -= 1
    else:
        child[at] += 1 << 30
    with pytest.raises(ValueError, match="assertion fails"):
        _combined([child, claims[1].elements()])


def test_a_carry_out_of_the_top_limb_is_refused():
    claims = _claims()
    big = [SubtreeClaim(c.round, 4, c.first, 1, 4, c.root, ((1 << 94) - 1, 0)) for c in claims[:2]]
    with pytest.raises(ValueError, match="assertion fails"):
        _combined([c.elements() for c in big])
