"""The liabilities AIR against cheating provers (SPEC §1, §6).

Each cheat builds the honest trace, then forges it the way a dishonest exchange would (recomputing whatever a
careful cheater can: S-boxes, accumulators, carries, the range table, the tree and the totals it then claims).
Two things are shown: which constraint or bus catches the forgery (evaluated on the trace rows, so a
constraint's necessity is visible), and that the verifier rejects the proof a prover makes anyway.

Layout (circuits.solvency.layout): chunk-major, segment k = rows [kN, (k+1)N) holds chunk k of every leaf.
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest

from circuits.air import with_values
from circuits.expr import Program
from circuits.field import Ext, P
from circuits.logup import RANGE_BUS, LogUpLayout
from circuits.solvency import SolvencyAir, Statement
from circuits.solvency import balances as balance_family
from circuits.solvency import totals as totals_family
from circuits.solvency.layout import Row
from circuits.solvency.sponge import SPONGE_BUS
from circuits.solvency.tree import MERKLE_BUS
from circuits.tree_hash import DIGEST_ELEMENTS, RATE
from prover.engine.array_algebra import ARRAYS, trace_leaf
from prover.engine.aux_trace import UnbalancedInteractions, build_aux_trace, columns_read
from prover.engine.prover import prove
from prover.engine.quotient import ConstraintViolation
from prover.engine.range_table import fill_range_table
from prover.engine import poseidon2_batch
from prover.exchange import tree
from prover.exchange.solvency_trace import Witness, build_main_trace
from verifier.stark.params import load_preset
from verifier.stark.protocol import Protocol
from verifier.stark.verify import VerificationError, verify

# The test preset gives about 24 bits; the library's default minimum is 100.
verify = functools.partial(verify, min_security=0)

PARAMS = load_preset("test")
N, A = 4, 3  # one chunk per leaf
MULTI = 22  # four chunks per leaf: segments [0, 4), [4, 8), [8, 12), [12, 16), nodes on rows 16..18
CHALLENGES = [Ext(123456789, 3), Ext(987654321, 5)]


def make_round(n=N, a=A, seed=1):
    rng = np.random.default_rng(seed)
    idc = rng.integers(0, P, (n, 4), dtype=np.uint64)
    balances = rng.integers(0, 1 << 62, (n, a), dtype=np.uint64)
    balances[0, 0] = (1 << 63) - 1  # the largest allowed balance
    balances[1, min(1, a - 1)] = 0
    root = tuple(int(x) for x in tree.tree_levels(tree.leaf_digests(idc, balances))[-1][0])
    totals = tuple(int(t) for t in balances.astype(object).sum(axis=0))
    statement = Statement("2026-11", tuple((f"T{i}", 8) for i in range(a)), n, root, totals)
    return statement, Witness(idc, balances)


def prove_honest(n=N, a=A, seed=1):
    statement, witness = make_round(n, a, seed)
    air = SolvencyAir(statement, PARAMS.zk_rows)
    return air, witness, prove(air, build_main_trace(air, witness), PARAMS)


@pytest.fixture(scope="module")
def honest():
    return prove_honest()


@pytest.fixture(scope="module")
def honest_multi():
    return prove_honest(a=MULTI, seed=3)


def forged(forge, n=N, a=A, seed=1):
    """(the cheater's AIR, the forged trace): the honest trace of a round, then `forge(air, trace)`, which may
    return the statement the cheater then claims (other totals or root); otherwise the honest one is claimed."""
    statement, witness = make_round(n, a, seed)
    air = SolvencyAir(statement, PARAMS.zk_rows)
    trace = build_main_trace(air, witness)
    claimed = forge(air, trace)
    return (SolvencyAir(claimed, PARAMS.zk_rows) if claimed else air), trace


def violated(air: SolvencyAir, trace: np.ndarray) -> set[str]:
    """Names of the AIR's own constraints (not LogUp's) that the active rows violate."""
    own = with_values(air.constraints(), air)
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


def lookups_balance(air: SolvencyAir, trace: np.ndarray, bus: int | None = None,
                    protocol: Protocol | None = None) -> bool:
    """Whether the range lookups and the buses (or only `bus`) balance (LogUp sum zero) for fixed challenges;
    `protocol`: the AIR's, when the caller has it (it takes longer to make than the check)."""
    protocol = protocol or Protocol(air, PARAMS)
    layout = protocol.logup if bus is None else LogUpLayout.of(
        [i for i in air.interactions() if i.bus == bus], air.max_degree)
    try:
        build_aux_trace(layout, trace, protocol.periodic, CHALLENGES)
    except UnbalancedInteractions:
        return False
    return True


