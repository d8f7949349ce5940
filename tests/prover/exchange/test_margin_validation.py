"""Binance's 2026 fixes on the input side (issue 23; the circuit's side: tests/circuits/test_margin_collateral_flags.py
and test_margin_tier_edges.py): what the margin policy refuses before anything is proven, each refusal naming the
users file, line, user and asset. A pledge of an asset that is not collateral for its kind counts nothing; an
amount on a tier edge is valued by the band the tier list says; debt in an asset without a price is refused."""
import numpy as np
import pytest

from prover.exchange.inputs import read_asset_list, read_users
from prover.exchange.inputs.margin_assets import UnpricedAssets, read_margin_policy
from prover.exchange.margin_round import cover_and_debt, margin_slots, prove_margin_round
from prover.exchange.round import InputError, UsersSource
from tests.paths import VECTORS

USERS, ASSETS = VECTORS / "binance_sample_users.csv", VECTORS / "binance_cex_assets_info.csv"
needs_vectors = pytest.mark.skipif(not USERS.exists(), reason="shared vectors not found")
KINDS = ("loan", "margin", "portfolio")
LADDER = "[0-10000:100,10000-20000:90,20000-30000:80]"
# btc: tiered for loan, 0% for margin, no tier list for portfolio; usdt (1 USD a coin, so the edges are whole
# amounts): tiered for loan only; pepe (0.0001 USD): no collateral, a debt fine enough to show a band's base unit.
ASSET_LIST = (f"symbol,usdt_price,loan_tiers_ratio,margin_tiers_ratio,portfolio_tiers_ratio\n"
              f'btc,65100.22,"{LADDER}","[0-100000:0]",""\n'
              f'usdt,1,"{LADDER}","",""\n'
              'pepe,0.0001,"","",""\n')
SYMBOLS = ("btc", "usdt", "pepe")
PREFIXES = {"loan": "vl", "margin": "m", "portfolio": "pm"}


def binance_users(tmp_path, rows, asset_list=ASSET_LIST):
    """Binance's users CSV of `rows`: (id, {column: amount}), e.g. {"e_btc": "1", "vl_btc": "1", "d_usdt": "5"}."""
    header = ["rn", "id"] + [f"{p}{s}" for s in SYMBOLS for p in ("e_", "d_", "", "vl_", "m_", "pm_")] + [
        "total_net_balance_usdt"]
    lines = [",".join(header)] + [",".join([str(k), user] + [cells.get(c, "") for c in header[2:-1]] + ["0"])
                                  for k, (user, cells) in enumerate(rows)]
    path = tmp_path / "users.csv"
    path.write_text("\n".join(lines) + "\n")
    (tmp_path / "assets.csv").write_text(asset_list)
    return path, tmp_path / "assets.csv"


def refusals(users, assets):
    """Per refused user, the message naming them (file and line first), in file order."""
    table = read_users(users, assets=read_asset_list(assets), margin=True)
    policy = read_margin_policy(assets, list(table.assets))
    return [why for _, why in margin_slots(table, policy, str(users))[1]]


# -- (a) the collateral flag: not collateral for a kind, counted as nothing --------------------------------------


@pytest.mark.parametrize("kind", ["margin", "portfolio"], ids=["0% tier list", "no tier list"])
def test_btc_pledged_where_it_is_not_collateral_is_refused_against_any_debt(tmp_path, kind):
    prefix = PREFIXES[kind]
    users, assets = binance_users(tmp_path, [
        ("as-loan", {"e_btc": "1", "vl_btc": "1", "d_usdt": "1000"}),
        ("not-collateral", {"e_btc": "1", f"{prefix}_btc": "1", "d_usdt": "0.00000001"}),
        ("no-debt", {"e_btc": "1", f"{prefix}_btc": "1"}),
    ])
    assert refusals(users, assets) == [
        f"{users}:3: user 'not-collateral': debt worth 0.00000001 USD exceeds the haircut collateral's 0 USD"]


LOAN_ONLY = f'symbol,usdt_price,loan_tiers_ratio\nbtc,65100.22,"{LADDER}"\nusdt,1,"{LADDER}"\npepe,0.0001,""\n'


def test_a_pledge_of_a_kind_the_asset_list_has_no_column_for_is_refused_by_line(tmp_path):
    """A kind with no <kind>_tiers_ratio column at all is a configuration error, refused naming every pledge of it
    (an empty tier list in such a column is how to say a pledge counts nothing)."""
    users, assets = binance_users(tmp_path, [("a", {"e_btc": "1", "m_btc": "0"}),
                                             ("b", {"e_btc": "2", "vl_btc": "1", "m_btc": "0.5"}),
                                             ("c", {"e_usdt": "3", "pm_usdt": "3"})], LOAN_ONLY)
    with pytest.raises(InputError) as caught:
        refusals(users, assets)
    assert str(caught.value).splitlines() == [
        f"{users}: 2 pledges of collateral kinds the asset list has no tiers for (margin, portfolio: give it a "
        "<kind>_tiers_ratio column for each, where an empty tier list counts nothing):",
        f"  {users}:3: user 'b': btc: margin collateral 0.5", f"  {users}:4: user 'c': usdt: portfolio collateral 3"]


