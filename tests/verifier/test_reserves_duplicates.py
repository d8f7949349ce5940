"""Each address counts once per asset and chain (SPEC §5): the same address under two spellings of one network
(BTC/Bitcoin, ETH/ERC20, TRX/TRC20), in another case or encoding, is refused naming both lines, or counted once
with --dedupe-addresses; an unknown network names its line; one snapshot balance backs one row."""
import csv
import io
import json
import re
from fractions import Fraction

import pytest
from click.testing import CliRunner
from paths import VECTORS
from round_fixtures import TEST_FLOOR, prove_totals

from prover.cli import main as por
from prover.reserves.generate import (
    BIP137_P2WPKH,
    evm_account,
    generate_reserves,
    private_key,
    public_key,
    sign_bitcoin_message,
    sign_personal_message,
)
from verifier.cli import main as por_verify
from verifier.reserves import bitcoin_address, networks
from verifier.reserves.balances import read_balances
from verifier.reserves.check import check_reserves
from verifier.reserves.csvfile import read_reserves
from verifier.reserves.duplicates import find_repeats
from verifier.reserves.errors import ReservesInputError
from verifier.reserves.evm import checksum_address
from verifier.reserves.liabilities import verified_liabilities
from verifier.reserves.personal_message import ETHEREUM_PREFIX, TRON_PREFIX
from verifier.reserves.summary import summary_json
from verifier.reserves.tron import encode_tron_address

ASSETS = [("BTC", 8, "10"), ("ETH", 8, "20"), ("USDT", 6, "1000")]
FLOOR = ["--min-security", str(TEST_FLOOR)]  # the test preset's round
HALF = {"BTC": Fraction(1, 2), "ETH": Fraction(1, 2), "USDT": Fraction(1, 2)}
ALIASES = {"BTC": "Bitcoin", "ETH": "ERC20", "ARBITRUM": "ETH-ARBITRUM", "TRX": "TRC20"}
HEADER = "coin,Network,Snapshot Height,address,amount,message,signature1,signature2,redeem script/ public key, eoa1, eoa2"
MESSAGE = "I control this address for proof of reserves por-round:2024-08"


def address_rows(text: str) -> list[list[str]]:
    """The address rows of a generated reserves file (after its totals block and header)."""
    return list(csv.reader(io.StringIO(text.split(HEADER + "\n", 1)[1])))


