"""Binance's 2026 collateral-flag fix as cheating-prover tests (issue 23): an asset the asset list marks as not
collateral for a kind (no tier list, or 0%) adds nothing to that kind's haircut value, even when the leaf pledges
it, and even when the same asset is collateral for another kind.

The round: BTC is collateral for `loan` (tiered) but 0% for `margin`; ETH is collateral for both; SHIB has no tier
list at all. Leaf 0 pledges the non-collateral slot and owes ETH worth what the cheater wishes the pledge counted
for (a tier list it does not have): the honest builder refuses it. The cheater then skips the check two ways, each
recomputing everything else (value sums, digits, carries, band and range tables): it looks the pledge up in the
band it wishes for (caught by the band bus: the lane's key is fixed by its slot, and that key has no such band), or
keeps the honest band and credits the value straight into the leaf's sums (caught by "value sum m starts on chunk 0"
on the chunk the pledge sits in, or, on a later chunk, by the sponge bus carrying the sums from chunk to chunk).
"""
from __future__ import annotations

import functools

import numpy as np

from circuits.margin.values import CARRY_OFFSET
import pytest

from circuits.field import P
from circuits.margin import MarginAir, Policy
from circuits.margin.policy import collateral_bands, haircut_value
from circuits.tree_hash import DIGEST_ELEMENTS, RATE
from prover.engine.prover import prove
from prover.exchange.margin_trace import build_margin_trace
from tests.circuits.test_margin_air import (
    N,
    PARAMS,
    PRICES,
    TIERS,
    USD,
    cheat_trace,
    claim_band,
    make_round,
    refill_range_table,
    unbalanced_buses,
)
from tests.circuits.test_solvency_air import violated
from verifier.stark.verify import VerificationError, verify

verify = functools.partial(verify, min_security=0)

BTC, ETH, SHIB = 0, 1, 2
LOAN, MARGIN = 0, 1
ZERO = ((100_000 * USD, 0),)  # a tier list at 0%: "not collateral" written as a band
POLICY = Policy(16, PRICES, ("loan", "margin"), ((TIERS, ZERO), (TIERS, TIERS), ((), ())))
WIDTH = POLICY.slots_per_asset  # free equity, debt, loan, margin
PLEDGES = {BTC: 10**8, SHIB: 10**17}  # 1 BTC (65,100 USD), 10^9 SHIB (about 18,000 USD)


def slot(j, i):
    return j * WIDTH + i


def collateral(q):
    return 2 + q


def chunk_of(s):
    return (DIGEST_ELEMENTS + s) // RATE


def wished(j, q):
    """The band the cheater wants the pledge looked up in: its amount's band under TIERS, with the lane's own key."""
    x = PLEDGES[j]
    return next(b for b in collateral_bands(POLICY.collateral_key(j, q), PRICES[j], TIERS) if b.lo <= x <= b.hi)


def pledge_round(j, q, debt=True):
    """Leaf 0 pledges PLEDGES[j] as collateral of kind q and, with `debt`, owes the most ETH that TIERS would cover."""
    slots = np.zeros((N, 3 * WIDTH), dtype=np.uint64)
    slots[0, slot(j, collateral(q))] = PLEDGES[j]
    credit = haircut_value(PRICES[j], TIERS, PLEDGES[j])
    if debt:
        slots[0, slot(ETH, 1)] = credit // (100 * PRICES[ETH])
    return make_round(slots, POLICY), credit


def leaf_value(air, trace, leaf):
    """The leaf's normalized value sum (100 x haircut value - 100 x debt value), from its last chunk's digits."""
    m, row = air.layout.margin, air.layout.leaf_row(leaf, air.layout.chunks - 1)
    top = sum(int(trace[c, row]) << (16 * i) for i, c in enumerate(m.carry[-1]))  # the top carry: no offset
    return sum(int(trace[c, row]) << (16 * p) for p, c in enumerate(m.digit)) + (top << (16 * len(m.digit)))


