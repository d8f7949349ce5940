"""The verifier AIR's chips (circuits.recursion) against cheating provers: an honest circuit (a depth-4 Merkle path
to a public root, an extension-field polynomial evaluation against a public value, a plain permutation) proves and
verifies; each forgery of a prover's cell is caught by the constraint or bus named, and each forgery of the wiring
(the preprocessed columns) by the verifying key, and the proof a prover makes anyway is rejected."""
from __future__ import annotations

import functools

import numpy as np
import pytest

from circuits import poseidon2 as p2
from circuits import poseidon2_air
from circuits.expr import Program, main_col
from circuits.field import Ext, P
from circuits.recursion.air import RecursionAir, Shape
from circuits.recursion.chips import node_framing
from circuits.tree_hash import DOMAIN_NODE, node_digest, path_root
from prover.engine.array_algebra import ARRAYS, trace_leaf
from prover.engine.prover import prove
from prover.engine.poseidon2_batch import permute_batch_with_sboxes
from prover.recursion.circuit import Circuit, Free, merkle_root
from prover.recursion.keys import build_air, wired_air
from prover.recursion.trace import build_trace
from tests.circuits.test_solvency_air import PARAMS, lookups_balance, violated
from verifier.stark.verify import VerificationError, verify

verify = functools.partial(verify, min_security=0)  # the test preset gives about 24 bits

INDEX = 11  # bits 1, 1, 0, 1: both orders of a Merkle step occur
COEFFS = [Ext(3, 4), Ext(5, 6), Ext(7, 8), Ext(9, 10)]
X = Ext(11, 12)


def honest_circuit(seed: int = 1) -> Circuit:
    rng = np.random.default_rng(seed)
    leaf = [int(v) for v in rng.integers(0, P, 4, dtype=np.uint64)]
    siblings = [[int(v) for v in rng.integers(0, P, 4, dtype=np.uint64)] for _ in range(4)]
    root = path_root(tuple(leaf), INDEX, [tuple(s) for s in siblings])
    c = Circuit()
    path = merkle_root(c, [Free.of(v) for v in leaf], Free.of(INDEX), [[Free.of(v) for v in s] for s in siblings])
    for got, want in zip(path, root):
        c.assert_equal(got, c.public(want))
    x = c.witness(X)
    acc = c.witness(COEFFS[0])
    for coeff in COEFFS[1:]:
        acc = c.mul_add(acc, x, c.constant(coeff))
    value = functools.reduce(lambda a, k: a * X + k, COEFFS[1:], COEFFS[0])
    c.assert_equal(acc, c.mul_add(c.public(value.b), c.constant(Ext(0, 1)), c.public(value.a)))  # base publics
    y = c.witness(5)
    lanes = c.permute([y, c.mul_add(y, y, c.constant(1))] + [Free.of(v) for v in range(10)])  # reads two wires
    c.mul(lanes[0], lanes[1])
    return c


@functools.cache
def _honest():
    circuit = honest_circuit()
    air = build_air(circuit, Shape(), PARAMS, PARAMS.zk_rows)
    return circuit, air, build_trace(air, circuit)


def honest():
    """The honest circuit, its AIR (with its verifying key) and a fresh copy of its trace."""
    circuit, air, trace = _honest()
    return circuit, air, trace.copy()


def rows_of(circuit, kinds):
    """The rows of the ops of these kinds, in order (one slot of their chip per row)."""
    return list(range(sum(op.kind in kinds for op in circuit.ops)))


def refused(air, trace):
    """The verifier rejects the proof a cheating prover makes of `trace`."""
    proof = prove(air, trace, PARAMS, check=False)
    with pytest.raises(VerificationError):
        verify(air, proof, PARAMS)


def test_honest_circuit_proves_and_verifies():
    circuit, air, trace = honest()
    assert violated(air, trace) == set()
    assert lookups_balance(air, trace)
    verify(air, prove(air, trace, PARAMS), PARAMS)


def test_merkle_steps_compute_the_tree_hash_path():
    circuit = honest_circuit()
    steps = [op for op in circuit.ops if op.kind == "merkle"]
    node = [v.a for v in steps[0].values]  # the leaf level: bit 1, lanes (sibling, digest)
    assert node_digest(tuple(node[:4]), tuple(node[4:8])) == tuple(v.a for v in steps[0].outputs[:4])
    assert [v.a for v in steps[0].values[8:]] == list(node_framing(DOMAIN_NODE))


def test_the_ir_refuses_a_false_assertion():
    c = Circuit()
    with pytest.raises(ValueError, match="assertion fails"):
        c.assert_equal(c.mul_add(Free.of(2), Free.of(3), Free.of(1)), c.public(8))


# ----------------------------------------------------------------------------------------- forgeries

