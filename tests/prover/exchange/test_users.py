import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from users_files import assert_error, write

from prover.exchange.inputs import Asset, UserTable, read_users
from verifier.formats.amounts import format_amount

# --- CSV: what is accepted -----------------------------------------------------------------------------------


def test_csv_amounts_become_exact_base_units(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC,USDT:6\nalice,0.5,12\nbob,,0.000001\n")
    table = read_users(path)
    assert table.assets == [Asset("BTC", 8), Asset("USDT", 6)]
    assert table.ids == ["alice", "bob"]
    assert table.balances.dtype == np.uint64
    assert table.balances.tolist() == [[50_000_000, 12_000_000], [0, 1]]
    assert table.totals() == [50_000_000, 12_000_001]


def test_csv_largest_allowed_balance_and_utf8_bom(tmp_path):
    path = tmp_path / "users.csv"
    path.write_bytes("\ufeffid,BTC\nzoë,92233720368.54775807\n".encode("utf-8"))
    table = read_users(path)
    assert table.ids == ["zoë"]
    assert table.balances[0, 0] == 2**63 - 1


def test_csv_allow_list_sets_the_asset_order_and_missing_columns_are_zero(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC\nalice,1\n")
    table = read_users(path, assets=["ETH", "BTC"])
    assert [a.symbol for a in table.assets] == ["ETH", "BTC"]
    assert table.balances.tolist() == [[0, 100_000_000]]


def test_decimals_argument_sets_the_scale(tmp_path):
    path = write(tmp_path, "users.csv", "id,USDT\nalice,1.5\n")
    table = read_users(path, decimals={"USDT": 6})
    assert table.assets == [Asset("USDT", 6)]
    assert table.balances[0, 0] == 1_500_000


def test_decimals_argument_agreeing_with_the_header_is_fine(tmp_path):
    path = write(tmp_path, "users.csv", "id,USDT:6\nalice,1.5\n")
    assert read_users(path, decimals={"USDT": 6}).balances[0, 0] == 1_500_000


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    balances=st.lists(
        st.lists(st.integers(min_value=0, max_value=2**63 - 1), min_size=3, max_size=3), min_size=1, max_size=8
    ),
    decimals=st.lists(st.integers(min_value=0, max_value=18), min_size=3, max_size=3),
)
def test_csv_round_trip_is_exact(tmp_path, balances, decimals):
    header = ",".join(["id"] + [f"A{j}:{d}" for j, d in enumerate(decimals)])
    lines = [header] + [
        ",".join([f"user{i}"] + [format_amount(b, d) for b, d in zip(row, decimals)]) for i, row in enumerate(balances)
    ]
    table = read_users(write(tmp_path, "users.csv", "\n".join(lines) + "\n"))
    assert table.balances.tolist() == balances
    assert table.totals() == [sum(column) for column in zip(*balances)]


# --- CSV: every refusal names the file and line --------------------------------------------------------------


def test_negative_amount(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC\nalice,1\nbob,-0.5\n")
    message = assert_error(path, "negative amount '-0.5'")
    assert message == f"{path}:3: user 'bob': BTC: negative amount '-0.5'"


def test_more_decimals_than_the_asset_allows(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC,USDT:6\nalice,1,0.0000001\n")
    assert_error(path, r":2: user 'alice': USDT: more than 6 decimals in '0.0000001', the decimals declared for it")


def test_balance_of_two_to_the_63_base_units(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC\nalice,92233720368.54775808\n")
    message = assert_error(path, r":2: user 'alice': BTC: 92233720368.54775808 at 8 decimals is 9.2e18 base units")
    assert message.endswith("not below the 2^63 cap; at most 7 decimals fit this balance")


def test_huge_balance(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC\nalice,1" + "0" * 30 + "\n")
    assert_error(path, r":2: user 'alice': BTC: .* is 1.0e38 base units, not below the 2\^63 cap; it does not fit")


def test_duplicate_id(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC\nalice,1\nbob,2\nalice,3\n")
    assert_error(path, r":4: duplicate id 'alice' \(first on line 2\)")


def test_unknown_asset_in_header(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC,XRP\nalice,1,2\n")
    assert_error(path, r":1: unknown asset 'XRP'", assets=["BTC", "ETH"])


def test_asset_twice_in_header(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC,BTC\nalice,1,2\n")
    assert_error(path, r":1: asset 'BTC' appears twice")


def test_header_decimals_conflicting_with_configuration(tmp_path):
    path = write(tmp_path, "users.csv", "id,USDT:6\nalice,1\n")
    assert_error(path, r":1: USDT: file states 6 decimals but configuration declares 8", decimals={"USDT": 8})


@pytest.mark.parametrize("header", ["user,BTC", "id,BTC:x", "id,BTC:99", "id,B TC", "id,"])
def test_malformed_header(tmp_path, header):
    assert_error(write(tmp_path, "users.csv", f"{header}\nalice,1\n"), r":1: ")


@pytest.mark.parametrize(
    "row, pattern",
    [
        ("alice,1", "expected 3 columns, found 2"),
        ("alice,1,2,3", "expected 3 columns, found 4"),
        ("", "expected 3 columns, found 0"),
        ("alice,abc,1", "ETH: not a plain decimal amount 'abc'"),
        ("alice,1e5,1", "ETH: not a plain decimal amount '1e5'"),
        ("alice,1,1E-5", "BTC: not a plain decimal amount"),
        ("alice, 1,1", "ETH: not a plain decimal amount ' 1'"),
        ("alice,1_000,1", "ETH: not a plain decimal amount"),
        (",1,1", "empty id"),
        ("   ,1,1", "empty id"),
        (" alice,1,1", "leading or trailing whitespace"),
        ("al\x07ice,1,1", "control or invisible character, U\\+0007"),
        ("al\u200bice,1,1", "control or invisible character, U\\+200B ZERO WIDTH SPACE"),
        ("x" * 257 + ",1,1", "longer than 256 UTF-8 bytes"),
        ("é" * 129 + ",1,1", "longer than 256 UTF-8 bytes"),
    ],
)
def test_malformed_row(tmp_path, row, pattern):
    path = write(tmp_path, "users.csv", f"id,ETH,BTC\nbob,1,1\n{row}\ncarol,1,1\n")
    assert_error(path, f"^{path}:3: (.* )?{pattern}")


def test_id_of_exactly_256_bytes_is_accepted(tmp_path):
    user_id = "é" * 128
    assert read_users(write(tmp_path, "users.csv", f"id,BTC\n{user_id},1\n")).ids == [user_id]


def test_unterminated_quote_is_malformed_csv(tmp_path):
    assert_error(write(tmp_path, "users.csv", 'id,BTC\n"alice,1\n'), "malformed CSV")


def test_invalid_utf8_names_its_line(tmp_path):
    path = tmp_path / "users.csv"
    path.write_bytes(b"id,BTC\nalice,1\nb\xffb,1\n")
    assert_error(path, r":3: not valid UTF-8")


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_empty_file(tmp_path, text):
    assert_error(write(tmp_path, "users.csv", text), r":1: empty file")


def test_no_users(tmp_path):
    assert_error(write(tmp_path, "users.csv", "id,BTC\n"), r":1: no users")


def test_no_assets(tmp_path):
    assert_error(write(tmp_path, "users.csv", "id\nalice\n"), "no assets")


def test_caller_mistakes_are_not_file_errors(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC\nalice,1\n")
    with pytest.raises(ValueError, match="twice"):
        read_users(path, assets=["BTC", "BTC"])
    with pytest.raises(TypeError):
        read_users(path, assets="BTC")
    with pytest.raises(ValueError, match="decimals"):
        read_users(path, decimals={"BTC": 19})


# --- the table itself ----------------------------------------------------------------------------------------


def test_totals_are_exact_beyond_uint64():
    balances = np.full((4, 1), 2**63 - 1, dtype=np.uint64)
    table = UserTable(assets=[Asset("BTC")], ids=["a", "b", "c", "d"], balances=balances)
    assert table.totals() == [4 * (2**63 - 1)]


def test_table_refuses_balances_at_or_above_two_to_the_63():
    with pytest.raises(ValueError, match="2\\^63"):
        UserTable(assets=[Asset("BTC")], ids=["a"], balances=np.array([[2**63]], dtype=np.uint64))


def test_table_refuses_wrong_dtype_or_shape():
    with pytest.raises(ValueError):
        UserTable(assets=[Asset("BTC")], ids=["a"], balances=np.array([[1]], dtype=np.int64))
    with pytest.raises(ValueError):
        UserTable(assets=[Asset("BTC")], ids=["a", "b"], balances=np.zeros((1, 1), dtype=np.uint64))


# --- assets: case, declared decimals, the asset list --------------------------------------------------------


def test_symbols_differing_only_in_case_are_refused_naming_both(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC,btc\nalice,1,2\n")
    assert assert_error(path, "differ") == f"{path}:1: assets 'BTC' and 'btc' differ only in case"


def test_symbols_are_case_sensitive_against_a_declared_list(tmp_path):
    path = write(tmp_path, "users.csv", "id,btc\nalice,1\n")
    assert_error(path, r":1: unknown asset 'btc' \(configuration has 'BTC'; symbols are case-sensitive\)",
                 assets=["BTC"])


def test_an_id_equal_after_nfc_is_a_duplicate(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC\nzo\u00eb,1\nbob,1\nzoe\u0308,1\n")
    message = assert_error(path, "duplicate")
    assert message == (f"{path}:4: duplicate id 'zoe\u0308' (first on line 2, written 'zo\u00eb': equal after "
                       "NFC normalization)")


def test_ids_are_stored_nfc_normalized(tmp_path):
    table = read_users(write(tmp_path, "users.csv", "id,BTC\nzoe\u0308,1\n"))
    assert table.ids == ["zo\u00eb"]


def test_a_refused_file_writes_nothing(tmp_path):
    path = write(tmp_path, "users.csv", "id,BTC\nalice,-1\n")
    before = sorted(tmp_path.iterdir())
    assert_error(path, "negative")
    assert sorted(tmp_path.iterdir()) == before
