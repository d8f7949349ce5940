"""The margin AIR (circuits.margin) against cheating provers (SPEC §1 "Margin policy", §6).

As in test_solvency_air: each cheat builds a trace the honest builder would refuse (or forges the honest one),
recomputing whatever a careful cheater can (the margin columns for its own slot values, the range and band tables,
the tree); the test names the constraint or bus that catches it and shows the verifier rejecting the proof the
cheater makes anyway.

Round: 4 leaves, assets BTC, ETH (tiered haircuts) and SHIB (no tiers: its collateral counts nothing), one
collateral kind; 13 slots, so two chunks per leaf and the value sums ride the sponge bus.
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest

from circuits.expr import Program
from circuits.field import P
from circuits.logup import RANGE_BUS
from circuits.margin import MarginAir, MarginStatement, Policy
from circuits.margin.layout import SLOPE_POSITIONS, START_POSITIONS
from circuits.margin.policy import MAX_PRICE, MAX_TOP, collateral_bands, haircut_value
from circuits.margin.values import BAND_BUS, CARRY_OFFSET
from circuits.solvency.sponge import SPONGE_BUS
from circuits.tree_hash import DIGEST_ELEMENTS, RATE
from prover.engine.array_algebra import ARRAYS, trace_leaf
from prover.engine.aux_trace import UnbalancedInteractions
from prover.engine.prover import prove
from prover.engine.quotient import ConstraintViolation
from prover.exchange import tree
from prover.exchange.margin_trace import MarginWitness, build_margin_trace, fill_margin
from prover.exchange.solvency_trace import build_rows
from tests.circuits.test_solvency_air import PARAMS, lookups_balance, violated
from tests.circuits.test_solvency_air import refill_range_table as solvency_refill
from verifier.stark.protocol import Protocol
from verifier.stark.verify import VerificationError, verify

verify = functools.partial(verify, min_security=0)

N = 4
USD = 10 ** 16  # value units: scale 16 (8-decimal prices of 8-decimal amounts)
TIERS = ((10_000 * USD, 100), (20_000 * USD, 90), (50_000 * USD, 50))
PRICES = (6_510_022_000_000, 362_056_000_000, 1_797)  # BTC 65100.22, ETH 3620.56, SHIB 0.00001797 USD
POLICY = Policy(16, PRICES, ("loan",), ((TIERS,), (TIERS,), ((),)))
ASSETS = (("BTC", 8), ("ETH", 8), ("SHIB", 8))
BTC, ETH, SHIB = 0, 1, 2
F, D, C = 0, 1, 2  # slot offsets within an asset


def slot(j, i):
    return j * POLICY.slots_per_asset + i


def max_debt(policy, row, j):
    """The most debt of asset j (base units) that row's collateral covers, other debts as they are."""
    cover = sum(haircut_value(policy.prices[a], policy.tiers[a][0], int(row[slot(a, C)]))
                - 100 * policy.prices[a] * int(row[slot(a, D)]) * (a != j) for a in range(len(policy.prices)))
    return cover // (100 * policy.prices[j])


def honest_slots(seed=1):
    rng = np.random.default_rng(seed)
    slots = np.zeros((N, 9), dtype=np.uint64)
    for i in range(N):
        for j, top in ((BTC, 10**8), (ETH, 10**9), (SHIB, 10**14)):
            slots[i, slot(j, F)], slots[i, slot(j, C)] = rng.integers(0, top), rng.integers(0, top)
        slots[i, slot(ETH, D)] = max_debt(POLICY, slots[i], ETH) // 2
        slots[i, slot(BTC, D)] = max_debt(POLICY, slots[i], BTC)  # exactly at the limit
    return slots


