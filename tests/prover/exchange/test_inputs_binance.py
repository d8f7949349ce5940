"""Binance's users CSV: per asset equity `e_X`, debt `d_X`, the derived net `X`, collateral `vl_X`/`m_X`/`pm_X`."""
import csv
import io
from decimal import Decimal

import pytest
from paths import VECTORS
from users_files import assert_error, write

from prover.exchange.inputs import Asset, read_asset_list, read_users

# binance/zkmerkle-proof-of-solvency @ 9a3e5b79 src/sampledata/sample_users0.csv and cex_assets_info.csv
BINANCE_USERS = VECTORS / "binance_sample_users.csv"
BINANCE_ASSETS = VECTORS / "binance_cex_assets_info.csv"
needs_vectors = pytest.mark.skipif(not BINANCE_USERS.exists(), reason="shared vectors not beside the checkout")

HEADER = "rn,id,e_btc,d_btc,btc,vl_btc,m_btc,pm_btc,e_eth,d_eth,eth,vl_eth,m_eth,pm_eth,total_net_balance_usdt"


# --- Binance's sample ---------------------------------------------------------------------------------------


@needs_vectors
def test_sample_is_detected_and_its_first_debt_refused_naming_line_user_and_asset():
    message = assert_error(BINANCE_USERS, "margin policy", assets=read_asset_list(BINANCE_ASSETS))
    assert message == (f"{BINANCE_USERS}:2: user '{'0' * 64}': btc: debt of 143.67123498 (d_btc) needs the margin "
                       "policy (--policy margin); the plain policy loads only equity-only rows")


@needs_vectors
def test_sample_without_debt_and_collateral_loads_its_equity_and_ignores_the_derived_columns(tmp_path):
    """Debt and collateral blanked, the net and total columns kept as Binance wrote them (float artifacts)."""
    rows = list(csv.reader(io.StringIO(BINANCE_USERS.read_text())))
    header = rows[0]
    margin = [k for k, name in enumerate(header) if name.startswith(("d_", "vl_", "m_", "pm_"))]
    for row in rows[1:]:
        for k in margin:
            row[k] = "0"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    table = read_users(write(tmp_path, "equity.csv", out.getvalue()), assets=read_asset_list(BINANCE_ASSETS))
    assert table.assets == [Asset(symbol, 8) for symbol in ("btc", "eth", "bnb", "shib")]
    assert len(table.ids) == 100 and table.ids[1] == "0" * 63 + "1"
    assert "0.07843069000000008" in out.getvalue()  # the net column's artifact, never parsed
    for j, asset in enumerate(table.assets):
        column = header.index(f"e_{asset.symbol}")
        assert table.totals()[j] == sum(int(Decimal(row[column]) * 10**8) for row in rows[1:])


# --- small files that load ----------------------------------------------------------------------------------


def test_equity_only_rows_load_and_empty_cells_are_zero(tmp_path):
    text = f"{HEADER}\n0,alice,1.5,0,1.5,0,0,0,,,,,,,123.4\n1,bob,,,,,,,0.00000001,0,junk,0,0,0,0.0\n"
    table = read_users(write(tmp_path, "users.csv", text))
    assert table.assets == [Asset("btc"), Asset("eth")]
    assert table.ids == ["alice", "bob"]
    assert table.balances.tolist() == [[150_000_000, 0], [0, 1]]


def test_the_derived_and_collateral_columns_are_not_required(tmp_path):
    table = read_users(write(tmp_path, "users.csv", "id,e_BTC,d_BTC\nalice,2,0\n"), file_format="binance")
    assert table.assets == [Asset("BTC")] and table.balances.tolist() == [[200_000_000]]


def test_detected_by_an_equity_and_debt_pair_without_rn(tmp_path):
    path = write(tmp_path, "users.csv", "id,e_BTC,d_BTC\nalice,2,1\n")
    assert_error(path, r":2: user 'alice': BTC: debt of 1 \(d_BTC\) needs the margin policy")


def test_plain_format_can_be_forced_for_assets_named_like_binance_columns(tmp_path):
    table = read_users(write(tmp_path, "users.csv", "id,e_BTC,d_BTC\nalice,2,1\n"), file_format="csv")
    assert [a.symbol for a in table.assets] == ["e_BTC", "d_BTC"]


# --- refusals -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "row, pattern",
    [
        ("1,bob,1,0,1,0.5,0,0,,,,,,,0", r"user 'bob': btc: VIP-loan collateral of 0.5 \(vl_btc\) needs the margin"),
        ("1,bob,1,0,1,0,0.5,0,,,,,,,0", r"user 'bob': btc: margin collateral of 0.5 \(m_btc\)"),
        ("1,bob,,,,,,,1,0,1,0,0,2,0", r"user 'bob': eth: portfolio-margin collateral of 2 \(pm_eth\)"),
        ("1,bob,1,-1,1,0,0,0,,,,,,,0", r"user 'bob': btc: negative amount '-1'"),
        ("1,bob,0.000000001,0,,0,0,0,,,,,,,0", r"user 'bob': btc: more than 8 decimals in '0.000000001'"),
        ("1,bob,1e3,0,,0,0,0,,,,,,,0", r"user 'bob': btc: not a plain decimal amount '1e3'"),
        ("1,bob,1,0", "expected 15 columns, found 4"),
        ("1,alice,1,0,1,0,0,0,,,,,,,0", r"duplicate id 'alice' \(first on line 2\)"),
        ("1,bo\u202eb,1,0,1,0,0,0,,,,,,,0", r"id .* contains a control or invisible character, U\+202E RIGHT-TO-LEFT"),
    ],
)
def test_row_refusals_name_file_line_user_and_field(tmp_path, row, pattern):
    path = write(tmp_path, "users.csv", f"{HEADER}\n0,alice,1,0,1,0,0,0,,,,,,,0\n{row}\n")
    assert_error(path, f"^{path}:3: {pattern}")


@pytest.mark.parametrize(
    "header, pattern",
    [
        ("rn,id,e_btc,btc", r"btc: no d_btc column beside e_btc"),
        ("rn,id,e_btc,d_btc,x_btc", r"unknown column 'x_btc'"),
        ("rn,id,e_btc,d_btc,d_eth", r"unknown column 'd_eth'"),
        ("rn,id,e_btc,d_btc,e_btc", r"column 'e_btc' appears twice"),
        ("rn,e_btc,d_btc", r"no 'id' column"),
        ("rn,id,total_net_balance_usdt", r"no e_<asset> column"),
        ("rn,id,e_btc,d_btc,e_BTC,d_BTC", r"assets 'btc' and 'BTC' differ only in case"),
        ("rn,id,e_b tc,d_b tc", r"invalid asset symbol 'b tc'"),
    ],
)
def test_header_refusals(tmp_path, header, pattern):
    path = write(tmp_path, "users.csv", f"{header}\n0,alice\n")
    assert_error(path, f"^{path}:1: {pattern}", file_format="binance")


def test_asset_missing_from_the_asset_list(tmp_path):
    path = write(tmp_path, "users.csv", f"{HEADER}\n0,alice,1,0,1,0,0,0,,,,,,,0\n")
    assets = read_asset_list(write(tmp_path, "assets.csv", "symbol,usdt_price\nbtc,1\n"))
    assert_error(path, r":1: unknown asset 'eth'", assets=assets)
