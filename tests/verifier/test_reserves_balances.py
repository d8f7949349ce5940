"""Amounts checked, not trusted: every reserves row against a balances snapshot (CSV or JSON), a forged amount
caught, and malformed snapshots refused naming file, line and field."""
import json
import re
from fractions import Fraction

import pytest
from click.testing import CliRunner
from round_fixtures import TEST_FLOOR, prove_totals

from prover.cli import main as por
from prover.reserves.generate import generate_reserves
from verifier.cli import main as por_verify
from verifier.reserves.amounts import format_amount
from verifier.reserves.balances import read_balances
from verifier.reserves.check import check_reserves
from verifier.reserves.csvfile import read_reserves
from verifier.reserves.errors import ReservesInputError
from verifier.reserves.liabilities import verified_liabilities
from verifier.reserves.summary import SELF_DECLARED_WARNING, summary_json

ASSETS = [("BTC", 8, "12.5"), ("USDT", 6, "900")]
FLOOR = ["--min-security", str(TEST_FLOOR)]


def snapshot_entries(reserves_path) -> list[dict]:
    """What a node would report for every address of the file (here: exactly what the file claims)."""
    return [{"address": row.address, "asset": row.coin, "amount": format_amount(row.amount),
             "height": row.snapshot_height} for row in read_reserves(str(reserves_path)).rows]


def write_csv(path, entries: list[dict]) -> str:
    lines = ["address,asset,amount,height"] + [f"{e['address']},{e['asset']},{e['amount']},{e['height']}" for e in entries]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def write_json(path, entries: list[dict]) -> str:
    path.write_text(json.dumps([{**e, "height": int(e["height"])} for e in entries], indent=1))
    return str(path)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A proven round, with a reserves file and snapshots of it beside its public.json."""
    directory = tmp_path_factory.mktemp("balances") / "round"
    public = prove_totals(directory, "2024-07", ASSETS).public
    reserves = directory / "reserves.csv"
    reserves.write_text(generate_reserves(public, {}, seed=2))
    write_csv(directory / "snapshot.csv", snapshot_entries(reserves))
    write_json(directory / "snapshot.json", snapshot_entries(reserves))
    return directory


@pytest.fixture(scope="module")
def liabilities(files):
    return verified_liabilities(files, TEST_FLOOR)


def forge_btc_amount(files, tmp_path, amount="100.48"):
    """The first BTC row's amount inflated: its signature still verifies (the amount is not signed)."""
    lines = (files / "reserves.csv").read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("BTC,BTC,"))
    fields = lines[index].split(",")
    original, fields[4] = fields[4], amount
    lines[index] = ",".join(fields)
    forged = tmp_path / "forged.csv"
    forged.write_text("\n".join(lines) + "\n")
    return forged, index + 1, original


@pytest.mark.parametrize("snapshot", ["snapshot.csv", "snapshot.json"])
def test_matching_snapshot_checks_every_row(files, liabilities, snapshot):
    summary = check_reserves(str(files / "reserves.csv"), liabilities, jobs=1, balances_path=str(files / snapshot))
    result = summary_json(summary)
    assert result["rejected"] == [] and result["fully_backed"] is True
    assert result["amounts"] == f"checked against the balances snapshot {files / snapshot}"
    assert SELF_DECLARED_WARNING not in result["warnings"]


def test_without_snapshot_amounts_are_self_declared(files, liabilities):
    result = summary_json(check_reserves(str(files / "reserves.csv"), liabilities, jobs=1))
    assert result["amounts"] == "self-declared (no balances snapshot given)"
    assert result["warnings"][0] == SELF_DECLARED_WARNING and len(result["warnings"]) == 2  # and the 24 bits


def test_forged_btc_amount_is_caught(files, liabilities, tmp_path):
    forged, line, original = forge_btc_amount(files, tmp_path)
    trusted = summary_json(check_reserves(str(forged), liabilities, jobs=1))
    assert trusted["rejected"] == [] and Fraction(trusted["assets"][0]["ratio"]) > 8  # trusted: over 800%

    checked = summary_json(check_reserves(str(forged), liabilities, jobs=1, balances_path=str(files / "snapshot.csv")))
    # The snapshot lists the rows in file order after its header line.
    snapshot_line = [row.line for row in read_reserves(str(forged)).rows].index(line) + 2
    assert [(r["line"], r["amount"]) for r in checked["rejected"]] == [(line, "100.48")]
    assert checked["rejected"][0]["reason"] == (f"field 'amount' 100.48 differs from the balance {original} in "
                                                f"{files / 'snapshot.csv'}:{snapshot_line}")
    assert checked["assets"][0]["fully_backed"] is False  # the forged row is not counted

    runner = CliRunner()
    result = runner.invoke(por_verify, ["reserves", str(forged), "--liabilities", str(files / "public.json"),
                                        "--balances", str(files / "snapshot.json"), "--jobs", "1", *FLOOR])
    assert result.exit_code == 1
    assert f"line {line}: BTC" in result.output and "FAILED: 1 reserves row(s) rejected" in result.output


