"""`por history`: rounds verified one by one, then liabilities, reserves and ratio per asset across months with
month-on-month and year-on-year change."""
import json
import shutil
from fractions import Fraction

import pytest
from click.testing import CliRunner
from public_fixtures import public_json
from round_fixtures import TEST_FLOOR, prove_totals

from prover.cli.history import history as history_command
from prover.reserves.generate import generate_reserves
from prover.reserves.history import build_history, load_round, signed_percent
from prover.reserves.report import write_report
from verifier.errors import InputError

ROUNDS = {  # round: (BTC liabilities, BTC ratio, USDT liabilities, USDT ratio)
    "2023-06": ("10", "1.2", "500", "1.1"),
    "2024-05": ("12.5", "1.04", "800", "1.02"),
    "2024-06": ("13", "1.1", "900", "0.971"),
}
FLOOR = ["--min-security", str(TEST_FLOOR)]


def make_round(directory, name):
    """A proven round, its reserves file and the report `por report` writes for it, all in `directory`."""
    btc, btc_ratio, usdt, usdt_ratio = ROUNDS[name]
    public = prove_totals(directory, name, [("BTC", 8, btc), ("USDT", 6, usdt)]).public
    (directory / "reserves.csv").write_text(
        generate_reserves(public, {"BTC": Fraction(btc_ratio), "USDT": Fraction(usdt_ratio)}, seed=3))
    write_report(str(directory), str(directory / "reserves.csv"), str(directory), jobs=1, min_security=TEST_FLOOR)
    return directory


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    base = tmp_path_factory.mktemp("series")
    return base, {name: make_round(base / name, name) for name in ROUNDS}


def test_changes_month_on_month_and_year_on_year(rounds):
    _, dirs = rounds
    history = build_history([load_round(str(dirs[name]), TEST_FLOOR) for name in ("2024-06", "2023-06", "2024-05")])
    assert [r["round"] for r in history["rounds"]] == ["2023-06", "2024-05", "2024-06"]
    assert all(r["verified"] for r in history["rounds"])
    row = next(r for r in history["series"] if (r["round"], r["symbol"]) == ("2024-06", "BTC"))
    assert (row["liabilities"], row["reserves"], row["ratio_percent"]) == ("13", "14.3", "110.00%")
    # 12.5 -> 13 is +4%; reserves 13 -> 14.3 is +10%; ratio 104% -> 110% is +6 points.
    assert row["month_on_month"] == {"liabilities": "+4.00%", "reserves": "+10.00%", "ratio": "+6.00 pp"}
    # A year before: 10 -> 13 (+30%), reserves 12 -> 14.3 (+19.16...%), ratio 120% -> 110% (-10 points).
    assert row["year_on_year"] == {"liabilities": "+30.00%", "reserves": "+19.16%", "ratio": "-10.00 pp"}
    usdt = next(r for r in history["series"] if (r["round"], r["symbol"]) == ("2024-06", "USDT"))
    assert usdt["fully_backed"] is False and usdt["ratio_percent"] == "97.10%"
    first = history["series"][0]
    assert first["month_on_month"] is None and first["year_on_year"] is None
    assert next(r for r in history["series"] if r["round"] == "2024-05")["year_on_year"] is None


def test_signed_percent_truncates_toward_zero():
    assert signed_percent(Fraction(-1, 3)) == "-33.33%" and signed_percent(Fraction(2, 3)) == "+66.66%"


def test_por_history_writes_json_markdown_chart(rounds, tmp_path):
    base, _ = rounds
    result = CliRunner().invoke(history_command, [str(base), "--out", str(tmp_path / "out"), *FLOOR])  # a folder
    assert result.exit_code == 0, result.output
    assert "2024-06: verified" in result.output
    saved = json.loads((tmp_path / "out" / "history.json").read_text())
    assert saved["format"] == "por-history/1" and saved["assets"] == ["BTC", "USDT"] and len(saved["series"]) == 6
    markdown = (tmp_path / "out" / "history.md").read_text()
    assert "| 2024-06 | 13 | 14.3 | 110.00% | +4.00% | +10.00% | +6.00 pp | +30.00% | +19.16% | -10.00 pp |" in markdown
    assert "**97.10% (below 100%)**" in markdown
    assert (tmp_path / "out" / "history.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_a_report_that_disagrees_fails_the_round(rounds, tmp_path):
    base, dirs = rounds
    tampered = shutil.copytree(dirs["2024-05"], tmp_path / "2024-05")
    report = json.loads((dirs["2024-05"] / "report.json").read_text())
    report["assets"][0]["reserves"] = "20"  # the ratio and verdict no longer follow
    report["assets"][1]["liabilities"] = "700"  # public.json owes 800
    (tampered / "report.json").write_text(json.dumps(report))
    entry = load_round(str(tampered), TEST_FLOOR)
    assert entry.problems == ("report.json: BTC field 'ratio' is not reserves / liabilities",
                              "report.json: USDT liabilities 700, public.json has 800")
    result = CliRunner().invoke(history_command, [str(dirs["2023-06"]), str(tampered), "--out", str(tmp_path / "o"),
                                                  *FLOOR])
    assert result.exit_code == 1
    assert "FAILED: round 2024-05" in result.output and "USDT liabilities 700" in result.output
    markdown = (tmp_path / "o" / "history.md").read_text()
    assert "| 2024-05 (NOT verified) |" in markdown


def test_round_without_proof_is_refused(rounds, tmp_path):
    _, dirs = rounds
    bare = shutil.copytree(dirs["2024-05"], tmp_path / "2024-05")
    (bare / "proof.bin").unlink()
    with pytest.raises(InputError, match="proof.bin: cannot read"):
        load_round(str(bare), TEST_FLOOR)
    result = CliRunner().invoke(history_command, [str(dirs["2023-06"]), str(bare), "--out", str(tmp_path / "o"), *FLOOR])
    assert result.exit_code == 2 and "proof.bin: cannot read" in result.output and not (tmp_path / "o").exists()


@pytest.mark.parametrize("setup,message", [
    (lambda d: None, "no public.json here or in its subfolders"),
    (lambda d: (d / "public.json").write_text(json.dumps(public_json("x", [("BTC", 8, "1")]))), "proof.bin: cannot read"),
])
def test_unreadable_rounds_exit_2(tmp_path, setup, message):
    setup(tmp_path)
    result = CliRunner().invoke(history_command, [str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and message in result.output and not (tmp_path / "o").exists()