def _resbox(air, trace, row, slot=0):
    """A careful cheater recomputes the S-box cells of `row` from its (forged) lanes."""
    s = air.poseidon2[slot]
    _, cols = permute_batch_with_sboxes(trace[s.lanes, row][None, :])
    trace[s.lanes[0]:s.lanes[0] + cols.shape[0], row] = cols[:, 0]


def _reorder(air, trace, row, slot=0):
    s = air.poseidon2[slot]
    swap = bool(trace[s.swap, row])
    for i in range(8):
        trace[s.ordered[i], row] = trace[s.lanes[(i + 4) % 8] if swap else s.lanes[i], row]


def _bump(trace, column, row, by=1):
    trace[column, row] = (int(trace[column, row]) + by) % P


def sbox(air, trace, circuit):
    _bump(trace, air.poseidon2[0].sboxes[3], 0)  # full round 0, lane 3 of the first Merkle step


def swap_not_boolean(air, trace, circuit):
    trace[air.poseidon2[0].swap, 0] = 2
    _reorder(air, trace, 0)


def swap_outside_merkle(air, trace, circuit):
    row = rows_of(circuit, ("merkle", "poseidon2"))[-1]  # the plain permutation
    trace[air.poseidon2[0].swap, row] = 1
    _reorder(air, trace, row)


def ordered_cell(air, trace, circuit):
    _bump(trace, air.poseidon2[0].ordered[5], 1)


def framing(air, trace, circuit):
    _bump(trace, air.poseidon2[0].lanes[8], 2)  # another domain tag, S-boxes recomputed
    _resbox(air, trace, 2)


def ext_out_0(air, trace, circuit):
    _bump(trace, air.ext[0].values["out"][0], 1)


def ext_out_1(air, trace, circuit):
    _bump(trace, air.ext[1].values["out"][1], 0)


def bit_not_boolean(air, trace, circuit):
    trace[air.bits[0].bits[1], 0] = 2


def recomposition(air, trace, circuit):
    _bump(trace, air.bits[0].x, 0)


def all_ones_indicator(air, trace, circuit):
    trace[air.bits[0].inv, 0] = 0  # hi != 2^32 - 1, yet all_ones = 1


def non_canonical_bits(air, trace, circuit):
    """x = 11 written as the 64-bit integer 11 + p (hi = 2^32 - 1, lo = 12): the same field element."""
    b = air.bits[0]
    for j in range(64):
        trace[b.bits[j], 0] = ((INDEX + P) >> j) & 1
    trace[b.inv, 0] = 5  # anything: z = 0 makes all_ones 1


def public_value(air, trace, circuit):
    _bump(trace, air.public.value[0], 0)


FORGERIES = [
    (sbox, "poseidon2 slot 0: full round 0 lane 3 S-box"),
    (swap_not_boolean, "poseidon2 slot 0: swap is boolean"),
    (swap_outside_merkle, "poseidon2 slot 0: swap only in a Merkle step"),
    (ordered_cell, "poseidon2 slot 0: ordered lane 5"),
    (framing, "poseidon2 slot 0: Merkle framing lane 8"),
    (ext_out_0, "ext slot 0: out.0 = (a*b + c).0"),
    (ext_out_1, "ext slot 1: out.1 = (a*b + c).1"),
    (bit_not_boolean, "bits slot 0: bit 1 is boolean"),
    (recomposition, "bits slot 0: x = lo + 2^32 hi"),
    (all_ones_indicator, "bits slot 0: all_ones is 0 unless hi = 2^32 - 1"),
    (non_canonical_bits, "bits slot 0: lo = 0 when hi = 2^32 - 1 (canonical)"),
    (public_value, "public 0 value.0"),
]


def test_every_constraint_has_a_forgery():
    _, air, _ = honest()
    names = {c.name for c in air.constraints()}
    families = {n.split(": ", 1)[-1] for n in names if not n.startswith("public")}
    covered = {name.split(": ", 1)[-1] for _, name in FORGERIES}
    # one representative per family: every S-box, ordered lane and framing lane is the same constraint shape
    generic = {"full round", "partial round", "ordered lane", "Merkle framing", "bit "}
    left = {f for f in families - covered if not any(f.startswith(g) for g in generic)}
    assert left == set()


@pytest.mark.parametrize("forge, constraint", FORGERIES, ids=[f.__name__ for f, _ in FORGERIES])
def test_forgery_caught(forge, constraint):
    circuit, air, trace = honest()
    forge(air, trace, circuit)
    assert constraint in violated(air, trace)
    refused(air, trace)


def test_non_canonical_bits_are_otherwise_consistent():
    """The non-canonical forgery satisfies booleanity and recomposition: only the canonicity check catches it."""
    circuit, air, trace = honest()
    non_canonical_bits(air, trace, circuit)
    assert violated(air, trace) == {"bits slot 0: lo = 0 when hi = 2^32 - 1 (canonical)"}