def write_rows(path, rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([HEADER.split(",")] + rows)
    path.write_text(out.getvalue())
    return str(path)


def snapshot(path, rows: list[list[str]]) -> str:
    """What a node reports: each (coin, address) once, whatever network name the file used."""
    seen = {}
    for row in rows:
        seen.setdefault((row[0], networks.address_key(row[3])), row)
    lines = ["address,asset,amount,height"] + [f"{r[3]},{r[0]},{r[4]},{r[2]}" for r in seen.values()]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture(scope="module")
def attack(tmp_path_factory):
    """An exchange holding 50% of every asset lists each address twice, under two spellings of its network."""
    directory = tmp_path_factory.mktemp("duplicates") / "round"
    prove_totals(directory, "2024-08", ASSETS)
    public = json.loads((directory / "public.json").read_text())
    honest = address_rows(generate_reserves(public, HALF, seed=3))
    doubled = honest + [[row[0], ALIASES[row[1]], *row[2:]] for row in honest]
    write_rows(directory / "honest.csv", honest)
    write_rows(directory / "attack.csv", doubled)
    snapshot(directory / "snapshot.csv", doubled)
    # Counted twice, the listed amounts would cover every liability exactly: the verdict would be FULLY BACKED.
    listed = {}
    for row in read_reserves(str(directory / "attack.csv")).rows:
        listed[networks.base_asset(row.coin)] = listed.get(networks.base_asset(row.coin), 0) + row.amount
    assert all(listed[asset.symbol] >= asset.total for asset in _liabilities(directory).assets)
    return directory


def _liabilities(round_dir):
    return verified_liabilities(round_dir, TEST_FLOOR)


@pytest.mark.parametrize("balances", [None, "snapshot.csv"])
def test_fifty_percent_reserves_listed_under_aliases_are_refused(attack, balances):
    balances_path = str(attack / balances) if balances else None
    public = json.loads((attack / "public.json").read_text())
    first_alias = len(address_rows(generate_reserves(public, HALF, seed=3))) + 2
    with pytest.raises(ReservesInputError, match=re.escape(f"{attack / 'attack.csv'}:{first_alias}: ") +
                       r"BTC address \S+ \(network Bitcoin\) is already listed on line 2 for the same asset and chain"):
        check_reserves(str(attack / "attack.csv"), _liabilities(attack), jobs=1, balances_path=balances_path)


@pytest.mark.parametrize("balances", [None, "snapshot.csv"])
def test_with_dedupe_each_address_counts_once_and_is_not_fully_backed(attack, balances):
    balances_path = str(attack / balances) if balances else None
    result = summary_json(check_reserves(str(attack / "attack.csv"), _liabilities(attack), jobs=1,
                                         balances_path=balances_path, dedupe_addresses=True))
    assert result["fully_backed"] is False and result["rejected"] == []
    assert [a["ratio_percent"] for a in result["assets"]] == ["50.00%", "50.00%", "50.00%"]
    honest = summary_json(check_reserves(str(attack / "honest.csv"), _liabilities(attack), jobs=1, balances_path=balances_path))
    assert result["assets"] == honest["assets"]
    rows = read_reserves(str(attack / "attack.csv")).rows
    half = len(rows) // 2
    assert [(d["line"], d["reason"]) for d in result["duplicates"]] == [
        (row.line, f"repeats line {row.line - half} (same asset, chain and address): counted once")
        for row in rows[half:]]
    assert any(f"{half} row(s) repeat an address" in warning for warning in result["warnings"])


def test_cli_refuses_with_exit_2_and_dedupe_flag_reports_the_shortfall(attack, tmp_path):
    runner = CliRunner()
    base = ["reserves", str(attack / "attack.csv"), "--liabilities", str(attack / "public.json"), "--jobs", "1",
            *FLOOR]
    refused = runner.invoke(por_verify, base)
    assert refused.exit_code == 2 and "already listed on line 2" in refused.output
    assert "--dedupe-addresses" in refused.output and "Traceback" not in refused.output

    counted_once = runner.invoke(por_verify, base + ["--dedupe-addresses"])
    assert counted_once.exit_code == 1 and counted_once.output.startswith("NOT FULLY BACKED: BTC 50.00%")
    assert "repeat an address already listed" in counted_once.output
    assert "Duplicates (not counted again" in counted_once.output

    report_args = ["report", str(attack), "--reserves", str(attack / "attack.csv"), "--jobs", "1", *FLOOR]
    assert runner.invoke(por, report_args + ["--out", str(tmp_path / "refused")]).exit_code == 2
    assert not (tmp_path / "refused").exists()
    reported = runner.invoke(por, report_args + ["--out", str(tmp_path / "out"), "--dedupe-addresses"])
    assert reported.exit_code == 1 and "WARNING:" in reported.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["fully_backed"] is False
    assert len(report["duplicates"]) == len(read_reserves(str(attack / "attack.csv")).rows) // 2
    assert "## Duplicates (not counted again" in (tmp_path / "out" / "report.md").read_text()


def evm_row(coin, network, address, seed=11):
    key = private_key(seed, "dup/evm")
    return [coin, network, "1", address, "1", MESSAGE, sign_personal_message(key, ETHEREUM_PREFIX, MESSAGE),
            "", "", "", ""]


def evm_address(seed=11):
    return checksum_address(evm_account(private_key(seed, "dup/evm")))


def repeats_of(tmp_path, rows):
    return find_repeats(read_reserves(write_rows(tmp_path / "r.csv", rows)))


def test_evm_addresses_compare_case_and_checksum_insensitively(tmp_path):
    address = evm_address()
    assert address != address.lower()
    rows = [evm_row("ETH", "ETH", address), evm_row("ETH", "Ethereum", address.lower()),
            evm_row("ETH", "erc20", "0X" + address[2:].upper()), evm_row("USDT", "ETH", address),
            evm_row("USDT-ERC20", "ERC20", address.lower())]
    assert repeats_of(tmp_path, rows) == {3: 2, 4: 2, 6: 5}  # USDT and USDT-ERC20 count toward one asset


def test_same_address_on_another_chain_or_asset_counts_separately(tmp_path):
    address = evm_address()
    rows = [evm_row("ETH", "ETH", address), evm_row("ETH-ARBITRUM", "ARBITRUM", address),
            evm_row("ETH", "BSC", address), evm_row("USDT-ERC20", "ETH", address)]
    assert repeats_of(tmp_path, rows) == {}
    result = summary_json(check_reserves(str(tmp_path / "r.csv"), jobs=1))
    assert result["rejected"] == []
    assert [(a["symbol"], a["reserves"]) for a in result["assets"]] == [("ETH", "3"), ("USDT", "1")]


def test_bech32_upper_and_lower_case_are_one_address(tmp_path):
    lower = bitcoin_address.p2wpkh(bytes.fromhex("02" + "11" * 32))
    rows = [["BTC", "BTC", "1", lower, "1", MESSAGE, "sig", "", "", "", ""],
            ["BTC", "Bitcoin", "1", lower.upper(), "1", MESSAGE, "sig", "", "", "", ""],
            ["BTC", "BTC", "1", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "1", MESSAGE, "sig", "", "", "", ""],
            ["BTC", "BTC", "1", "1bgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "1", MESSAGE, "sig", "", "", "", ""]]
    assert repeats_of(tmp_path, rows) == {3: 2}  # base58 is case-sensitive: another (invalid) address


def test_an_upper_case_bech32_row_verifies(tmp_path):
    key = private_key(5, "dup/btc")
    address = bitcoin_address.p2wpkh(public_key(key)).upper()
    path = write_rows(tmp_path / "r.csv", [["BTC", "Bitcoin", "1", address, "2", MESSAGE,
                                            sign_bitcoin_message(key, MESSAGE, BIP137_P2WPKH), "", "", "", ""]])
    result = summary_json(check_reserves(path, jobs=1))
    assert result["rejected"] == [] and result["assets"][0]["reserves"] == "2"


def test_tron_base58_and_hex_forms_under_trx_trc20_and_tron_are_one_address(tmp_path):
    key = private_key(7, "dup/tron")
    account = evm_account(key)
    address = encode_tron_address(account)
    signature = sign_personal_message(key, TRON_PREFIX, MESSAGE, "length-prefixed")
    row = ["USDT-TRC20", "TRX", "1", address, "5", MESSAGE, signature, "", "", "", ""]
    rows = [row, [*row[:1], "TRC20", *row[2:]], ["USDT", "Tron", "1", "41" + account.hex().upper(), *row[4:]]]
    assert repeats_of(tmp_path, rows) == {3: 2, 4: 2}
    assert networks.address_key(address) == "41" + account.hex()
    result = summary_json(check_reserves(str(tmp_path / "r.csv"), jobs=1, dedupe_addresses=True))
    assert result["assets"][0]["reserves"] == "5" and [d["line"] for d in result["duplicates"]] == [3, 4]


def test_unknown_network_is_an_error_naming_the_line(tmp_path):
    rows = [evm_row("ETH", "ETH", evm_address()), evm_row("ETH", "Ethereum Mainnet-ish", evm_address(12))]
    path = write_rows(tmp_path / "r.csv", rows)
    with pytest.raises(ReservesInputError, match=re.escape(f"{path}:3: field 'Network': unknown network "
                                                           "'Ethereum Mainnet-ish'")):
        check_reserves(path, jobs=1)
    result = CliRunner().invoke(por_verify, ["reserves", path, "--jobs", "1"])
    assert result.exit_code == 2 and f"{path}:3" in result.output


def test_network_spellings_of_okx_and_binance_map_to_one_chain():
    same = [("BTC", "Bitcoin"), ("ETH", "ERC20", "Ethereum", "Ethereum (ERC20)"), ("TRX", "TRC20", "TRON", "Tron"),
            ("BSC", "BEP20", "BNB Smart Chain (BEP20)"), ("Polygon", "MATIC", "POLY"), ("AVAXC", "AVAX-C", "Avalanche"),
            ("Arbitrum", "ARBITRUM ONE", "ETH-ARBITRUM", "eth_arbitrum"), ("Optimism", "ETH-OPTIMISM", "OP Mainnet"),
            ("APTOS", "APT"), ("TON", "Toncoin")]
    chains = [{networks.chain_for(name) for name in spellings} for spellings in same]
    assert all(len(found) == 1 and None not in found for found in chains)
    assert len({found.pop().name for found in chains}) == len(same)  # and no two groups share a chain
    assert networks.chain_for("ETH") != networks.chain_for("BSC") and networks.chain_for("FOO") is None


def test_okx_vectors_still_parse_and_verify():
    for name, counted in (("okx_por_example.csv", 3), ("okx_por_staking_example.csv", 3)):
        reserves = read_reserves(str(VECTORS / name))
        assert find_repeats(reserves) == {}
        result = summary_json(check_reserves(str(VECTORS / name), jobs=1))
        assert result["rejected"] == [] and result["duplicates"] == []
        assert result["assets"][0]["verified_rows"] == counted


# --- The balances snapshot -------------------------------------------------------------------------------------

def snapshot_text(path, lines: list[str]) -> str:
    path.write_text("\n".join(["address,asset,amount,height"] + lines) + "\n")
    return str(path)


@pytest.mark.parametrize("first,second", [
    ("0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E", "0X5CE9454909639D2D17A3F753CE7D93FA0B9AB12E"),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"),
    (encode_tron_address(bytes(range(20))), "41" + bytes(range(20)).hex()),
])
def test_snapshot_rows_under_another_spelling_are_refused(tmp_path, first, second):
    path = snapshot_text(tmp_path / "s.csv", [f"{first},USDT,1,5", f"{second},usdt,2,5"])
    with pytest.raises(ReservesInputError, match=re.escape(f"{path}:3: ") + ".*listed twice \\(first on line 2\\)"):
        read_balances(path)


def test_one_snapshot_balance_backs_one_reserves_row(tmp_path):
    """The same EVM address on two chains, under one coin name: the snapshot (keyed by coin) lists one balance,
    which must not back both rows."""
    address = evm_address()
    path = write_rows(tmp_path / "r.csv", [evm_row("USDT", "ETH", address), evm_row("USDT", "ARBITRUM", address)])
    balances = snapshot_text(tmp_path / "s.csv", [f"{address.lower()},USDT,1,1"])
    trusted = summary_json(check_reserves(path, jobs=1))
    assert trusted["assets"][0]["reserves"] == "2"  # two chains: not a duplicate by itself
    summary = check_reserves(path, jobs=1, balances_path=balances)
    assert [(n.row.line, n.reason) for n in summary.rejected] == [
        (3, f"the balance in {balances}:2 already backs line 2: one snapshot balance backs one reserves row")]
    assert summary.assets[0].reserves == 1


def test_duplicates_are_not_compared_with_the_snapshot_nor_verified(tmp_path):
    """With --dedupe-addresses a repeat is listed, never checked: a bad signature on it cannot fail the file,
    and it does not claim the snapshot balance its first row uses."""
    address = evm_address()
    bad = evm_row("ETH", "ERC20", address)
    bad[6] = "0x00"
    path = write_rows(tmp_path / "r.csv", [evm_row("ETH", "ETH", address), bad])
    balances = snapshot_text(tmp_path / "s.csv", [f"{address},ETH,1,1"])
    summary = check_reserves(path, jobs=1, balances_path=balances, dedupe_addresses=True)
    assert summary.rejected == () and summary.assets[0].reserves == 1
    assert [(n.row.line, n.reason.split(" (")[0]) for n in summary.duplicates] == [(3, "repeats line 2")]
