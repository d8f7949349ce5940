"""OKX-style users JSON (unsigned base units) and OKX v2's signed form; amounts at the declared decimals."""
import json

import numpy as np
import pytest
from paths import VECTORS
from users_files import assert_error as users_file_error
from users_files import write

from prover.exchange.inputs import Asset, AssetList, UsersFileError, read_users

# okx/proof-of-reserves-v2 @ eebb640b test-data/batch0.json: 8 accounts x 220 tokens, signed integer strings
OKX_V2 = VECTORS / "okx_v2_batch0.json"
needs_vectors = pytest.mark.skipif(not OKX_V2.exists(), reason="shared vectors not beside the checkout")

BTC_ETH = {"BTC": 8, "ETH": 8}


def write_json(tmp_path, records, name="users.json"):
    return write(tmp_path, name, "[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n")


def assert_error(path, pattern, **kwargs):
    kwargs.setdefault("decimals", BTC_ETH)
    return users_file_error(path, pattern, **kwargs)


# --- what loads ----------------------------------------------------------------------------------------------


def test_amounts_are_base_units_at_the_declared_decimals(tmp_path):
    """The issue's case: wei and 6-decimal USDT, read at their declared decimals, not at 8."""
    path = write_json(tmp_path, [{"id": "a", "assets": {"ETH": "1000000000000", "USDT": "1000000"}}])
    assets = AssetList((Asset("ETH", 12), Asset("USDT", 6)))
    table = read_users(path, assets=assets)
    assert table.assets == [Asset("ETH", 12), Asset("USDT", 6)]
    assert table.balances.tolist() == [[10**12, 10**6]]  # 1 ETH and 1 USDT


def test_undeclared_decimals_are_refused_not_assumed(tmp_path):
    path = write_json(tmp_path, [{"id": "a", "assets": {"BTC": "5"}}, {"id": "b", "assets": {"USDT": "1000000"}}])
    message = assert_error(path, "not declared", decimals={"BTC": 8})
    assert message.startswith(f"{path}:3: record 1: USDT: amounts are integer base units but USDT's decimals are "
                              "not declared; give an asset list")


def test_assets_union_in_first_seen_order(tmp_path):
    path = write_json(
        tmp_path,
        [{"id": "a", "assets": {"BTC": "5"}}, {"id": "b", "assets": {"ETH": "7", "BTC": "9223372036854775807"}}],
    )
    table = read_users(path, decimals=BTC_ETH)
    assert [a.symbol for a in table.assets] == ["BTC", "ETH"]
    assert table.balances.tolist() == [[5, 0], [2**63 - 1, 7]]


def test_explicit_asset_list_orders_and_fills_zeros(tmp_path):
    path = write_json(tmp_path, [{"id": "a", "assets": {"BTC": "5"}}])
    table = read_users(path, assets=AssetList((Asset("USDT", 6), Asset("BTC", 8))))
    assert table.assets == [Asset("USDT", 6), Asset("BTC", 8)]
    assert table.balances.tolist() == [[0, 5]]


def test_integer_amounts_are_exact(tmp_path):
    path = write(tmp_path, "users.json", '[{"id": "a", "assets": {"BTC": 9223372036854775807}}]')
    assert read_users(path, decimals=BTC_ETH).balances[0, 0] == 2**63 - 1


def test_json_and_csv_readers_agree(tmp_path):
    csv_path = write(tmp_path, "users.csv", "id,BTC,ETH\na,0.5,\nb,1,0.00000002\n")
    json_path = write_json(
        tmp_path, [{"id": "a", "assets": {"BTC": "50000000"}}, {"id": "b", "assets": {"BTC": "100000000", "ETH": "2"}}]
    )
    from_csv, from_json = read_users(csv_path), read_users(json_path, decimals=BTC_ETH)
    assert from_csv.ids == from_json.ids and from_csv.assets == from_json.assets
    assert np.array_equal(from_csv.balances, from_json.balances)