def credit_sums(air, trace, leaf, chunk, amount):
    """The cheater's direct credit: `amount` added to the leaf's value sums (by 16-bit position) from `chunk` on,
    its last chunk renormalized (digits, carries) and the range table refilled."""
    layout, m = air.layout, air.layout.margin
    for k in range(chunk, layout.chunks):
        row = layout.leaf_row(leaf, k)
        for p, col in enumerate(m.acc):
            trace[col, row] = (int(trace[col, row]) + ((amount >> (16 * p)) & 0xFFFF)) % P
    row, below = layout.leaf_row(leaf, layout.chunks - 1), 0
    for p, col in enumerate(m.acc):
        v = int(trace[col, row])
        total = (v - P if v > P // 2 else v) + below
        digit, below = total & 0xFFFF, total >> 16
        stored = (below + (CARRY_OFFSET if p < len(m.acc) - 1 else 0)) % P
        trace[m.digit[p], row] = digit
        for i, c in enumerate(m.carry[p]):
            trace[c, row] = (stored >> (16 * i)) & 0xFFFF
    refill_range_table(air, trace)


def assert_fails_verification(air, trace):
    with pytest.raises(VerificationError):
        verify(MarginAir(air.statement, PARAMS.zk_rows), prove(air, trace, PARAMS, check=False), PARAMS)


CASES = [(BTC, MARGIN), (SHIB, LOAN)]
IDS = ["0% tier list (BTC margin)", "no tier list (SHIB loan)"]


@pytest.mark.parametrize("j, q", CASES, ids=IDS)
def test_a_non_collateral_pledge_counts_nothing_for_the_honest_builder(j, q):
    """Pledged without debt, the leaf's value is exactly 0; against debt, the builder refuses the leaf."""
    statement, witness = pledge_round(j, q, debt=False)[0]
    air = MarginAir(statement, PARAMS.zk_rows)
    assert leaf_value(air, build_margin_trace(air, witness), 0) == 0
    statement, witness = pledge_round(j, q)[0]
    with pytest.raises(ValueError, match="not solvent"):
        build_margin_trace(MarginAir(statement, PARAMS.zk_rows), witness)


def test_the_flag_is_per_kind_btc_pledged_for_loan_covers_the_debt():
    """The control: the same BTC pledged as `loan` collateral (tiered) covers the same debt."""
    (statement, witness), credit = pledge_round(BTC, LOAN)
    air = MarginAir(statement, PARAMS.zk_rows)
    value = leaf_value(air, build_margin_trace(air, witness), 0)
    assert 0 <= value < 100 * PRICES[ETH] and credit > 100 * PRICES[ETH]


@pytest.mark.parametrize("j, q", CASES, ids=IDS)
def test_a_non_collateral_pledge_looked_up_in_a_wished_for_band_misses_the_band_table(j, q):
    (statement, witness), _ = pledge_round(j, q)
    air = MarginAir(statement, PARAMS.zk_rows)
    trace = cheat_trace(air, witness)
    assert unbalanced_buses(air, trace) == {"range"}  # insolvent as it stands: a negative top carry
    claim_band(air, trace, 0, 0, slot(j, collateral(q)), wished(j, q))  # (asset 0, offset s) is slot s
    assert leaf_value(air, trace, 0) >= 0  # the cheater's leaf now looks solvent...
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"band"}  # ...but no band of this key has a non-zero slope
    assert_fails_verification(air, trace)


@pytest.mark.parametrize("j, q", CASES, ids=IDS)
def test_a_non_collateral_pledge_credited_into_the_value_sums_is_caught(j, q):
    """BTC's pledge sits on chunk 0, whose sums must be its own lanes' parts; SHIB's on chunk 1, whose sums must
    follow from chunk 0's on the sponge bus."""
    (statement, witness), credit = pledge_round(j, q)
    air = MarginAir(statement, PARAMS.zk_rows)
    trace = cheat_trace(air, witness)
    chunk = chunk_of(slot(j, collateral(q)))
    credit_sums(air, trace, 0, chunk, credit)
    assert leaf_value(air, trace, 0) >= 0
    positions = [m for m in range(len(air.layout.margin.acc)) if (credit >> (16 * m)) & 0xFFFF]
    assert violated(air, trace) == ({f"value sum {m} starts on chunk 0" for m in positions} if chunk == 0 else set())
    assert unbalanced_buses(air, trace) == (set() if chunk == 0 else {"sponge"})
    assert_fails_verification(air, trace)