def statement_for(idc, slots, policy=POLICY):
    """The statement a prover claims for these leaves (totals as the slots sum over the integers, with slot values
    read as field elements' integers)."""
    root = tuple(int(x) for x in tree.tree_levels(tree.leaf_digests(idc, slots))[-1][0])
    t = [int(x) for x in slots.astype(object).sum(axis=0)]
    k = policy.slots_per_asset
    a = len(policy.prices)
    return MarginStatement("2026-11", ASSETS[:a] if a <= 3 else tuple((f"T{j}", 8) for j in range(a)), N, root,
                           tuple(t[k * j + F] + sum(t[k * j + C:k * j + k]) for j in range(a)),
                           tuple(t[k * j + D] for j in range(a)),
                           tuple(tuple(t[k * j + C:k * j + k]) for j in range(a)), policy)


def make_round(slots=None, policy=POLICY):
    idc = np.random.default_rng(7).integers(0, P, (N, 4), dtype=np.uint64)
    slots = honest_slots() if slots is None else slots
    return statement_for(idc, slots, policy), MarginWitness(idc, slots)


@pytest.fixture(scope="module")
def honest():
    statement, witness = make_round()
    air = MarginAir(statement, PARAMS.zk_rows)
    trace = build_margin_trace(air, witness)
    return air, trace, prove(air, trace.copy(), PARAMS)


# -- what a careful cheater recomputes --------------------------------------------------------------------------


def range_interactions(air):
    own = [i for i in air.interactions() if i.bus == RANGE_BUS]
    return own[:-len(air.layout.table.multiplicity_columns)]  # the table's own receives come last


def refill_range_table(air, trace):
    """The range table's multiplicities for every value the margin trace looks up."""
    solvency_refill(air, trace, range_interactions(air))


def cheat_trace(air, witness):
    """The trace the honest builder would write for these leaves, without its checks (solvency, totals, range)."""
    levels = tree.tree_levels(tree.leaf_digests(witness.idc, witness.slots))
    trace, _ = build_rows(air.layout, air.main_width, witness.idc, witness.slots, levels)
    fill_margin(air, trace, [])
    refill_range_table(air, trace)
    return trace


def band_rows(air, trace):
    """Per lane and leaf row, the band tuple the lane looks up, as field elements."""
    rows = air.layout.leaf_rows
    lookups = [i for i in air.interactions() if i.bus == BAND_BUS][:-1]
    values = Program([v for i in lookups for v in i.values]).evaluate(ARRAYS, trace_leaf(trace, None, [], []))
    width = len(lookups[0].values)
    return [np.stack([np.broadcast_to(np.asarray(v, dtype=np.uint64), trace.shape[1])[:rows]
                      for v in values[lane * width:(lane + 1) * width]], axis=1) for lane in range(RATE)]


def refill_band_table(air, trace):
    """Count each table entry as often as the lanes look it up (lookups of tuples not in the table stay unmatched)."""
    table = {tuple(x % P for x in entry): e for e, entry in enumerate(air.table[:len(air.statement.policy.bands())])}
    counts = np.zeros(len(table), dtype=np.uint64)
    for tuples in band_rows(air, trace):
        for t in map(tuple, tuples.tolist()):
            if t in table:
                counts[table[t]] += 1
    col = air.layout.margin.band_multiplicity
    trace[col] = 0
    trace[col, :len(counts)] = counts


def normalize(m, trace, row, acc):
    """Write the digits and carries of the value sums `acc` (integers) on `row`, the top carry's last limb taking
    the rest (so a negative top carry is no limb)."""
    below = 0
    for p in range(len(acc)):
        total = acc[p] + below
        digit, below = total & 0xFFFF, total >> 16
        stored = (below + (CARRY_OFFSET if p < len(acc) - 1 else 0)) % P
        trace[m.digit[p], row] = digit
        for t, col in enumerate(m.carry[p]):
            trace[col, row] = stored >> (16 * t) if t == len(m.carry[p]) - 1 else (stored >> (16 * t)) & 0xFFFF


def top_carry(m, trace, row):
    return sum(int(trace[col, row]) << (16 * t) for t, col in enumerate(m.carry[-1]))