def test_logup_columns_from_only_the_columns_they_read():
    """The prover keeps just the main columns LogUp reads (the rest of the trace is dropped before it commits):
    built from those alone, remapped, the LogUp columns are the same, balanced or not."""
    statement, witness = make_round(a=MULTI, seed=3)
    air = SolvencyAir(statement, PARAMS.zk_rows)
    layout = Protocol(air, PARAMS).logup
    trace = build_main_trace(air, witness)
    read = columns_read(layout)
    assert 0 < len(read) < air.main_width
    periodic = Protocol(air, PARAMS).periodic
    assert np.array_equal(build_aux_trace(layout, trace[read], periodic, CHALLENGES, read=read),
                          build_aux_trace(layout, trace, periodic, CHALLENGES))
    trace[read[-1], 0] += 1  # a column LogUp reads, changed: both builds see it
    for main, subset in ((trace, None), (trace[read], read)):
        with pytest.raises(UnbalancedInteractions):
            build_aux_trace(layout, main, periodic, CHALLENGES, read=subset)


def unbalanced_buses(air, trace) -> set[str]:
    names = {RANGE_BUS: "range", MERKLE_BUS: "merkle", SPONGE_BUS: "sponge"}
    present = {i.bus for i in air.interactions()}  # one chunk per leaf: no sponge bus
    return {name for bus, name in names.items() if bus in present and not lookups_balance(air, trace, bus)}


def assert_rejected(air, trace, statement=None):
    """The honest prover refuses the trace; the proof a cheater makes anyway fails verification (against the
    statement it claims, or `statement`)."""
    with pytest.raises((ConstraintViolation, UnbalancedInteractions, ValueError)):
        prove(air, trace.copy(), PARAMS)
    proof = prove(air, trace.copy(), PARAMS, check=False)
    with pytest.raises(VerificationError):
        verify(SolvencyAir(statement or air.statement, PARAMS.zk_rows), proof, PARAMS)


# -- what a careful cheater recomputes ----------------------------------------------------------------------------


def permute_rows(air, trace, rows):
    """Recompute rows' S-box columns from their (possibly forged) input states."""
    c = air.layout.cols
    rows = np.atleast_1d(rows)
    state = np.ascontiguousarray(trace[c.state][:, rows].T)
    _, columns = poseidon2_batch.permute_batch_with_sboxes(state)
    trace[np.ix_(range(poseidon2_batch.SBOX_COLUMNS), rows)] = columns  # the inputs, then every S-box output


def output(air, trace, row):
    c = air.layout.cols
    return poseidon2_batch.permute_batch(np.ascontiguousarray(trace[c.state, row][None, :]))[0]


def set_balance(air, trace, leaf, asset, limbs):
    """Write a balance as chosen limbs; the lane is what those limbs compose to in the field."""
    chunk, lane = air.layout.asset_slot(asset)
    row = air.layout.leaf_row(leaf, chunk)
    for t, limb in enumerate(limbs):
        trace[air.layout.cols.limbs[lane][t], row] = limb % P
    trace[air.layout.cols.state[lane], row] = sum(l << (16 * t) for t, l in enumerate(limbs)) % P


