"""The liabilities AIR against cheating provers (SPEC §1, §6).

Each cheat builds the honest trace, then forges it the way a dishonest exchange would. Two things are shown:
which constraint catches the forgery (evaluated on the trace rows, so a constraint's necessity is visible), and,
for the statement-level cheats of SPEC §6, that the verifier rejects the proof a prover makes anyway.
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest

from circuits import poseidon2 as p2
from circuits.expr import Program
from circuits.field import Ext, P
from circuits.solvency import SolvencyAir, Statement
from prover.engine.array_algebra import ARRAYS, trace_leaf
from prover.engine.aux_trace import UnbalancedInteractions, build_aux_trace
from prover.engine.prover import prove
from prover.engine.quotient import ConstraintViolation
from prover.exchange import poseidon2_batch, tree
from prover.exchange.solvency_trace import Witness, build_main_trace
from verifier.stark.params import load_preset
from verifier.stark.protocol import Protocol
from verifier.stark.verify import VerificationError, verify

# The test preset gives about 24 bits; the library's default minimum is 100.
verify = functools.partial(verify, min_security=0)

PARAMS = load_preset("test")
N, A = 4, 3


def make_round(n=N, a=A, seed=1):
    rng = np.random.default_rng(seed)
    idc = rng.integers(0, P, (n, 4), dtype=np.uint64)
    balances = rng.integers(0, 1 << 62, (n, a), dtype=np.uint64)
    balances[0, 0] = (1 << 63) - 1  # the largest allowed balance
    balances[1, 1] = 0
    root = tuple(int(x) for x in tree.tree_levels(tree.leaf_digests(idc, balances))[-1][0])
    totals = tuple(int(t) for t in balances.astype(object).sum(axis=0))
    statement = Statement("2026-11", tuple((f"T{i}", 8) for i in range(a)), n, root, totals)
    return statement, Witness(idc, balances)


@pytest.fixture(scope="module")
def honest():
    statement, witness = make_round()
    air = SolvencyAir(statement, PARAMS.zk_rows)
    return air, witness, prove(air, trace_of(air, witness), PARAMS)


class Forged(SolvencyAir):
    """A cheating prover's AIR: its trace is the honest one, then `forge(air, trace)`."""

    def __init__(self, statement, forge):
        super().__init__(statement, PARAMS.zk_rows)
        self.forge = forge


def trace_of(air: SolvencyAir, witness) -> np.ndarray:
    """The honest trace, forged when `air` is a cheating prover's."""
    trace = build_main_trace(air, witness)
    if isinstance(air, Forged):
        air.forge(air, trace)
    return trace


def violated(air: SolvencyAir, trace: np.ndarray) -> set[str]:
    """Names of the AIR's own constraints (not LogUp's) that the active rows violate."""
    own = air.constraints()
    values = Program([c.expr for c in own]).evaluate(ARRAYS, trace_leaf(trace, None, [], []))
    rows = trace.shape[1]
    names = set()
    for c, v in zip(own, values):
        bad = np.asarray(v).reshape(rows, -1).any(axis=1) if isinstance(v, np.ndarray) else np.full(rows, v != 0)
        if c.kind == "boundary":
            hit = bad[c.row % rows]
        elif c.kind == "transition":
            hit = bad[:-1].any()
        else:
            hit = bad.any()
        if hit:
            names.add(c.name)
    return names


def lookups_balance(air: SolvencyAir, trace: np.ndarray) -> bool:
    """Whether the range lookups and the tree bus balance (LogUp sum zero) for fixed challenges."""
    protocol = Protocol(air, PARAMS)
    try:
        build_aux_trace(protocol.logup, trace, protocol.periodic, [Ext(123456789, 3), Ext(987654321, 5)])
    except UnbalancedInteractions:
        return False
    return True


def forged_trace(forge, statement=None, witness=None):
    statement, witness = (statement, witness) if statement else make_round()
    air = Forged(statement, forge)
    return air, trace_of(air, witness), witness


def assert_rejected(air, witness):
    with pytest.raises((ConstraintViolation, UnbalancedInteractions, ValueError)):
        prove(air, trace_of(air, witness), PARAMS)  # the honest prover refuses
    proof = prove(air, trace_of(air, witness), PARAMS, check=False)
    with pytest.raises(VerificationError):
        verify(SolvencyAir(air.statement, PARAMS.zk_rows), proof, PARAMS)