def test_okx_v2_equity_only_file_loads(tmp_path):
    path = write_json(tmp_path, [{"id": "a", "assets": {"BTC": "5", "ETH": "0"}}, {"id": "b", "assets": {"ETH": "-0"}}])
    table = read_users(path, decimals=BTC_ETH, file_format="okx-v2")
    assert table.balances.tolist() == [[5, 0], [0, 0]]


def test_cap_is_stated_with_the_decimals_that_fit(tmp_path):
    path = write_json(tmp_path, [{"id": "a", "assets": {"ETH": "10000000000000000000"}}])
    message = assert_error(path, "cap", assets=AssetList((Asset("ETH", 18),)), decimals=None)
    assert message == (f"{path}:2: record 0: user 'a': ETH: 10 at 18 decimals is 1.0e19 base units, not below the "
                       "2^63 cap; at most 17 decimals fit this balance")


# --- OKX v2's sample ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def okx_v2_decimals():
    return {symbol: 8 for symbol in json.loads(OKX_V2.read_text())[0]["assets"]}


@needs_vectors
def test_okx_v2_sample_needs_declared_decimals():
    with pytest.raises(UsersFileError) as caught:
        read_users(OKX_V2)
    assert str(caught.value).startswith(f"{OKX_V2}:5: record 0: BTC: amounts are integer base units but BTC's "
                                        "decimals are not declared")


@needs_vectors
def test_okx_v2_sample_debt_is_refused_until_the_margin_policy(okx_v2_decimals):
    """Record 0 holds "ETH": "-1" on line 6: that is debt, detected as OKX v2 from the content."""
    with pytest.raises(UsersFileError) as caught:
        read_users(OKX_V2, decimals=okx_v2_decimals)
    assert str(caught.value) == (
        f"{OKX_V2}:6: record 0: user '0ca5a8a06ad2f88d6b95d219d1018ccc7c1777c557b1a2a72db413eef6264bb0': ETH: "
        "debt of 0.00000001 (-1 base units) needs the margin policy (--policy margin); the plain policy loads only "
        "equity-only rows"
    )


@needs_vectors
def test_okx_v2_sample_without_its_debts_loads(tmp_path, okx_v2_decimals):
    records = json.loads(OKX_V2.read_text())
    equity_only = [{"id": r["id"], "assets": {s: a for s, a in r["assets"].items() if not a.startswith("-")}}
                   for r in records]
    table = read_users(write(tmp_path, "v2.json", json.dumps(equity_only, indent=4)), decimals=okx_v2_decimals,
                       file_format="okx-v2")
    assert len(table.ids) == 8 and len(table.assets) == 220
    expected = [sum(int(r["assets"][a.symbol]) for r in equity_only if a.symbol in r["assets"]) for a in table.assets]
    assert table.totals() == expected


@needs_vectors
def test_okx_v2_sample_read_as_unsigned_json_names_the_format(okx_v2_decimals):
    with pytest.raises(UsersFileError, match=r":6: record 0: user '0ca5.*': ETH: negative amount '-1' \(OKX v2 debt "
                                             r"is read with the okx-v2 format and needs the margin policy\)"):
        read_users(OKX_V2, decimals=okx_v2_decimals, file_format="json")


