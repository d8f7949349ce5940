"""Amounts at the declared decimals: the 2^63 cap stated with the decimals that fit, and the explicit floor."""
import pytest
from users_files import write

from prover.exchange.inputs import Asset, AssetList, Floored, UsersFileError, read_users
from prover.exchange.inputs.scaling import Scaler, capped
from verifier.formats.amounts import AmountError


def test_cap_message_says_which_decimals_fit(tmp_path):
    path = write(tmp_path, "users.csv", "id,ETH\nwhale,12345678901.5\n")
    with pytest.raises(UsersFileError) as caught:
        read_users(path, assets=AssetList((Asset("ETH", 18),)))
    assert str(caught.value) == (f"{path}:2: user 'whale': ETH: 12345678901.5 at 18 decimals is 1.2e28 base units, "
                                 "not below the 2^63 cap; at most 8 decimals fit this balance")


@pytest.mark.parametrize(
    "units, decimals, advice",
    [
        (2**63, 8, "at most 7 decimals fit"),
        (2**63, 0, "it does not fit at any number of decimals"),
        (10**19, 18, "at most 17 decimals fit"),  # 10 ETH in wei
        (92 * 10**18, 18, "at most 17 decimals fit"),
        (93 * 10**18, 18, "at most 16 decimals fit"),
    ],
)
def test_capped(units, decimals, advice):
    with pytest.raises(AmountError, match=advice):
        capped(units, decimals)
    assert capped(2**63 - 1, decimals) == 2**63 - 1


def test_finer_precision_is_refused_by_default_naming_the_asset(tmp_path):
    path = write(tmp_path, "users.csv", "id,USDT:6\na,1\nb,0.1234567\n")
    with pytest.raises(UsersFileError) as caught:
        read_users(path)
    assert str(caught.value) == (f"{path}:3: user 'b': USDT: more than 6 decimals in '0.1234567', the decimals "
                                 "declared for it (flooring needs the explicit option)")


def test_zeros_beyond_the_decimals_are_exact_not_floored(tmp_path):
    table = read_users(write(tmp_path, "users.csv", "id,USDT:6\na,1.5000000000\n"), floor=True)
    assert table.balances.tolist() == [[1_500_000]] and table.floored == ()


def test_floor_truncates_and_reports_exactly_what_it_dropped(tmp_path):
    text = "id,USDT:6,BTC,ETH:12\na,0.1234567,1,0.1234567890129\nb,2.00000009,,\nc,1,0.5,1\n"
    table = read_users(write(tmp_path, "users.csv", text), floor=True)
    assert table.balances.tolist() == [[123_456, 10**8, 123_456_789_012], [2_000_000, 0, 0], [10**6, 5 * 10**7, 10**12]]
    assert table.floored == (Floored("USDT", 2, "0.00000079"), Floored("ETH", 1, "0.0000000000009"))


def test_floor_applies_to_binance_files_too(tmp_path):
    path = write(tmp_path, "users.csv", "rn,id,e_btc,d_btc\n0,a,0.123456789,0\n")
    table = read_users(path, floor=True)
    assert table.balances.tolist() == [[12_345_678]] and table.floored == (Floored("btc", 1, "0.000000009"),)


def test_floored_amounts_still_respect_the_cap(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC\na,92233720368.547758089\n")
    with pytest.raises(UsersFileError, match=r":2: user 'a': BTC: 92233720368.54775808 at 8 decimals .* 2\^63 cap"):
        read_users(path, floor=True)


def test_scaler_keeps_columns_apart():
    scaler = Scaler(floor=True)
    assert scaler.units("0.129", 2, column=1) == 12
    assert scaler.units("0.001", 2, column=0) == 0
    assert scaler.floored(["A", "B"]) == (Floored("A", 1, "0.001"), Floored("B", 1, "0.009"))


def test_debt_is_never_floored_away(tmp_path):
    path = write(tmp_path, "users.csv", "rn,id,e_btc,d_btc\n0,a,1,0.000000001\n")
    with pytest.raises(UsersFileError, match=r":2: user 'a': btc: more than 8 decimals in '0.000000001'$"):
        read_users(path, floor=True)