def set_balance(air, trace, leaf, asset, limbs):
    """Write a balance as chosen limbs; the lane is what those limbs compose to in the field."""
    chunk, lane = air.layout.asset_slot(asset)
    row = leaf * air.layout.chunks + chunk
    for t, limb in enumerate(limbs):
        trace[air.layout.cols.limbs[lane][t], row] = limb % P
    trace[air.layout.cols.state[lane], row] = sum(l << (16 * t) for t, l in enumerate(limbs)) % P


# -- the honest round -------------------------------------------------------------------------------------------


def test_honest_round_verifies(honest):
    air, _, proof = honest
    assert verify(SolvencyAir(air.statement, PARAMS.zk_rows), proof, PARAMS).trace_length == air.trace_length


def test_22_assets_multi_chunk_leaves_verify():
    statement, witness = make_round(n=4, a=22, seed=3)
    air = SolvencyAir(statement, PARAMS.zk_rows)
    assert air.layout.chunks == 4 and air.layout.total_rows == 3
    verify(air, prove(air, trace_of(air, witness), PARAMS), PARAMS)


def test_honest_trace_violates_nothing():
    statement, witness = make_round()
    air = SolvencyAir(statement, PARAMS.zk_rows)
    trace = trace_of(air, witness)
    assert violated(air, trace) == set()
    assert lookups_balance(air, trace)


# -- SPEC §6: statement-level rejections ------------------------------------------------------------------------


def test_total_off_by_one_base_unit_is_rejected(honest):
    air, _, proof = honest
    s = air.statement
    for delta in (1, -1):
        wrong = dataclasses.replace(s, totals=(s.totals[0] + delta,) + s.totals[1:])
        with pytest.raises(VerificationError):
            verify(SolvencyAir(wrong, PARAMS.zk_rows), proof, PARAMS)


def test_total_off_by_p_is_rejected(honest):
    """The integer total, not the total mod p: adding p must not pass."""
    air, _, proof = honest
    s = air.statement
    wrong = dataclasses.replace(s, totals=(s.totals[0] + P,) + s.totals[1:])
    with pytest.raises(VerificationError):
        verify(SolvencyAir(wrong, PARAMS.zk_rows), proof, PARAMS)


def test_root_off_by_one_bit_is_rejected(honest):
    air, _, proof = honest
    s = air.statement
    for element in range(4):
        root = list(s.root)
        root[element] ^= 1
        with pytest.raises(VerificationError):
            verify(SolvencyAir(dataclasses.replace(s, root=tuple(root)), PARAMS.zk_rows), proof, PARAMS)


def test_other_round_name_is_rejected(honest):
    air, _, proof = honest
    with pytest.raises(VerificationError):
        verify(SolvencyAir(dataclasses.replace(air.statement, round="2026-12"), PARAMS.zk_rows), proof, PARAMS)


def test_honest_prover_refuses_a_false_total():
    statement, witness = make_round()
    wrong = dataclasses.replace(statement, totals=(statement.totals[0] + 1,) + statement.totals[1:])
    with pytest.raises(ValueError, match="sum"):
        build_main_trace(SolvencyAir(wrong, PARAMS.zk_rows), witness)


def test_negative_balance_is_rejected():
    """p - 5 ("minus five") can only be written with limbs that either do not compose or are out of range."""
    def forge(air, trace):
        negative = P - 5
        set_balance(air, trace, 2, 0, [(negative >> (16 * t)) & 0xFFFF for t in range(4)])

    air, trace, witness = forged_trace(forge)
    # 16-bit limbs of p - 5 compose to p - 5 itself, but the top limb is 0xFFFF: not below 2^15.
    assert not lookups_balance(air, trace)
    assert_rejected(air, witness)


def test_balance_of_2_pow_63_is_rejected():
    def forge(air, trace):
        set_balance(air, trace, 1, 2, [0, 0, 0, 1 << 15])

    air, trace, witness = forged_trace(forge)
    assert not lookups_balance(air, trace)
    assert_rejected(air, witness)