def lane_multiplicities(air, trace) -> np.ndarray:
    """(8, rows): where each lane is range-checked (and counted), as the AIR's flags say."""
    lc = trace[air.layout.cols.leaf_chunk].astype(np.int64)
    return np.array([lc[[k for k in range(air.layout.chunks) if k or lane >= DIGEST_ELEMENTS]].sum(axis=0)
                     for lane in range(RATE)])


def rebuild_sums(air, trace, restarts=()) -> tuple[int, ...]:
    """The cheater's accumulators and carries, from the trace's limbs and seg_end column, also restarting after
    the `restarts` rows; returns the totals they imply (read where the AIR checks them)."""
    layout, c = air.layout, air.layout.cols
    rows = trace.shape[1]
    restart = trace[c.seg_end].astype(bool)
    restart[list(restarts)] = True
    m = lane_multiplicities(air, trace)
    for lane in range(RATE):
        limbs = [trace[col].astype(np.int64) for col in c.limbs[lane]]
        halves = (limbs[0] + (limbs[1] << 16), limbs[2] + (limbs[3] << 16))
        for acc_col, half in zip((c.acc_lo[lane], c.acc_hi[lane]), halves):
            acc, running = np.zeros(rows, dtype=np.uint64), 0
            for r in range(rows):
                running = (0 if r and restart[r - 1] else running) + int(m[lane, r]) * int(half[r])
                acc[r] = running
            trace[acc_col] = acc
        q = trace[c.acc_lo[lane]] >> np.uint64(32)
        trace[c.carry_lo[lane]] = q & np.uint64(0xFFFF)
        trace[c.carry_hi[lane]] = q >> np.uint64(16)
    claimed = []
    for j in range(layout.assets):
        chunk, lane = layout.asset_slot(j)
        e = layout.segment_end(chunk)
        claimed.append(int(trace[c.acc_lo[lane], e]) + (int(trace[c.acc_hi[lane], e]) << 32))
    return tuple(claimed)


def refill_range_table(air, trace, lookups=None):
    """The range table's multiplicities for every value the trace looks up (those below 2^16: no table can hold
    the others); `lookups`: the range interactions, the liabilities AIR's by default."""
    if lookups is None:
        lookups = balance_family.interactions(Row(air.layout)) + totals_family.interactions(Row(air.layout))
    exprs = [e for i in lookups for e in (i.values[0], i.multiplicity)]
    values = Program(exprs).evaluate(ARRAYS, trace_leaf(trace, None, [], []))
    rows = trace.shape[1]
    looked_up = []
    for v, m in zip(values[0::2], values[1::2]):
        v, m = np.broadcast_to(np.asarray(v, dtype=np.uint64), rows), np.broadcast_to(np.asarray(m), rows)
        looked_up.append(np.repeat(v, m.astype(np.int64)))
    looked_up = np.concatenate(looked_up)
    fill_range_table(trace, air.layout.table, looked_up[looked_up < (1 << 16)])