def resum(air, trace):
    """The value sums, digits and carries as the AIR defines them from the trace's band columns and u limbs."""
    layout, m = air.layout, air.layout.margin
    n, chunks = layout.leaves, layout.chunks
    signed = lambda v: int(v) - P if int(v) > P // 2 else int(v)  # noqa: E731
    for leaf in range(n):
        acc = [0] * len(m.acc)
        for k in range(chunks):
            row = layout.leaf_row(leaf, k)
            for lane in range(RATE):
                u = [int(trace[c, row]) for c in m.u[lane]]
                s = [signed(trace[c, row]) for c in m.slope[lane]]
                for i in range(len(u)):
                    for position, digit in zip(SLOPE_POSITIONS, s):
                        acc[i + position] += u[i] * digit
                for position, c in zip(START_POSITIONS, m.start[lane]):
                    acc[position] += signed(trace[c, row])
            for p, c in enumerate(m.acc):
                trace[c, row] = acc[p] % P
        normalize(m, trace, row, acc)


def claim_band(air, trace, leaf, j, i, band):
    """Make the lane holding slot (j, i) of `leaf` look up `band` (a policy.Band), with u and w as it implies."""
    layout, m = air.layout, air.layout.margin
    chunk, lane = divmod(DIGEST_ELEMENTS + slot(j, i), RATE)
    row = layout.leaf_row(leaf, chunk)
    x = int(trace[layout.cols.state[lane], row])
    entry = [v % P for v in band.row()]
    for col, v in zip(m.start[lane] + m.slope[lane], entry[3:]):
        trace[col, row] = v
    for cols, value in ((m.u[lane], (x - band.lo) % P), (m.w[lane], (band.hi - x) % P)):
        for t, col in enumerate(cols):
            trace[col, row] = (value >> (16 * t)) & 0xFFFF
    resum(air, trace)
    refill_band_table(air, trace)
    refill_range_table(air, trace)


def unbalanced_buses(air, trace) -> set[str]:
    names = {RANGE_BUS: "range", SPONGE_BUS: "sponge", BAND_BUS: "band"}
    protocol = Protocol(air, PARAMS)
    return {name for bus, name in names.items() if not lookups_balance(air, trace, bus, protocol)}


def assert_rejected(air, trace, statement=None):
    with pytest.raises((ConstraintViolation, UnbalancedInteractions, ValueError)):
        prove(air, trace.copy(), PARAMS)
    proof = prove(air, trace.copy(), PARAMS, check=False)
    with pytest.raises(VerificationError):
        verify(MarginAir(statement or air.statement, PARAMS.zk_rows), proof, PARAMS)


# -- the honest round -------------------------------------------------------------------------------------------


def test_honest_round_verifies(honest):
    air, trace, proof = honest
    verify(MarginAir(air.statement, PARAMS.zk_rows), proof, PARAMS)
    assert air.layout.chunks == 2 and air.name == "por/margin/2"


def test_honest_trace_violates_nothing_and_the_cheaters_tools_reproduce_it(honest):
    air, trace, _ = honest
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == set()
    again = trace.copy()
    resum(air, again)
    refill_band_table(air, again)
    refill_range_table(air, again)
    assert (again == trace).all()


def test_the_value_sum_is_exact_at_the_largest_price_amount_and_tier():
    """No product or sum wraps: at price 2^56 - 1, amounts 2^62 - 1 and a band top of 2^72 - 1, the normalized sum
    is the integer 100 * (haircut value - debt value)."""
    big = Policy(16, (MAX_PRICE - 1,), ("loan",), ((((MAX_TOP - 1, 100),),),))
    bands = collateral_bands(1, MAX_PRICE - 1, ((MAX_TOP - 1, 100),))
    c = (1 << 62) - 1
    value = haircut_value(MAX_PRICE - 1, ((MAX_TOP - 1, 100),), c)
    assert value == 100 * (MAX_PRICE - 1) * bands[0].hi + 100 * (MAX_PRICE - 1)  # the first band, to its end
    d = value // (100 * (MAX_PRICE - 1))
    slots = np.array([[0, d, c]] + [[0, 0, 0]] * (N - 1), dtype=np.uint64)
    statement, witness = make_round(slots, big)
    air = MarginAir(statement, PARAMS.zk_rows)
    trace = build_margin_trace(air, witness)
    m, last = air.layout.margin, air.layout.leaf_row(0, air.layout.chunks - 1)
    digits = sum(int(trace[col, last]) << (16 * p) for p, col in enumerate(m.digit))
    top = top_carry(m, trace, last)
    assert digits + (top << (16 * len(m.digit))) == value - 100 * (MAX_PRICE - 1) * d
    verify(MarginAir(statement, PARAMS.zk_rows), prove(air, trace, PARAMS), PARAMS)