def test_missing_entry_and_wrong_height_are_rejected(files, liabilities, tmp_path):
    entries = snapshot_entries(files / "reserves.csv")
    rows = read_reserves(str(files / "reserves.csv")).rows
    entries[1] = {**entries[1], "height": str(int(entries[1]["height"]) + 1)}
    del entries[2]
    # Hex addresses compare case-insensitively, and assets too.
    evm = next(i for i, e in enumerate(entries) if e["address"].startswith("0x"))
    entries[evm] = {**entries[evm], "address": entries[evm]["address"].lower(), "asset": entries[evm]["asset"].lower()}
    summary = check_reserves(str(files / "reserves.csv"), liabilities, jobs=1,
                             balances_path=write_csv(tmp_path / "snap.csv", entries))
    reasons = {note.row.line: note.reason for note in summary.rejected}
    assert reasons == {
        rows[1].line: f"field 'Snapshot Height' {rows[1].snapshot_height} differs from the height "
                      f"{int(rows[1].snapshot_height) + 1} in {tmp_path / 'snap.csv'}:3",
        rows[2].line: f"{rows[2].coin} at this address is not in the balances snapshot {tmp_path / 'snap.csv'}",
    }


GOOD = "address,asset,amount,height\n1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH,BTC,1.5,840000\n"


@pytest.mark.parametrize("name,text,where,message", [
    ("a.csv", GOOD + "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH,ETH,1.2.3,840000\n", ":3", "field 'amount'"),
    ("b.csv", GOOD + "1Q,BTC,1,-5\n", ":3", "field 'height' must be a whole number"),
    ("c.csv", GOOD + "1Q,BTC,1\n", ":3", "3 fields, expected 4"),
    ("d.csv", GOOD + ",BTC,1,5\n", ":3", "field 'address' must be a non-empty string"),
    ("e.csv", "address,coin,amount,height\n", ":1", "header must be address,asset,amount,height"),
    ("f.csv", GOOD + "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH,btc,2,840000\n", ":3", "listed twice (first on line 2)"),
    ("g.json", '[\n {"address": "1Q", "asset": "BTC", "amount": "1", "height": 5},\n'
               ' {"address": "1R", "asset": "BTC", "amount": 1.5, "height": 5}\n]', ":3", "field 'amount' must be"),
    ("h.json", '[\n {"address": "1Q", "asset": "BTC", "amount": "1"}\n]', ":2", "exactly the keys"),
    ("i.json", '[\n {"address": "1Q", "asset": "BTC",\n  "amount": "1" "height": 5}\n]', ":2", "malformed JSON"),
    ("j.json", '[\n {"address": "1Q", "asset": "BTC", "amount": "1", "amount": "2", "height": 5}\n]', ":2",
     "key 'amount' given twice"),
    ("k.json", '[\n {"address": "1Q", "asset": "BTC", "amount": "1", "height": 5},\n]', ":3", "trailing ','"),
    ("l.json", '[\n {"address": "1Q", "asset": "BTC", "amount": "1", "height": "5x"}\n]', ":2", "field 'height'"),
])
def test_malformed_snapshots_name_file_line_and_field(tmp_path, name, text, where, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ReservesInputError, match=re.escape(str(path) + where) + ".*" + re.escape(message)):
        read_balances(str(path))


def test_cli_exit_2_on_a_malformed_snapshot(files, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "1Q,BTC,abc,840000\n")
    runner = CliRunner()
    verify = runner.invoke(por_verify, ["reserves", str(files / "reserves.csv"), "--balances", str(bad)])
    assert verify.exit_code == 2 and f"{bad}:3: field 'amount'" in verify.output and "Traceback" not in verify.output
    report = runner.invoke(por, ["report", str(files), "--reserves", str(files / "reserves.csv"), "--balances", str(bad),
                                 "--out", str(tmp_path / "out"), *FLOOR])
    assert report.exit_code == 2 and f"{bad}:3" in report.output and not (tmp_path / "out").exists()


def test_por_report_with_balances(files, tmp_path):
    forged, line, _ = forge_btc_amount(files, tmp_path)
    result = CliRunner().invoke(por, ["report", str(files), "--reserves", str(forged), "--balances",
                                      str(files / "snapshot.csv"), "--out", str(tmp_path / "out"), "--jobs", "1",
                                      *FLOOR])
    assert result.exit_code == 1 and "FAILED: 1 reserves row(s) rejected" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [r["line"] for r in report["rejected"]] == [line]
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert f"- Amounts: checked against the balances snapshot {files / 'snapshot.csv'}" in markdown
    assert "field 'amount' 100.48 differs" in markdown