def test_a_column_of_zero_pledges_of_such_a_kind_pledges_nothing(tmp_path):
    users, assets = binance_users(tmp_path, [("a", {"e_btc": "1", "vl_btc": "1", "m_btc": "0", "pm_usdt": "0"})],
                                  LOAN_ONLY)
    assert refusals(users, assets) == []


@needs_vectors
def test_the_binance_samples_shib_pledges_add_nothing():
    """shib has no tier list in Binance's asset list: every user's haircut value is the same without its
    pledges, though 100 users pledge shib for all three kinds."""
    table = read_users(USERS, assets=read_asset_list(ASSETS), margin=True)
    policy = read_margin_policy(ASSETS, list(table.assets))
    shib = [a.symbol for a in table.assets].index("shib")
    pledged = [table.margin.collateral[kind] for kind in KINDS]
    assert all((c[:, shib] > 0).sum() == 100 for c in pledged)
    without = [c.copy() for c in pledged]
    for c in without:
        c[:, shib] = 0
    cover, _ = cover_and_debt(table.margin.debt, pledged, policy)
    assert (cover == cover_and_debt(table.margin.debt, without, policy)[0]).all() and cover.any()


# -- (b) tier edges: the band the tier list says, on both sides --------------------------------------------------


TOPS = {10000: 100, 20000: 90, 30000: 80}  # LADDER: each band's end (USD) and ratio


def listed_cover(pledge: int) -> int:
    """The pepe debt (base units: 10^-12 USD) a usdt pledge of `pledge` base units (10^-8 USD) covers by the tier
    list itself: the part of its value in each band at that band's ratio, nothing beyond the last."""
    value, start, total = pledge * 10**4, 0, 0  # in pepe base units
    for top, ratio in TOPS.items():
        total += ratio * max(0, min(value, top * 10**12) - start)
        start = top * 10**12
    return total // 100


@pytest.mark.parametrize("edge", list(TOPS))
def test_an_amount_on_a_tier_edge_covers_what_the_tier_list_says(tmp_path, edge):
    """usdt at 1 USD, so each edge is a whole amount: a pledge of exactly the edge counts wholly in the band below
    it, and the base unit from the edge up at the next band's ratio. At edge - 1, edge and edge + 1 a user owing
    what the list covers is accepted, and one owing one base unit of pepe more is refused, naming their line."""
    t = edge * 10**8
    ratios = list(TOPS.values()) + [0]
    below, above = ratios[list(TOPS).index(edge)], ratios[list(TOPS).index(edge) + 1]
    assert listed_cover(t) - listed_cover(t - 1) == below * 10**4 // 100  # the unit under the edge: band below
    assert listed_cover(t + 1) - listed_cover(t) == above * 10**4 // 100  # the unit from the edge: band above
    rows, expected = [], []
    for side in (-1, 0, 1):
        for extra in (0, 1):
            user = f"edge{side:+d}" + ("-owes-one-more" if extra else "")
            rows.append((user, {"e_usdt": _units(t + side), "vl_usdt": _units(t + side),
                                "d_pepe": _units(listed_cover(t + side) + extra)}))
            if extra:
                expected.append(f"{len(rows) + 1}: user {user!r}")  # line 1 is the header
    users, assets = binance_users(tmp_path, rows)
    assert [why.split(": debt worth")[0] for why in refusals(users, assets)] == [f"{users}:{e}" for e in expected]


def _units(base_units: int) -> str:
    """An 8-decimal amount as Binance writes it."""
    return f"{base_units // 10**8}.{base_units % 10**8:08d}"


# -- (c) debt in an asset without a price ------------------------------------------------------------------------


@needs_vectors
@pytest.mark.parametrize("price", ["", "0"], ids=["empty", "zero"])
def test_debt_in_an_asset_without_a_price_is_refused_naming_file_line_user_and_asset(tmp_path, price):
    assets = tmp_path / "assets.csv"
    assets.write_text(ASSETS.read_text().replace("shib,0.00001797,", f"shib,{price},"))
    with pytest.raises(InputError) as refused:
        prove_margin_round(USERS, "2026-11", tmp_path / "round", "test", tmp_path / "secret", progress=False,
                           source=UsersSource(assets), exclude_refused=True)
    lines = str(refused.value).splitlines()
    assert lines[0] == (f"{assets}:5: shib: no price (empty or 0), so debt in it could not be valued; give every "
                        "asset of a margin round a price")
    table = read_users(USERS, assets=read_asset_list(ASSETS), margin=True)
    owing = np.flatnonzero(table.margin.debt[:, 3])
    assert lines[1] == f"{len(owing)} debts in an asset without a price:" and len(lines) == 2 + len(owing)
    assert lines[2] == (f"  {USERS}:2: user '{'0' * 64}': shib: debt 403.59 in an asset without a price")
    assert lines[3].startswith(f"  {USERS}:3: user '{'0' * 63}1': shib: debt 1 in")
    assert not (tmp_path / "round").exists()


def test_an_unpriced_asset_is_named_by_its_asset_list_line(tmp_path):
    users, assets = binance_users(tmp_path, [("a", {"e_btc": "1"})])
    assets.write_text(ASSET_LIST.replace("usdt,1,", "usdt,,"))
    table = read_users(users, assets=read_asset_list(assets), margin=True)
    with pytest.raises(UnpricedAssets, match=f"^{assets}:3: usdt: no price") as caught:
        read_margin_policy(assets, list(table.assets))
    assert caught.value.symbols == ("usdt",)