def test_wide_policy_22_assets_3_kinds_verifies():
    """15 chunks per leaf (4 + 22 * 5 slots): the sums cross 14 chunk boundaries on the sponge bus."""
    kinds = ("loan", "margin", "portfolio")
    policy = Policy(16, (PRICES * 8)[:22], kinds, tuple((TIERS, TIERS, ()) for _ in range(22)))
    rng = np.random.default_rng(3)
    slots = np.zeros((N, 22 * 5), dtype=np.uint64)
    for i in range(N):
        for j in range(22):
            slots[i, 5 * j:5 * j + 5] = (rng.integers(0, 10**8), 0, rng.integers(0, 10**8), 0, 10**9)
        cover = sum(haircut_value(policy.prices[j], TIERS, int(slots[i, 5 * j + 2])) for j in range(22))
        slots[i, 1] = cover // (100 * policy.prices[0])
    statement, witness = make_round(slots, policy)
    air = MarginAir(statement, PARAMS.zk_rows)
    assert air.layout.chunks == 15
    verify(MarginAir(statement, PARAMS.zk_rows), prove(air, build_margin_trace(air, witness), PARAMS), PARAMS)


# -- public inputs: every field bound --------------------------------------------------------------------------


def _other_policy(**change):
    return dataclasses.replace(POLICY, **change)


@pytest.mark.parametrize("wrong", [
    lambda s: dataclasses.replace(s, debt=(s.debt[0] + 1,) + s.debt[1:]),
    lambda s: dataclasses.replace(s, debt=(s.debt[0] - 1,) + s.debt[1:]),
    lambda s: dataclasses.replace(s, debt=s.debt[:2] + (s.debt[2] + 1,)),
    lambda s: dataclasses.replace(s, equity=(s.equity[0] + 1,) + s.equity[1:]),
    lambda s: dataclasses.replace(s, collateral=((s.collateral[0][0] - 1,),) + s.collateral[1:]),
    lambda s: dataclasses.replace(s, policy=_other_policy(prices=(PRICES[0] - 1,) + PRICES[1:])),
    lambda s: dataclasses.replace(s, policy=_other_policy(scale=15)),
    lambda s: dataclasses.replace(s, policy=_other_policy(tiers=((((10_000 * USD + 1, 100),) + TIERS[1:],),)
                                                          + POLICY.tiers[1:])),
    lambda s: dataclasses.replace(s, policy=_other_policy(tiers=(((TIERS[0], (TIERS[1][0], 91), TIERS[2]),),)
                                                          + POLICY.tiers[1:])),
    lambda s: dataclasses.replace(s, policy=_other_policy(kinds=("margin",))),
], ids=["debt+1", "debt-1", "last asset debt+1", "equity+1", "collateral-1", "price-1", "scale",
        "tier top+1", "tier ratio", "kind name"])
def test_every_public_field_is_bound(honest, wrong):
    air, _, proof = honest
    with pytest.raises(VerificationError):
        verify(MarginAir(wrong(air.statement), PARAMS.zk_rows), proof, PARAMS)


def test_debt_total_off_by_one_is_caught_at_its_segment_end(honest):
    air, trace, _ = honest
    s = air.statement
    wrong = MarginAir(dataclasses.replace(s, debt=(s.debt[0] + 1,) + s.debt[1:]), PARAMS.zk_rows)
    j = slot(BTC, D)
    assert violated(wrong, trace) == {f"asset {j}: low sum matches the total"}


