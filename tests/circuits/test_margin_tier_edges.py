"""Binance's 2026 tier-edge fix as cheating-prover tests (issue 23): an amount on a tier edge takes the band the
tier list says, on both sides of every edge of Binance's ten-band list (edge - 1, edge, edge + 1).

A tier list `[0-10000:100,10000-20000:90,...]` is in USD, each band from its start up to (not including) its end.
In base units the edge of band t is b_t = floor(top_t / price): base unit x (worth [x P, (x + 1) P)) counts at band
t's ratio when it lies wholly below top_t, and a unit straddling the edge at the next, lower ratio (the circuit
never credits more than the list allows, policy.py). At a price dividing every top (1 USD a coin) nothing straddles
and the circuit's haircut is the list's exactly; at Binance's BTC price it falls short by less than one base unit
at 100%.

The cheat: the amount looked up in the neighbouring band across the edge (the upper band from edge - 1, the lower
one from the edge and edge + 1), everything else recomputed (value sums, digits, carries, band and range tables).
The band is in the table and the "u is x - lo", "w is hi - x" constraints hold, but u = x - lo or w = hi - x is
then -1 or -2, i.e. p - 1 or p - 2, whose top 16-bit limb the range bus refuses (u and w must lie in [0, 2^63)).
From edge - 1 or edge + 1 the cheat gains (r_t - r_(t+1)) P, which the debt here is set to need.
"""
from __future__ import annotations

import numpy as np
import pytest

from circuits.margin.layout import SLOPE_SHIFTS

from circuits.field import P
from circuits.margin import MarginAir, Policy
from circuits.margin.policy import collateral_bands, haircut_value
from circuits.tree_hash import DIGEST_ELEMENTS, RATE
from prover.exchange.margin_trace import build_margin_trace
from tests.circuits.test_margin_air import (
    N,
    PARAMS,
    PRICES,
    USD,
    band_rows,
    cheat_trace,
    claim_band,
    make_round,
    unbalanced_buses,
)
from tests.circuits.test_margin_collateral_flags import assert_fails_verification, leaf_value
from tests.circuits.test_solvency_air import violated

BINANCE_TIERS = tuple(((t + 1) * 10_000 * USD, 100 - 10 * t) for t in range(10))  # its cex_assets_info for BTC
BINANCE_BTC = PRICES[0]  # 65100.22 USD
EXACT = 10**8  # 1 USD a coin: every top a whole number of base units
ETH_PRICE = PRICES[1]
COLLATERAL, DEBT = 2, 4  # BTC's collateral slot, ETH's debt slot (free equity, debt, collateral per asset)
EDGES = range(1, len(BINANCE_TIERS) + 1)


def policy(price):
    return Policy(16, (price, ETH_PRICE), ("loan",), ((BINANCE_TIERS,), ((),)))


def edge(t, price):
    return BINANCE_TIERS[t - 1][0] // price


def listed_ratio(x, price):
    """The ratio the tier list gives base unit x: the band its whole value [x P, (x + 1) P) lies in, or the lower
    ratio beyond when it straddles an edge; 0 beyond the last band."""
    return next((ratio for top, ratio in BINANCE_TIERS if (x + 1) * price <= top), 0)


def listed_haircut(value):
    """100 x the haircut value the tier list gives `value` (value units): each band's part at its ratio."""
    total, start = 0, 0
    for top, ratio in BINANCE_TIERS:
        total += ratio * max(0, min(value, top) - start)
        start = top
    return total


def signed(v):
    v = int(v)
    return v - P if v > P // 2 else v


def round_of(amounts, price, debt=0):
    """Leaves 0.. hold `amounts` of BTC collateral (leaf 0 also `debt` ETH), the rest nothing."""
    slots = np.zeros((N, 6), dtype=np.uint64)
    slots[:len(amounts), COLLATERAL] = amounts
    slots[0, DEBT] = debt
    statement, witness = make_round(slots, policy(price))
    return MarginAir(statement, PARAMS.zk_rows), witness


def looked_up(air, trace, leaf):
    """(lo, hi, slope) of the band leaf's BTC collateral lane looks up."""
    chunk, lane = divmod(DIGEST_ELEMENTS + COLLATERAL, RATE)
    entry = band_rows(air, trace)[lane][air.layout.leaf_row(leaf, chunk)]
    slope = sum(signed(d) << shift for shift, d in zip(SLOPE_SHIFTS, entry[-len(SLOPE_SHIFTS):]))
    return int(entry[1]), int(entry[2]), slope


@pytest.mark.parametrize("price", [EXACT, BINANCE_BTC], ids=["1 USD a coin", "Binance's BTC price"])
@pytest.mark.parametrize("t", EDGES)
def test_an_amount_at_a_tier_edge_takes_the_listed_band_and_value(price, t):
    b = edge(t, price)
    amounts = [b - 1, b, b + 1]
    air, witness = round_of(amounts, price)
    trace = build_margin_trace(air, witness)
    for leaf, x in enumerate(amounts):
        lo, hi, slope = looked_up(air, trace, leaf)
        assert lo <= x <= hi and slope == listed_ratio(x, price) * price
        shortfall = listed_haircut(x * price) - leaf_value(air, trace, leaf)
        assert shortfall == 0 if price == EXACT else 0 <= shortfall < 100 * price
    if price == EXACT:  # on the edge itself: worth exactly top_t, so the next unit starts band t + 1
        assert b * price == BINANCE_TIERS[t - 1][0] and listed_ratio(b, price) < listed_ratio(b - 1, price)


@pytest.mark.parametrize("side", [-1, 0, 1], ids=["edge-1 claims the upper band", "edge claims the lower band",
                                                  "edge+1 claims the lower band"])
@pytest.mark.parametrize("t", EDGES)
def test_an_amount_at_a_tier_edge_claimed_in_the_neighbouring_band_is_caught(t, side):
    x = edge(t, BINANCE_BTC) + side
    bands = collateral_bands(policy(BINANCE_BTC).collateral_key(0, 0), BINANCE_BTC, BINANCE_TIERS)
    honest = next(k for k, b in enumerate(bands) if b.lo <= x <= b.hi)
    claimed = bands[honest + 1] if side < 0 else bands[honest - 1]
    # x lies in band t (index t - 1) below the edge, in band t + 1 from it; the claimed band ends or starts there
    assert (honest, claimed.lo if side < 0 else claimed.hi + 1) == (t - (side < 0), edge(t, BINANCE_BTC))
    cover = haircut_value(BINANCE_BTC, BINANCE_TIERS, x)
    debt = cover // (100 * ETH_PRICE) + (side != 0)  # one unit more than covered, except where nothing is gained
    assert (cover < 100 * ETH_PRICE * debt) == (side != 0)  # insolvent, so the honest builder refuses the leaf
    air, witness = round_of([x], BINANCE_BTC, debt)
    trace = cheat_trace(air, witness)
    claim_band(air, trace, 0, 0, COLLATERAL, claimed)  # (asset 0, offset s) is slot s
    assert leaf_value(air, trace, 0) >= 0  # solvent by the claimed band
    assert (x - claimed.lo if side < 0 else claimed.hi - x) == (-1 if side <= 0 else -2)
    assert violated(air, trace) == set()
    assert unbalanced_buses(air, trace) == {"range"}
    if t == 1 and side:  # proven and verified for u (from below) and w (from above); the others fail alike
        assert_fails_verification(air, trace)
