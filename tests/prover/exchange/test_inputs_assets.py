"""The asset list (`--assets FILE`): `symbol,decimals[,...]`, or Binance's `symbol,usdt_price,...` form."""

import numpy as np
import pytest
from paths import VECTORS
from users_files import write

from prover.exchange.inputs import (
    Asset,
    AssetList,
    UsersFileError,
    read_asset_list,
    read_users,
)

# binance/zkmerkle-proof-of-solvency @ 9a3e5b79 src/sampledata/cex_assets_info.csv
BINANCE_ASSETS = VECTORS / "binance_cex_assets_info.csv"


def refused(path, pattern):
    with pytest.raises(UsersFileError, match=pattern) as caught:
        read_asset_list(path)
    return str(caught.value)


def test_symbol_and_decimals_in_file_order(tmp_path):
    listed = read_asset_list(write(tmp_path, "assets.csv", "symbol,decimals\nETH,12\nBTC,8\nUSDT,6\n"))
    assert listed.assets == (Asset("ETH", 12), Asset("BTC", 8), Asset("USDT", 6))
    assert listed.source == str(tmp_path / "assets.csv")


def test_extra_columns_are_ignored_for_now(tmp_path):
    text = 'symbol,decimals,usdt_price,margin_tiers_ratio\nBTC,8,65100.22,"[0-10000:100]"\nETH,10,,\n'
    assert read_asset_list(write(tmp_path, "assets.csv", text)).assets == (Asset("BTC", 8), Asset("ETH", 10))


@pytest.mark.skipif(not BINANCE_ASSETS.exists(), reason="shared vectors not beside the checkout")
def test_binance_asset_configuration_is_read_at_8_decimals():
    listed = read_asset_list(BINANCE_ASSETS)
    assert listed.assets == tuple(Asset(symbol, 8) for symbol in ("btc", "eth", "bnb", "shib"))


@pytest.mark.parametrize(
    "text, pattern",
    [
        ("sym,decimals\nBTC,8\n", r":1: header must start with 'symbol'"),
        ("symbol,Decimals\nBTC,8\n", r":1: column name 'Decimals' is not lower-case"),
        ("symbol,decimals,decimals\nBTC,8,8\n", r":1: column 'decimals' appears twice"),
        ("symbol,price\nBTC,1\n", r":1: no 'decimals' column"),
        ("symbol,decimals\n", r":1: no assets"),
        ("symbol,decimals\nBTC,8\nETH,x\n", r":3: ETH: decimals must be a whole number 0..18, found 'x'"),
        ("symbol,decimals\nETH,-1\n", r":2: ETH: decimals must be a whole number"),
        ("symbol,decimals\nETH,\n", r":2: ETH: decimals must be a whole number"),
        ("symbol,decimals\nETH,19\n", r":2: ETH: decimals must be an integer in 0..18"),
        ("symbol,decimals\nB TC,8\n", r":2: invalid asset symbol 'B TC'"),
        ("symbol,decimals\nBTC,8,1\n", r":2: expected 2 columns, found 3"),
        ("symbol,decimals\nBTC,8\nETH,18\nBTC,8\n", r":4: asset 'BTC' is listed twice \(line 2\)"),
        ("symbol,decimals\nBTC,8\nbtc,8\n", r":3: asset 'btc' differs only in case from 'BTC' \(line 2\)"),
        ('symbol,decimals\n"BTC,8\n', r"malformed CSV"),
    ],
)
def test_refusals_name_file_and_line(tmp_path, text, pattern):
    path = write(tmp_path, "assets.csv", text)
    assert refused(path, pattern).startswith(f"{path}:")


def test_asset_list_in_code_refuses_case_twins():
    with pytest.raises(ValueError, match="'BTC' and 'btc' differ only in case"):
        AssetList((Asset("BTC"), Asset("btc")))


# --- the asset list applied to a users file ------------------------------------------------------------------


@pytest.fixture
def assets(tmp_path):
    return read_asset_list(write(tmp_path, "assets.csv", "symbol,decimals\nETH,12\nBTC,8\nUSDT,6\n"))


def test_users_are_read_at_the_declared_decimals_in_the_declared_order(tmp_path, assets):
    path = write(tmp_path, "users.csv", "id,USDT,ETH\nalice,1.5,0.000000000001\n")
    table = read_users(path, assets=assets)
    assert table.assets == [Asset("ETH", 12), Asset("BTC", 8), Asset("USDT", 6)]
    assert table.balances.tolist() == [[1, 0, 1_500_000]]
    assert table.balances.dtype == np.uint64


def test_header_decimals_must_agree_with_the_asset_list(tmp_path, assets):
    assert read_users(write(tmp_path, "ok.csv", "id,USDT:6\na,1\n"), assets=assets).balances[0, 2] == 1_000_000
    path = write(tmp_path, "users.csv", "id,USDT:8\na,1\n")
    with pytest.raises(UsersFileError) as caught:
        read_users(path, assets=assets)
    assert str(caught.value) == f"{path}:1: USDT: file states 8 decimals but {assets.source} declares 6"


def test_an_asset_missing_from_the_list_is_refused(tmp_path, assets):
    path = write(tmp_path, "users.csv", "id,BTC,DOGE\na,1,2\n")
    with pytest.raises(UsersFileError, match=rf"^{path}:1: unknown asset 'DOGE' \(not in .*assets.csv: ETH, BTC"):
        read_users(path, assets=assets)


def test_an_asset_list_and_a_conflicting_decimals_argument_is_a_caller_error(tmp_path, assets):
    with pytest.raises(ValueError, match="ETH: 18 decimals given but .* declares 12"):
        read_users(write(tmp_path, "users.csv", "id,ETH\na,1\n"), assets=assets, decimals={"ETH": 18})