def test_policy_limits_are_refused():
    with pytest.raises(ValueError, match="price"):
        Policy(16, (MAX_PRICE,), ("loan",), (((),),))
    with pytest.raises(ValueError, match="2\\^72"):
        Policy(16, (1,), ("loan",), ((((MAX_TOP, 100),),),))
    with pytest.raises(ValueError, match="concave"):
        Policy(16, (1,), ("loan",), ((((10, 50), (20, 60)),),))
    with pytest.raises(ValueError, match="percentages"):
        Policy(16, (1,), ("loan",), ((((10, 101),),),))


# -- per-leaf solvency ------------------------------------------------------------------------------------------


def test_debt_one_unit_beyond_the_haircut_collateral_is_rejected():
    slots = honest_slots()
    slots[2, slot(BTC, D)] += 1
    statement, witness = make_round(slots)
    air = MarginAir(statement, PARAMS.zk_rows)
    with pytest.raises(ValueError, match="not solvent"):
        build_margin_trace(air, witness)
    trace = cheat_trace(air, witness)
    assert violated(air, trace) == set()  # the sums normalize, but with a negative top carry...
    assert unbalanced_buses(air, trace) == {"range"}  # ...which is no 32-bit value
    assert_rejected(air, trace)


def test_a_wrapped_top_carry_is_rejected():
    """The insolvent leaf's equations hold mod p with a top carry of p - 1 ("minus one"): not in [0, 2^32)."""
    slots = honest_slots()
    slots[1, slot(ETH, D)] += 10**9
    statement, witness = make_round(slots)
    air = MarginAir(statement, PARAMS.zk_rows)
    trace = cheat_trace(air, witness)
    m, row = air.layout.margin, air.layout.leaf_row(1, air.layout.chunks - 1)
    top = top_carry(m, trace, row)
    assert top > P // 2  # a negative carry, as a field element
    assert unbalanced_buses(air, trace) == {"range"}
    assert_rejected(air, trace)


def test_a_top_carry_of_p_over_2_16_is_rejected():
    """The insolvent leaf's top sum T < 0 written as digit_5 + 2^16 carry_5 = T + p, with carry_5 below 2^48 in three
    16-bit limbs: every other equation and lookup holds; only the top carry's bound (below 2^45) catches it."""
    slots = honest_slots()
    slots[2, slot(BTC, D)] += 1
    statement, witness = make_round(slots)
    air = MarginAir(statement, PARAMS.zk_rows)
    trace = cheat_trace(air, witness)
    m, row = air.layout.margin, air.layout.leaf_row(2, air.layout.chunks - 1)
    signed = lambda v: int(v) - P if int(v) > P // 2 else int(v)  # noqa: E731
    below = sum(int(trace[col, row]) << (16 * t) for t, col in enumerate(m.carry[-2])) - CARRY_OFFSET
    value = signed(trace[m.acc[-1], row]) + below + P
    digit = value & 0xFFFF
    top = (value - digit) >> 16
    assert value < P and top < 1 << 48 and top >> 32 >= 1 << 13
    trace[m.digit[-1], row] = digit
    for t, col in enumerate(m.carry[-1]):
        trace[col, row] = (top >> (16 * t)) & 0xFFFF
    refill_range_table(air, trace)
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"range"}
    assert_rejected(air, trace)


@pytest.mark.parametrize("user, asset, kind, value", [
    (3, BTC, F, P - 5),  # collateral 5 base units above equity: free equity f = e - c would be negative
    (0, SHIB, D, P - 1),  # a debt of "minus one" would add 100 P to the value sum mod p, as credit
])
def test_a_field_negative_slot_is_out_of_range(user, asset, kind, value):
    """p - x is no value below 2^62: its limbs miss the range table."""
    slots = honest_slots()
    slots[user, slot(asset, kind)] = value
    statement, witness = make_round(slots)
    air = MarginAir(statement, PARAMS.zk_rows)
    trace = cheat_trace(air, witness)
    assert "range" in unbalanced_buses(air, trace)
    assert_rejected(air, trace)