def test_swapped_merkle_order_rejected():
    """A step hashed as (digest, sibling) where the index bit says (sibling, digest), S-boxes recomputed and the
    ordered view kept consistent with the swap it claims: every local constraint holds, the bus does not."""
    circuit, air, trace = honest()
    s = air.poseidon2[0]
    assert trace[s.swap, 0] == 1
    left, right = trace[s.lanes[:4], 0].copy(), trace[s.lanes[4:8], 0].copy()
    trace[s.lanes[:4], 0], trace[s.lanes[4:8], 0] = right, left
    _resbox(air, trace, 0)
    _reorder(air, trace, 0)
    assert violated(air, trace) == set()
    assert not lookups_balance(air, trace)
    refused(air, trace)


def test_swap_bit_flipped_rejected():
    """The swap cell flipped (so the bus reads the digest where the sibling is): the bit port disagrees."""
    circuit, air, trace = honest()
    s = air.poseidon2[0]
    trace[s.swap, 0] = 0
    _reorder(air, trace, 0)
    assert violated(air, trace) == set()
    assert not lookups_balance(air, trace)


def test_consumer_reading_an_unproduced_value_rejected():
    circuit, air, trace = honest()
    e = air.ext[0]
    row = next(r for r in range(air.active_rows) if trace[e.reads["a"], r])
    _bump(trace, e.values["a"][0], row)  # reads a value nobody sent under that wire ...
    a0, a1 = (int(trace[c, row]) for c in e.values["a"])
    b0, b1 = (int(trace[c, row]) for c in e.values["b"])
    c0, c1 = (int(trace[c, row]) for c in e.values["c"])
    trace[e.values["out"][0], row] = (a0 * b0 + 7 * a1 * b1 + c0) % P  # ... and computes with it correctly
    trace[e.values["out"][1], row] = (a0 * b1 + a1 * b0 + c1) % P
    assert violated(air, trace) == set()
    assert not lookups_balance(air, trace)
    refused(air, trace)


def test_another_public_root_rejected():
    """A statement with one root bit flipped, the public cells forged to match: the bus catches it."""
    circuit, air, trace = honest()
    publics = list(air.publics)
    value = publics[0]
    publics[0] = value ^ 1
    cheat = RecursionAir(air.shape, air.active_rows, tuple(publics), PARAMS.zk_rows, air.fixed, air.key)
    trace[air.public.value[0], 0] = value ^ 1
    assert violated(cheat, trace) == set()
    assert not lookups_balance(cheat, trace)
    refused(cheat, trace)


def test_framing_is_a_parameter():
    """The STARK commitment's node hash (another domain) through the same Merkle step."""
    framing = node_framing(6)
    c = Circuit(framing=framing)
    digest, sibling = [1, 2, 3, 4], [5, 6, 7, 8]
    out = c.merkle_step([Free.of(v) for v in digest], [Free.of(v) for v in sibling], c.bits(Free.of(0))[0])
    assert [c.value(w).a for w in out] == p2.permute(digest + sibling + list(framing))[:4]
    air = wired_air(c, Shape(framing=framing), PARAMS.zk_rows)
    assert violated(air, build_trace(air, c)) == set()
    with pytest.raises(ValueError, match="framing"):
        wired_air(c, Shape(), PARAMS.zk_rows)


def test_poseidon2_air_over_kernel_columns():
    """The shared S-box constraints hold on the batch kernel's recorded cells, and the output expressions are the
    permutation (circuits.poseidon2.permute)."""
    states = np.random.default_rng(5).integers(0, P, (3, 12), dtype=np.uint64)
    out, cols = permute_batch_with_sboxes(states)
    cells = [main_col(c) for c in range(cols.shape[0])]
    lanes, sboxes = cells[:12], cells[12:]
    exprs = [c.expr for c in poseidon2_air.constraints(lanes, sboxes)] + poseidon2_air.outputs(lanes, sboxes)
    values = Program(exprs).evaluate(ARRAYS, trace_leaf(cols, None, [], []))
    assert all(not np.asarray(v).any() for v in values[:poseidon2_air.SBOXES])
    assert [[int(v[r]) for v in values[poseidon2_air.SBOXES:]] for r in range(3)] == [
        p2.permute([int(x) for x in s]) for s in states]


def test_several_slots_per_row():
    circuit = honest_circuit()
    shape = Shape(poseidon2=2, ext=3, bits=2, constants=2)
    air = build_air(circuit, shape, PARAMS, PARAMS.zk_rows)
    trace = build_trace(air, circuit)
    assert violated(air, trace) == set() and lookups_balance(air, trace)
    verify(air, prove(air, trace, PARAMS), PARAMS)
