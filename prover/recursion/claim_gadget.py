"""An aggregation layer's statement in the circuit: the parent claim from its children's, as
`circuits.recursion.statement.combine` computes it natively (docs/RECURSION.md, section 3).

Each child's claim is its proof's public values (`SubtreeClaim.elements()` layout), which the child's verifier
walk produced as wires. The layer asserts the children are of one round (same digest and shard count), adjacent
(child i starts `i * count` shards after child 0, count a constant of the layer's shape) and of equal size, hashes
the parent root pairwise with the solvency tree's node hash, and sums totals limb by limb with carries, every limb
range-checked: limbs below 2^32, the top limb below 2^30 (a total below N * 2^63 <= 2^94, the bound under which
a shard's high sum is its exact integer), so a total off by p or by 2^96 is another claim, never the same one.
"""
from __future__ import annotations

from circuits.recursion.statement import (
    COUNT_AT,
    FIRST_AT,
    LEAVES_AT,
    LIMB_BITS,
    ROOT_AT,
    ROUND_AT,
    SHARDS_AT,
    TOTAL_LIMBS,
    TOP_LIMB_BITS,
    TOTALS_AT,
)
from circuits.tree_hash import DIGEST_ELEMENTS, DOMAIN_NODE, initial_state
from prover.recursion.circuit import Circuit, Wire

CARRY_BITS = 8  # a carry of a sum of at most 2^8 children's 32-bit limbs


def assert_bits_below(circuit: Circuit, x: Wire, bits: int) -> None:
    """x < 2^bits (as a canonical integer): its bits from `bits` up are all zero, i.e. sum to zero."""
    high = circuit.bits(x)[bits:]
    total = high[0]
    for bit in high[1:]:
        total = circuit.add(total, bit)
    circuit.assert_equal(total, circuit.constant(0))


def check_limbs(circuit: Circuit, claim: list[Wire]) -> None:
    """Every total limb of `claim` in range (the children a layer reads, and the claim it proves)."""
    for i, limb in enumerate(claim[TOTALS_AT:]):
        assert_bits_below(circuit, limb, TOP_LIMB_BITS if i % TOTAL_LIMBS == TOTAL_LIMBS - 1 else LIMB_BITS)


def node_hash(circuit: Circuit, left: list[Wire], right: list[Wire]) -> list[Wire]:
    """`circuits.tree_hash.node_digest` in one permutation, the capacity constants."""
    capacity = [circuit.constant(x) for x in initial_state(DOMAIN_NODE, 2 * DIGEST_ELEMENTS)[2 * DIGEST_ELEMENTS:]]
    return circuit.permute(list(left) + list(right) + capacity)[:DIGEST_ELEMENTS]


def _sum_totals(circuit: Circuit, children: list[list[Wire]]) -> list[Wire]:
    """Per total, the children's limbs added with carries: out_j = sum_i limb_ij + carry_(j-1) - 2^32 carry_j, the
    carries free but range-checked, the last one zero (exact integers, no wrap mod p)."""
    limbs = len(children[0]) - TOTALS_AT
    out = []
    for first in range(TOTALS_AT, TOTALS_AT + limbs, TOTAL_LIMBS):
        carry = None
        for j in range(first, first + TOTAL_LIMBS):
            terms = [child[j] for child in children] + ([carry] if carry is not None else [])
            total = terms[0]
            for term in terms[1:]:
                total = circuit.add(total, term)
            value = circuit.value(total).a
            carry = circuit.witness(value >> LIMB_BITS)
            assert_bits_below(circuit, carry, CARRY_BITS)
            limb = circuit.mul_add(carry, circuit.constant(-(1 << LIMB_BITS)), total)
            out.append(limb)
        circuit.assert_equal(carry, circuit.constant(0))
    return out


def combine(circuit: Circuit, children: list[list[Wire]], child_count: int, check_children: bool) -> list[Wire]:
    """The parent claim's wires (SubtreeClaim.elements layout) over `children` (a power of two of claims, in leaf
    order, each covering `child_count` shards); `check_children`: range-check the children's limbs too (a shard's
    limbs are its own public values, checked nowhere else; a layer's were checked by the layer that proved it)."""
    k = len(children)
    if k < 2 or k & (k - 1) or child_count < 1 or child_count & (child_count - 1):
        raise ValueError(f"a layer combines a power of two (>= 2) of children of a power of two of shards, not {k}")
    head = children[0]
    count = circuit.constant(child_count)
    for i, child in enumerate(children):
        if len(child) != len(head):
            raise ValueError(f"child {i}'s claim has {len(child)} elements, child 0's {len(head)}")
        for j in (*range(ROUND_AT, ROUND_AT + DIGEST_ELEMENTS), SHARDS_AT, LEAVES_AT):
            if i:
                circuit.assert_equal(child[j], head[j])
        circuit.assert_equal(child[COUNT_AT], count)
        if i:
            circuit.assert_equal(child[FIRST_AT], circuit.mul_add(count, circuit.constant(i), head[FIRST_AT]))
        if check_children:
            check_limbs(circuit, child)
    level = [child[ROOT_AT:ROOT_AT + DIGEST_ELEMENTS] for child in children]
    while len(level) > 1:
        level = [node_hash(circuit, level[j], level[j + 1]) for j in range(0, len(level), 2)]
    parent = [*head[ROUND_AT:ROUND_AT + DIGEST_ELEMENTS], head[SHARDS_AT], head[FIRST_AT],
              circuit.constant(child_count * k), circuit.scale(head[LEAVES_AT], k), *level[0],
              *_sum_totals(circuit, children)]
    check_limbs(circuit, parent)
    return parent