def test_a_slot_of_2_pow_62_is_rejected():
    """Margin slots are below 2^62 (so no band check can alias mod p): 2^62 of debt-free collateral is refused by the
    top-limb check even though it is below 2^63."""
    slots = honest_slots()
    slots[1, slot(SHIB, C)] = 1 << 62
    statement, witness = make_round(slots)
    air = MarginAir(statement, PARAMS.zk_rows)
    with pytest.raises(ValueError, match="2\\^62"):
        build_margin_trace(air, witness)
    trace = cheat_trace(air, witness)
    assert unbalanced_buses(air, trace) == {"range"}
    assert_rejected(air, trace)


def test_a_band_cannot_alias_through_p():
    """A collateral near 2^63 claimed in BTC's first band (ending near 2^24) would give w = hi - x + p below 2^63;
    such an amount is not below 2^62, so its top limb misses the table."""
    bands = collateral_bands(POLICY.collateral_key(BTC, 0), PRICES[BTC], TIERS)
    slots = honest_slots()
    slots[0, [slot(BTC, D), slot(ETH, D), slot(SHIB, D)]] = 0
    x = (1 << 63) - 1
    slots[0, slot(BTC, C)] = x
    statement, witness = make_round(slots)
    air = MarginAir(statement, PARAMS.zk_rows)
    trace = cheat_trace(air, witness)
    claim_band(air, trace, 0, BTC, C, bands[0])
    assert (bands[0].hi - x) % P < 1 << 63  # the alias the 2^62 bound excludes
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"range"}
    assert_rejected(air, trace)


def test_a_tier_boundary_off_by_one_is_caught():
    """Band 1 (100%) ends at b_1 - 1: collateral of b_1 - 1 is honestly in it. Collateral of b_1 + 10^6 (in band 2,
    90%) with one base unit of BTC debt more than that covers, claimed in band 1 (which would cover it): w = hi - x
    is negative, so no 16-bit limbs."""
    bands = collateral_bands(POLICY.collateral_key(BTC, 0), PRICES[BTC], TIERS)
    edge = bands[1].lo
    assert bands[0].hi == edge - 1 and bands[1].lo * PRICES[BTC] <= TIERS[0][0] < (bands[1].lo + 1) * PRICES[BTC]
    slots = honest_slots()
    slots[0, [slot(BTC, D), slot(ETH, D), slot(SHIB, D)]] = 0
    slots[0, slot(BTC, C)] = edge - 1
    slots[0, slot(BTC, D)] = max_debt(POLICY, slots[0], BTC)
    statement, witness = make_round(slots)
    build_margin_trace(MarginAir(statement, PARAMS.zk_rows), witness)  # in band 1: fine

    slots[0, slot(BTC, C)] = edge + 10**6
    slots[0, slot(BTC, D)] = max_debt(POLICY, slots[0], BTC) + 1
    statement, witness = make_round(slots)
    air = MarginAir(statement, PARAMS.zk_rows)
    with pytest.raises(ValueError, match="not solvent"):
        build_margin_trace(air, witness)
    trace = cheat_trace(air, witness)
    claim_band(air, trace, 0, BTC, C, bands[0])
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"range"}  # w = p - 10^6 - 1, its top limb 0xFFFF
    assert_rejected(air, trace)