def rehash_tree(air, trace) -> tuple[int, ...]:
    """Recompute the node rows over the leaf digests the trace's last chunks output; returns the new root."""
    layout, c = air.layout, air.layout.cols
    n = layout.leaves
    last = [layout.leaf_row(i, layout.chunks - 1) for i in range(n)]
    digests = poseidon2_batch.permute_batch(np.ascontiguousarray(trace[c.state][:, last].T))[:, :DIGEST_ELEMENTS]
    levels = tree.tree_levels(np.ascontiguousarray(digests))
    for children in levels[:-1]:
        ids = np.arange(len(children) // 2, len(children))
        rows = layout.leaf_rows + (n - 1 - ids)
        trace[np.ix_(c.state[:DIGEST_ELEMENTS], rows)] = children[0::2].T
        trace[np.ix_(c.state[DIGEST_ELEMENTS:RATE], rows)] = children[1::2].T
    permute_rows(air, trace, np.arange(layout.leaf_rows, layout.leaf_rows + n - 1))
    return tuple(int(x) for x in levels[-1][0])


def set_capacity(air, trace, leaf, chunk, capacity):
    """Give a leaf's chunk another input capacity, and carry the consequences through its later chunks."""
    c = air.layout.cols
    for k in range(chunk, air.layout.chunks):
        row = air.layout.leaf_row(leaf, k)
        trace[c.state[RATE:], row] = capacity
        permute_rows(air, trace, row)
        capacity = output(air, trace, row)[RATE:]


def recompute_seg_end(air, trace):
    """seg_end as its definition reads the (forged) flags: a careful cheater keeps the transition satisfied."""
    lc = trace[air.layout.cols.leaf_chunk].astype(np.int64)
    seg_end = np.zeros(trace.shape[1], dtype=np.uint64)
    seg_end[:-1] = (lc[:, :-1] * (1 - lc[:, 1:])).sum(axis=0)
    trace[air.layout.cols.seg_end] = seg_end


# -- the honest round -------------------------------------------------------------------------------------------


def test_honest_round_verifies(honest):
    air, _, proof = honest
    assert verify(SolvencyAir(air.statement, PARAMS.zk_rows), proof, PARAMS).trace_length == air.trace_length


def test_22_assets_multi_chunk_leaves_verify(honest_multi):
    air, _, proof = honest_multi
    assert air.layout.chunks == 4
    verify(SolvencyAir(air.statement, PARAMS.zk_rows), proof, PARAMS)


def test_honest_trace_violates_nothing():
    for a in (A, MULTI):
        statement, witness = make_round(a=a)
        air = SolvencyAir(statement, PARAMS.zk_rows)
        trace = build_main_trace(air, witness)
        assert violated(air, trace) == set()
        assert lookups_balance(air, trace)


def test_the_layout_is_chunk_major_and_the_width_does_not_grow_with_assets():
    """Segment k = rows [kN, (k+1)N), seg_end on each segment's last row only, leaf ids N .. 2N-1 per segment; the
    width differs between asset counts only by the chunk flags."""
    statement, witness = make_round(a=MULTI)
    air = SolvencyAir(statement, PARAMS.zk_rows)
    layout, c = air.layout, air.layout.cols
    trace = build_main_trace(air, witness)
    for k in range(layout.chunks):
        assert list(np.flatnonzero(trace[c.leaf_chunk[k]])) == list(range(k * N, (k + 1) * N))
        assert list(trace[c.heap_id, k * N:(k + 1) * N]) == list(range(N, 2 * N))
    assert list(np.flatnonzero(trace[c.seg_end])) == [layout.segment_end(k) for k in range(layout.chunks)]
    assert list(np.flatnonzero(trace[c.node])) == list(range(4 * N, 5 * N - 1))
    widths = {a: SolvencyAir(make_round(a=a)[0], PARAMS.zk_rows) for a in (1, 4, 5, MULTI, 200)}
    assert len({x.main_width - x.layout.chunks for x in widths.values()}) == 1
    assert widths[200].layout.chunks == 26 and widths[200].main_width - widths[MULTI].main_width == 22


def test_the_cheaters_tools_reproduce_the_honest_trace():
    """The forgeries below recompute accumulators, carries, the range table and the tree as the AIR defines them;
    on an honest trace these recomputations change nothing, so each forgery changes only what it says."""
    statement, witness = make_round(a=MULTI)
    air = SolvencyAir(statement, PARAMS.zk_rows)
    trace = build_main_trace(air, witness)
    again = trace.copy()
    recompute_seg_end(air, again)
    assert rebuild_sums(air, again) == statement.totals
    refill_range_table(air, again)
    assert rehash_tree(air, again) == statement.root
    c = air.layout.cols
    carries = c.carry_lo + c.carry_hi
    ends = [air.layout.segment_end(k) for k in range(air.layout.chunks)]
    again[np.ix_(carries, [r for r in range(trace.shape[1]) if r not in ends])] = 0  # off the ends: unconstrained
    assert (again == trace).all()


def test_200_assets_in_26_chunks_verify_and_bind_every_total():
    air, witness, proof = prove_honest(a=200, seed=5)
    assert air.layout.chunks == 26
    verify(SolvencyAir(air.statement, PARAMS.zk_rows), proof, PARAMS)
    trace = build_main_trace(air, witness)
    for j in (0, 100, 199):  # first, a middle and the last chunk
        s = air.statement
        wrong = dataclasses.replace(s, totals=s.totals[:j] + (s.totals[j] + 1,) + s.totals[j + 1:])
        assert violated(SolvencyAir(wrong, PARAMS.zk_rows), trace) & {f"asset {j}: low sum matches the total",
                                                                       f"asset {j}: high sum matches the total"}
        with pytest.raises(VerificationError):
            verify(SolvencyAir(wrong, PARAMS.zk_rows), proof, PARAMS)


# -- SPEC §6: statement-level rejections ------------------------------------------------------------------------


def test_total_off_by_one_base_unit_is_rejected(honest):
    air, _, proof = honest
    s = air.statement
    for delta in (1, -1):
        wrong = dataclasses.replace(s, totals=(s.totals[0] + delta,) + s.totals[1:])
        with pytest.raises(VerificationError):
            verify(SolvencyAir(wrong, PARAMS.zk_rows), proof, PARAMS)


@pytest.mark.parametrize("j", [0, 4, 12, 21])  # chunks 0 (first), 1, 2 (middle) and 3 (last)
def test_total_off_by_one_in_each_chunk_is_caught_at_its_segment_end(honest_multi, j):
    air, witness, proof = honest_multi
    s = air.statement
    assert air.layout.asset_slot(j)[0] == [0, 4, 12, 21].index(j)
    trace = build_main_trace(air, witness)
    for delta in (1, -1):
        wrong = dataclasses.replace(s, totals=s.totals[:j] + (s.totals[j] + delta,) + s.totals[j + 1:])
        caught = violated(SolvencyAir(wrong, PARAMS.zk_rows), trace)
        assert caught and caught <= {f"asset {j}: low sum matches the total", f"asset {j}: high sum matches the total"}
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

    air, trace = forged(forge)
    # 16-bit limbs of p - 5 compose to p - 5 itself, but the top limb is 0xFFFF: not below 2^15.
    assert not lookups_balance(air, trace)
    assert_rejected(air, trace)


def test_balance_of_2_pow_63_is_rejected():
    air, trace = forged(lambda air, trace: set_balance(air, trace, 1, 2, [0, 0, 0, 1 << 15]))
    assert not lookups_balance(air, trace)
    assert_rejected(air, trace)


def test_forged_limb_decomposition_is_rejected():
    """Limbs that compose to the right field element but one of them is not a 16-bit value."""
    def forge(air, trace):
        chunk, lane = air.layout.asset_slot(1)
        row = air.layout.leaf_row(3, chunk)
        limbs = air.layout.cols.limbs[lane]
        trace[limbs[0], row] = int(trace[limbs[0], row]) + (1 << 16)
        trace[limbs[1], row] = (int(trace[limbs[1], row]) - 1) % P

    air, trace = forged(forge)
    assert violated(air, trace) == set()  # the composition still holds...
    assert not lookups_balance(air, trace)  # ...but a limb misses the range table
    assert_rejected(air, trace)


# -- each constraint family catches its forgery ------------------------------------------------------------------


def poke(column, row, value):
    """A forgery writing `value` (or value(old)) into one cell; `column` and `row` may depend on the layout."""
    def forge(air, trace):
        col = column(air.layout.cols) if callable(column) else column
        r = row(air.layout) if callable(row) else row
        trace[col, r] = (value(int(trace[col, r])) if callable(value) else value) % P
    return forge


def move_flag(rows, old, new):
    """Rows `rows` change from chunk flag lc_old to lc_new, seg_end recomputed to match."""
    def forge(air, trace):
        trace[air.layout.cols.leaf_chunk[old], rows] = 0
        trace[air.layout.cols.leaf_chunk[new], rows] = 1
        recompute_seg_end(air, trace)
    return forge


BUS = "the LogUp buses"  # caught by an unbalanced lookup or bus rather than by a row constraint
FORGERIES = {  # name: (forgery, what catches it, assets)
    "S-box": (poke(lambda c: c.full[3][5], 7, lambda x: x + 1), "full round 3 lane 5 S-box", A),
    "partial S-box": (poke(lambda c: c.partial[10], 2, 0), "partial round 10 S-box", A),
    "leaf flag dropped": (poke(lambda c: c.leaf_chunk[0], 2, 0), "lc_0 is followed by lc_0 or a node", A),
    "chunk flag dropped": (poke(lambda c: c.leaf_chunk[1], N + 1, 0), "lc_1 is followed by lc_1 or lc_2", MULTI),
    "chunk flag swapped": (move_flag(N + 1, 1, 2), "lc_1 follows lc_1 or lc_0", MULTI),
    "segment ended early": (move_flag([N - 2, N - 1], 0, 1), "lc_0 on the last row of segment 0", MULTI),
    "segment started late": (move_flag(2 * N, 2, 1), "lc_2 on the first row of segment 2", MULTI),
    "leaf restarted among the fillers": (poke(lambda c: c.leaf_chunk[0], 3 * N, 1), "lc_0 starts only on row 0", A),
    "node among the fillers": (poke(lambda c: c.node, 3 * N, 1), "a node follows a node or the last chunk", A),
    "root flag on another node": (poke(lambda c: c.root, lambda lay: lay.leaf_rows, 1), BUS, A),
    "heap ids swapped": (poke(lambda c: c.heap_id, 1, N + 2), "leaf ids count up within a segment", A),
    "segment's first id": (poke(lambda c: c.heap_id, 2 * N, N + 1), "segment 2 starts with leaf id N", MULTI),
    "accumulator bumped": (poke(lambda c: c.acc_lo[4], 2, lambda x: x + 1), "lane 4: low sum accumulates", A),
    "padding lane non-zero": (poke(lambda c: c.state[7], 1, 9), "padding lane 7 is zero", A),
    "leaf capacity": (poke(lambda c: c.state[9], 0, 3), "leaf capacity 1", MULTI),
    "node capacity": (poke(lambda c: c.state[9], lambda lay: lay.leaf_rows, 3), "node capacity 1", A),
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_constraint_family_catches_forgery(name):
    forge, expected, assets = FORGERIES[name]
    air, trace = forged(forge, a=assets)
    if expected == BUS:
        assert not lookups_balance(air, trace)
    else:
        assert expected in violated(air, trace)


@pytest.mark.parametrize("name", ["leaf restarted among the fillers", "segment ended early", "chunk flag swapped"])
def test_a_proof_of_a_forged_layout_is_rejected(name):
    forge, _, assets = FORGERIES[name]
    assert_rejected(*forged(forge, a=assets))


def test_tree_bus_catches_a_rehashed_node():
    """A node hashing a forged child (its S-boxes recomputed honestly) is only caught by the Merkle bus."""
    def forge(air, trace):
        row = air.layout.leaf_rows  # the first node row: a bottom-level node
        trace[air.layout.cols.state[0], row] = (int(trace[air.layout.cols.state[0], row]) + 1) % P
        permute_rows(air, trace, row)

    air, trace = forged(forge)
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"merkle"}
    assert_rejected(air, trace)


def test_changed_leaf_balance_is_caught_by_the_root():
    """Lowering a user's balance (limbs and S-boxes consistent) changes the digests all the way up."""
    def forge(air, trace):
        chunk, lane = air.layout.asset_slot(2)
        row = air.layout.leaf_row(2, chunk)
        value = int(trace[air.layout.cols.state[lane], row]) // 2
        set_balance(air, trace, 2, 2, [(value >> (16 * t)) & 0xFFFF for t in range(4)])
        permute_rows(air, trace, row)

    air, trace = forged(forge)
    assert violated(air, trace)  # accumulators and the rest of the tree no longer agree
    assert_rejected(air, trace)


# -- segment ends: the seg_end selector ---------------------------------------------------------------------------


def test_an_extra_segment_end_is_caught():
    """seg_end raised mid-segment restarts the accumulators there: the cheater's totals for chunk 1's assets
    leave out leaves 0 and 1. Everything else is recomputed to match; only seg_end's definition catches it."""
    def forge(air, trace):
        trace[air.layout.cols.seg_end, N + 1] = 1
        claimed = rebuild_sums(air, trace)
        refill_range_table(air, trace)
        assert claimed[4] < air.statement.totals[4]
        return dataclasses.replace(air.statement, totals=claimed)

    air, trace = forged(forge, a=MULTI)
    assert violated(air, trace) == {"seg_end marks the segment ends"}
    assert lookups_balance(air, trace)
    assert_rejected(air, trace)


def test_a_dropped_segment_end_is_caught():
    """seg_end cleared on segment 0's last row carries its sums into segment 1: chunk 1's totals overstate (and
    segment 0's carries escape their range checks). Only seg_end's definition catches it."""
    def forge(air, trace):
        trace[air.layout.cols.seg_end, N - 1] = 0
        claimed = rebuild_sums(air, trace)
        refill_range_table(air, trace)
        assert claimed[8] > air.statement.totals[8]  # chunk 1's lane 4 carries on chunk 0's (asset 0's)
        return dataclasses.replace(air.statement, totals=claimed)

    air, trace = forged(forge, a=MULTI)
    assert violated(air, trace) == {"seg_end marks the segment ends"}
    assert lookups_balance(air, trace)
    assert_rejected(air, trace)


def test_seg_end_on_the_last_active_row_cannot_cancel_an_out_of_range_limb():
    """No transition defines seg_end on the last active row. Were it free, seg_end = -1 there would turn that row's
    carry lookups into table entries: an out-of-range limb elsewhere would be "found". Its boundary catches it."""
    def forge(air, trace):
        layout, c = air.layout, air.layout.cols
        chunk, lane = layout.asset_slot(1)
        row = layout.leaf_row(3, chunk)
        trace[c.limbs[lane][0], row] = int(trace[c.limbs[lane][0], row]) + (1 << 16)  # not a 16-bit value
        trace[c.limbs[lane][1], row] = (int(trace[c.limbs[lane][1], row]) - 1) % P
        refill_range_table(air, trace)  # every in-range value counted: the forged limb is missing from the table
        last = trace.shape[1] - 1
        trace[c.seg_end, last] = P - 1
        trace[c.carry_lo[0], last] = trace[c.limbs[lane][0], row]
        # The row's other carry lookups (carry_lo of lanes 1..7, and every carry_hi and carry_hi + 2^15, all of
        # zeros) are taken out of the table's multiplicities to match.
        for value in [0] * (2 * RATE - 1) + [1 << 15] * RATE:
            column, offset = divmod(value, layout.table.span)
            cell = layout.table.multiplicity_columns[column], offset
            trace[cell] = (int(trace[cell]) - 1) % P

    air, trace = forged(forge)
    assert violated(air, trace) == {"seg_end is 0 on the last active row"}
    assert lookups_balance(air, trace)
    assert_rejected(air, trace)


# -- the sponge bus: a leaf's chunks are chained ------------------------------------------------------------------


def test_a_chunk_receiving_another_leafs_capacity_is_caught_by_the_sponge_bus():
    """Leaf 0's chunks 1.. continue leaf 1's chunk 0: the tree (recomputed, its root claimed) commits to a leaf
    that is not the one whose first balances the totals count. Only the sponge bus catches it."""
    def forge(air, trace):
        capacity = output(air, trace, air.layout.leaf_row(1, 0))[RATE:]
        set_capacity(air, trace, 0, 1, capacity)
        return dataclasses.replace(air.statement, root=rehash_tree(air, trace))

    air, trace = forged(forge, a=MULTI)
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"sponge"}
    assert_rejected(air, trace)