def test_forged_limb_decomposition_is_rejected():
    """Limbs that compose to the right field element but one of them is not a 16-bit value."""
    def forge(air, trace):
        chunk, lane = air.layout.asset_slot(1)
        row = 3 * air.layout.chunks + chunk
        limbs = air.layout.cols.limbs[lane]
        trace[limbs[0], row] = int(trace[limbs[0], row]) + (1 << 16)
        trace[limbs[1], row] = (int(trace[limbs[1], row]) - 1) % P

    air, trace, witness = forged_trace(forge)
    assert violated(air, trace) == set()  # the composition still holds...
    assert not lookups_balance(air, trace)  # ...but a limb misses the range table
    assert_rejected(air, witness)


# -- each constraint family catches its forgery ------------------------------------------------------------------


def _permute_row(air, trace, row):
    """Recompute a row's S-box columns from its (possibly forged) input state, as a careful cheater would."""
    state = trace[air.layout.cols.state, row][None, :]
    _, full, partial = poseidon2_batch.permute_batch_with_sboxes(state)
    for r in range(p2.FULL_ROUNDS):
        trace[air.layout.cols.full[r], row] = full[0, r]
    trace[air.layout.cols.partial, row] = partial[0]


BUS = "the LogUp buses"  # caught by an unbalanced lookup or tree bus rather than by a row constraint
FORGERIES = {
    "S-box": (lambda air, t: t.__setitem__((air.layout.cols.full[3][5], 7), (int(t[air.layout.cols.full[3][5], 7]) + 1) % P),
              "full round 3 lane 5 S-box"),
    "partial S-box": (lambda air, t: t.__setitem__((air.layout.cols.partial[10], 2), 0), "partial round 10 S-box"),
    "leaf flag dropped": (lambda air, t: t.__setitem__((air.layout.cols.leaf_chunk[0], 2), 0),
                          "a leaf starts after a leaf"),
    "root flag on another node": (lambda air, t: t.__setitem__((air.layout.cols.root, air.layout.leaf_rows), 1), BUS),
    "heap ids swapped": (lambda air, t: t.__setitem__((air.layout.cols.heap_id, 1), N + 2), "leaf ids count up"),
    "accumulator bumped": (lambda air, t: t.__setitem__((air.layout.cols.acc_lo[0], 5), int(t[air.layout.cols.acc_lo[0], 5]) + 1),
                           "0: low sum accumulates"),
    "padding lane non-zero": (lambda air, t: t.__setitem__((air.layout.cols.state[7], 1), 9), "padding lane 7 is zero"),
    "totals row flag cleared": (lambda air, t: t.__setitem__((air.layout.cols.totals, air.layout.first_total_row), 0),
                                "totals row 0"),
    "node capacity": (lambda air, t: t.__setitem__((air.layout.cols.state[9], air.layout.leaf_rows), 3), "node capacity 1"),
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_constraint_family_catches_forgery(name):
    forge, expected = FORGERIES[name]
    air, trace, _ = forged_trace(forge)
    if expected == BUS:
        assert not lookups_balance(air, trace)
    else:
        assert expected in violated(air, trace)


def test_tree_bus_catches_a_rehashed_node():
    """A node hashing a forged child (its S-boxes recomputed honestly) is only caught by the Merkle bus."""
    def forge(air, trace):
        row = air.layout.leaf_rows  # the first node row: a bottom-level node
        trace[air.layout.cols.state[0], row] = (int(trace[air.layout.cols.state[0], row]) + 1) % P
        _permute_row(air, trace, row)

    air, trace, witness = forged_trace(forge)
    assert violated(air, trace) == set()
    assert not lookups_balance(air, trace)
    assert_rejected(air, witness)


def test_changed_leaf_balance_is_caught_by_the_root():
    """Lowering a user's balance (limbs and S-boxes consistent) changes the digests all the way up."""
    def forge(air, trace):
        chunk, lane = air.layout.asset_slot(2)
        row = 2 * air.layout.chunks + chunk
        value = int(trace[air.layout.cols.state[lane], row]) // 2
        set_balance(air, trace, 2, 2, [(value >> (16 * t)) & 0xFFFF for t in range(4)])
        _permute_row(air, trace, row)

    air, trace, witness = forged_trace(forge)
    assert violated(air, trace)  # accumulators and the rest of the tree no longer agree
    assert_rejected(air, witness)