def test_the_dummy_user_pattern_is_rejected():
    """Illiquid SHIB equity pledged against BTC debt beyond what its haircut (none) covers: the honest builder
    refuses; a cheater pricing the SHIB collateral with BTC's band misses the band table."""
    slots = np.zeros((N, 9), dtype=np.uint64)
    slots[0, slot(SHIB, C)] = 10**17  # 10^9 SHIB, about 18,000 USD
    slots[0, slot(BTC, D)] = 10**7  # 0.1 BTC
    statement, witness = make_round(slots)
    air = MarginAir(statement, PARAMS.zk_rows)
    with pytest.raises(ValueError, match="not solvent"):
        build_margin_trace(air, witness)
    trace = cheat_trace(air, witness)
    btc_band = collateral_bands(POLICY.collateral_key(SHIB, 0), PRICES[BTC], TIERS)[-1]  # SHIB's key, BTC's slope
    claim_band(air, trace, 0, SHIB, C, dataclasses.replace(btc_band, lo=0, start=0, slope=100 * PRICES[SHIB]))
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"band"}
    assert_rejected(air, trace)


def test_a_lower_band_claimed_for_debt_is_caught():
    """Debt looked up with the free-equity key's zero slope (counting nothing): not a debt band."""
    statement, witness = make_round()
    air = MarginAir(statement, PARAMS.zk_rows)
    trace = build_margin_trace(air, witness)
    zero = POLICY.bands()[0]
    claim_band(air, trace, 1, ETH, D, dataclasses.replace(zero, key=POLICY.debt_key(ETH)))
    assert unbalanced_buses(air, trace) == {"band"}
    assert_rejected(air, trace)


# -- each margin constraint and bus catches its forgery --------------------------------------------------------


def _cell(trace, col, row, delta):
    trace[col, row] = (int(trace[col, row]) + delta) % P


def test_u_not_matching_the_amount_is_caught(honest):
    air, trace, _ = honest
    trace = trace.copy()
    m = air.layout.margin
    row = air.layout.leaf_row(2, 0)
    assert int(trace[m.u[5][0], row]) > 0  # lane 5 is BTC's debt, at its limit: one unit less keeps the leaf solvent
    _cell(trace, m.u[5][0], row, -1)
    resum(air, trace)
    refill_range_table(air, trace)
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"band"}  # it looks up lo = x - u: one below its band's
    assert_rejected(air, trace)


def test_w_not_matching_the_amount_is_caught(honest):
    air, trace, _ = honest
    trace = trace.copy()
    col, row = air.layout.margin.w[3][1], air.layout.leaf_row(0, 1)
    assert int(trace[col, row]) > 0
    _cell(trace, col, row, -1)
    refill_range_table(air, trace)
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"band"}  # it looks up hi = x + w: 2^16 below its band's
    assert_rejected(air, trace)


def test_a_value_sum_not_starting_from_chunk_0_is_caught(honest):
    air, trace, _ = honest
    trace = trace.copy()
    _cell(trace, air.layout.margin.acc[2], air.layout.leaf_row(1, 0), 1 << 20)
    assert violated(air, trace) == {"value sum 2 starts on chunk 0"}
    assert_rejected(air, trace)


def test_a_value_sum_changed_between_chunks_is_caught_by_the_sponge_bus(honest):
    """A cheater adds to a leaf's sum on its last chunk and renormalizes: the received sum no longer matches
    the sent one."""
    air, trace, _ = honest
    trace = trace.copy()
    m, row = air.layout.margin, air.layout.leaf_row(2, 1)
    _cell(trace, m.acc[-1], row, 1)
    normalize(m, trace, row, [int(trace[col, row]) - P if int(trace[col, row]) > P // 2 else int(trace[col, row])
                              for col in m.acc])
    refill_range_table(air, trace)
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"sponge"}
    assert_rejected(air, trace)


def test_a_forged_digit_is_caught(honest):
    air, trace, _ = honest
    trace = trace.copy()
    _cell(trace, air.layout.margin.digit[0], air.layout.leaf_row(3, 1), 1)
    assert violated(air, trace) == {"value sum 0 normalizes"}
    assert_rejected(air, trace)


def test_a_forged_band_slope_misses_the_table(honest):
    air, trace, _ = honest
    trace = trace.copy()
    _cell(trace, air.layout.margin.slope[6][0], air.layout.leaf_row(0, 0), 1)
    resum(air, trace)
    refill_range_table(air, trace)
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"band"}
    assert_rejected(air, trace)
