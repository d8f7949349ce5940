"""Choosing the users-file reader: `file_format`, or the content when it is unambiguous."""
import pytest

from prover.exchange.inputs import FORMATS, detect_format, read_users


@pytest.mark.parametrize(
    "text, expected",
    [
        ("id,BTC\na,1\n", "csv"),
        ("id,e_BTC\na,1\n", "csv"),  # no debt column: an asset literally named e_BTC
        ("rn,id,e_btc,d_btc\n", "binance"),
        ("id,e_btc,d_btc\n", "binance"),
        ("\"id\",\"e_btc\",\"d_btc\"\r\n", "binance"),
        ('[{"id": "a", "assets": {}}]', "okx-v2"),  # unsigned JSON is OKX v2's subset
        ('\n  {"id": "a"}', "okx-v2"),  # then refused as not an array
    ],
)
def test_detect_format(text, expected):
    assert detect_format(text) == expected


def test_formats_offered():
    assert FORMATS == ("csv", "json", "okx-v2", "binance")


def test_unknown_format_is_a_caller_error(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("id,BTC\na,1\n")
    with pytest.raises(ValueError, match="unknown users format 'xlsx'"):
        read_users(path, file_format="xlsx")


def test_a_json_file_named_csv_is_still_read_as_json(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text('[{"id": "a", "assets": {"BTC": "5"}}]')
    assert read_users(path, decimals={"BTC": 8}).balances.tolist() == [[5]]