def test_a_chunk_receiving_another_chunks_capacity_is_caught_by_the_sponge_bus():
    """Leaf 0's chunk 2 continues its chunk 0, skipping chunk 1 (whose balances are counted but not hashed)."""
    def forge(air, trace):
        capacity = output(air, trace, air.layout.leaf_row(0, 0))[RATE:]
        set_capacity(air, trace, 0, 2, capacity)
        return dataclasses.replace(air.statement, root=rehash_tree(air, trace))

    air, trace = forged(forge, a=MULTI)
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"sponge"}
    assert_rejected(air, trace)


def test_a_chunk_cut_from_its_leaf_cannot_understate_a_total():
    """The cheater zeroes a balance in leaf 2's chunk 0 (so the totals drop) but keeps the capacity its chunk 1
    received from the real chunk 0 (so the leaf digest and the root stay those of the real balance)."""
    def forge(air, trace):
        set_balance(air, trace, 2, 0, [0, 0, 0, 0])
        permute_rows(air, trace, air.layout.leaf_row(2, 0))
        claimed = rebuild_sums(air, trace)
        refill_range_table(air, trace)
        assert claimed[0] < air.statement.totals[0]
        return dataclasses.replace(air.statement, totals=claimed)

    air, trace = forged(forge, a=MULTI)
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"sponge"}
    assert_rejected(air, trace)