# --- refusals: file, line, record, user, asset -----------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_record, pattern",
    [
        ({"id": "b", "assets": {"BTC": "-5"}}, "user 'b': BTC: debt of 0.00000005 .* needs the margin policy"),
        ({"id": "b", "assets": {"BTC": -5}}, "user 'b': BTC: debt of 0.00000005"),
        ({"id": "b", "assets": {"BTC": "9223372036854775808"}}, r"user 'b': BTC: .*not below the 2\^63 cap"),
        ({"id": "b", "assets": {"BTC": "0.5"}}, "BTC: more than 0 decimals"),
        ({"id": "b", "assets": {"BTC": 5.0}}, "BTC: amount must be a string of integer base units"),
        ({"id": "b", "assets": {"BTC": "1e5"}}, "BTC: not a plain decimal amount"),
        ({"id": "b", "assets": {"BTC": "--5"}}, "BTC: negative amount '-5'"),
        ({"id": "b", "assets": {"BTC": True}}, "BTC: amount must be a string"),
        ({"id": "a", "assets": {"BTC": "1"}}, r"duplicate id 'a' \(first on record 0\)"),
        ({"id": "", "assets": {}}, "empty id"),
        ({"id": "  ", "assets": {}}, "empty id"),
        ({"id": "b\u200d", "assets": {}}, "control or invisible character, U\\+200D ZERO WIDTH JOINER"),
        ({"id": 7, "assets": {}}, "id must be a string"),
        ({"id": "b"}, 'exactly the keys "id" and "assets"'),
        ({"id": "b", "assets": {}, "debt": {}}, 'exactly the keys "id" and "assets"'),
        ({"id": "b", "assets": ["BTC"]}, '"assets" must be an object'),
        (["b"], 'exactly the keys "id" and "assets"'),
        ({"id": "b", "assets": {"b@d": "1"}}, "invalid asset symbol"),
        ({"id": "b", "assets": {"btc": "1"}}, "assets 'BTC' and 'btc' differ only in case"),
    ],
)
def test_refusals_name_record_and_line(tmp_path, bad_record, pattern):
    path = write_json(tmp_path, [{"id": "a", "assets": {"BTC": "1"}}, {"id": "c", "assets": {}}, bad_record])
    assert_error(path, f"^{path}:4: record 2: (.* )?{pattern}")


def test_unsigned_json_refuses_a_negative_amount(tmp_path):
    path = write_json(tmp_path, [{"id": "a", "assets": {"BTC": "-5"}}])
    assert_error(path, r":2: record 0: user 'a': BTC: negative amount '-5'", file_format="json")


def test_unknown_asset(tmp_path):
    path = write_json(tmp_path, [{"id": "a", "assets": {"BTC": "1"}}, {"id": "b", "assets": {"DOGE": "1"}}])
    assert_error(path, r":3: record 1: unknown asset 'DOGE'", assets=AssetList((Asset("BTC"),)), decimals=None)


def test_error_names_the_line_of_the_asset_within_a_long_record(tmp_path):
    record = {"id": "a", "assets": {"BTC": "1", "ETH": "-3"}}
    path = write(tmp_path, "users.json", json.dumps([record], indent=4))
    assert_error(path, r":6: record 0: user 'a': ETH: debt")


def test_repeated_key_is_refused_on_its_record_line(tmp_path):
    text = '[{"id": "a", "assets": {}},\n {"id": "b", "assets": {"BTC": "1", "BTC": "2"}}]'
    assert_error(write(tmp_path, "users.json", text), r":2: record 1: key 'BTC' appears twice")


def test_nan_is_refused(tmp_path):
    assert_error(write(tmp_path, "users.json", '[\n{"id": "a", "assets": {"BTC": NaN}}]'), r":2: record 0: NaN")


def test_line_of_a_record_on_a_compact_line(tmp_path):
    text = '[{"id": "a", "assets": {}}, {"id": "b", "assets": {}},\n\n {"id": "a", "assets": {}}]'
    assert_error(write(tmp_path, "users.json", text), r":3: record 2: duplicate id")


@pytest.mark.parametrize(
    "text, pattern",
    [
        ("", ":1: empty file"),
        ("[]", ":1: no users"),
        ('{"id": "a"}', ":1: expected a JSON array"),
        ('{"id": "a", "id": "b"}', ":1: not a users array: key 'id' appears twice"),
        ('[\n{"id": "a", "assets": {}},\n{"id": ]', ":3: invalid JSON"),
    ],
)
def test_whole_file_problems(tmp_path, text, pattern):
    assert_error(write(tmp_path, "users.json", text), pattern)


def test_floor_does_not_apply_to_base_units(tmp_path):
    with pytest.raises(ValueError, match="floor does not apply to JSON"):
        read_users(write_json(tmp_path, [{"id": "a", "assets": {}}]), decimals=BTC_ETH, floor=True)


def test_a_bare_symbol_list_does_not_declare_decimals(tmp_path):
    path = write_json(tmp_path, [{"id": "a", "assets": {"BTC": "5"}}])
    assert_error(path, r":1: BTC: amounts are integer base units but BTC's decimals are not declared",
                 assets=["BTC"], decimals=None)