# -- per-lane accumulators and carries ---------------------------------------------------------------------------


def test_an_accumulator_reset_mid_segment_is_caught():
    """The cheater restarts every lane's sums after row N+1 (seg_end untouched) and claims the smaller totals."""
    def forge(air, trace):
        claimed = rebuild_sums(air, trace, restarts=[N + 1])
        refill_range_table(air, trace)
        return dataclasses.replace(air.statement, totals=claimed)

    air, trace = forged(forge, a=MULTI)
    caught = violated(air, trace)
    assert caught and all(name.endswith("sum accumulates") for name in caught)
    assert lookups_balance(air, trace)
    assert_rejected(air, trace)


def test_a_forged_carry_is_caught():
    def forge(air, trace):
        lane = air.layout.asset_slot(0)[1]
        trace[air.layout.cols.carry_lo[lane], N - 1] += np.uint64(1)
        refill_range_table(air, trace)

    air, trace = forged(forge, a=MULTI)
    assert violated(air, trace) == {"asset 0: low sum matches the total", "asset 0: high sum matches the total"}
    assert lookups_balance(air, trace)
    assert_rejected(air, trace)


def test_a_carry_of_2_pow_31_or_more_cannot_claim_a_total_off_by_p():
    """With q' = q - 1 + 2^32 (so carry_hi >= 2^15), 2^32 q' wraps mod p and both total checks hold for the
    total T + p. Only the range check of carry_hi + 2^15 catches it."""
    def forge(air, trace):
        layout, c = air.layout, air.layout.cols
        for j, total in enumerate(air.statement.totals):
            chunk, lane = layout.asset_slot(j)
            e = layout.segment_end(chunk)
            q = int(trace[c.carry_lo[lane], e]) + (int(trace[c.carry_hi[lane], e]) << 16)
            if q >= 1 and total % (1 << 32) != (1 << 32) - 1:
                break
        else:
            raise AssertionError("no asset with a carry")
        forged_q = q - 1 + (1 << 32)
        trace[c.carry_lo[lane], e] = forged_q & 0xFFFF
        trace[c.carry_hi[lane], e] = forged_q >> 16
        refill_range_table(air, trace)
        totals = list(air.statement.totals)
        totals[j] += P
        return dataclasses.replace(air.statement, totals=tuple(totals))

    air, trace = forged(forge, a=MULTI)
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"range"}
    assert_rejected(air, trace)
