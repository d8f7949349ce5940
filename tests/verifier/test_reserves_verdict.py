"""The verdict: `fully_backed` per asset and overall, the headline every output leads with, and exit code 1 on
a shortfall unless --allow-shortfall."""
import json
from fractions import Fraction

import pytest
from click.testing import CliRunner
from round_fixtures import TEST_FLOOR, prove_totals

from prover.cli import main as por
from prover.reserves.generate import generate_reserves
from prover.reserves.report import chart_figure, write_report
from verifier.cli import main as por_verify
from verifier.reserves.check import check_reserves
from verifier.reserves.liabilities import verified_liabilities
from verifier.reserves.summary import summary_json

ASSETS = [("BTC", 8, "2"), ("ETH", 8, "3"), ("SOL", 6, "100")]
SHORT = {"BTC": Fraction("1.04"), "ETH": Fraction(1), "SOL": Fraction("0.971")}
BACKED = {"BTC": Fraction("1.04"), "ETH": Fraction(1), "SOL": Fraction("1.5")}


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory):
    """A proven round (its reserves files beside it, in the same directory)."""
    directory = tmp_path_factory.mktemp("rounds") / "round"
    public = prove_totals(directory, "2024-06", ASSETS).public
    (directory / "short.csv").write_text(generate_reserves(public, SHORT, seed=1))
    (directory / "backed.csv").write_text(generate_reserves(public, BACKED, seed=1))
    return directory


def result_for(round_dir, name, liabilities=True):
    summary = check_reserves(str(round_dir / name), verified_liabilities(round_dir, TEST_FLOOR) if liabilities
                             else None, jobs=1)
    return summary_json(summary)


def test_shortfall_verdict_per_asset_and_overall(round_dir):
    result = result_for(round_dir, "short.csv")
    assert {a["symbol"]: a["fully_backed"] for a in result["assets"]} == {"BTC": True, "ETH": True, "SOL": False}
    assert result["fully_backed"] is False
    assert result["verdict"] == "NOT FULLY BACKED: SOL 97.10%"


def test_exactly_100_percent_is_fully_backed(round_dir):
    result = result_for(round_dir, "backed.csv")
    assert [a["ratio_percent"] for a in result["assets"]] == ["104.00%", "100.00%", "150.00%"]
    assert result["fully_backed"] is True and all(a["fully_backed"] for a in result["assets"])
    assert result["verdict"] == ("FULLY BACKED: every asset's verified reserves cover its liabilities "
                                 "(lowest: ETH 100.00%)")


def test_no_liabilities_no_verdict(round_dir):
    result = result_for(round_dir, "short.csv", liabilities=False)
    assert result["fully_backed"] is None and all(a["fully_backed"] is None for a in result["assets"])
    assert result["verdict"].startswith("NO VERDICT")


def test_por_verify_reserves_exits_1_on_shortfall(round_dir):
    runner = CliRunner()
    base = ["reserves", str(round_dir / "short.csv"), "--liabilities", str(round_dir / "public.json"), "--jobs", "1",
            "--min-security", str(TEST_FLOOR)]
    failed = runner.invoke(por_verify, base)
    assert failed.exit_code == 1
    assert failed.output.splitlines()[0] == "NOT FULLY BACKED: SOL 97.10%"
    assert "FAILED: NOT FULLY BACKED: SOL 97.10% (--allow-shortfall to accept)" in failed.output

    as_json = runner.invoke(por_verify, base + ["--json"])
    assert as_json.exit_code == 1
    printed = json.loads(as_json.stdout)
    assert printed["fully_backed"] is False and printed["assets"][2]["fully_backed"] is False

    allowed = runner.invoke(por_verify, base + ["--allow-shortfall"])
    assert allowed.exit_code == 0 and "FAILED" not in allowed.output
    backed = runner.invoke(por_verify, ["reserves", str(round_dir / "backed.csv"), "--liabilities",
                                        str(round_dir), "--jobs", "1", "--min-security", str(TEST_FLOOR)])
    assert backed.exit_code == 0 and backed.output.startswith("FULLY BACKED")
    no_liabilities = runner.invoke(por_verify, ["reserves", str(round_dir / "short.csv"), "--jobs", "1"])
    assert no_liabilities.exit_code == 0


def test_por_report_exits_1_on_shortfall(round_dir, tmp_path):
    runner = CliRunner()
    base = ["report", str(round_dir), "--reserves", str(round_dir / "short.csv"), "--jobs", "1",
            "--min-security", str(TEST_FLOOR)]
    failed = runner.invoke(por, base + ["--out", str(tmp_path / "a")])
    assert failed.exit_code == 1
    assert failed.output.splitlines()[0] == "NOT FULLY BACKED: SOL 97.10%"
    assert "FAILED: NOT FULLY BACKED: SOL 97.10%" in failed.output
    assert json.loads((tmp_path / "a" / "report.json").read_text())["fully_backed"] is False
    allowed = runner.invoke(por, base + ["--out", str(tmp_path / "b"), "--allow-shortfall"])
    assert allowed.exit_code == 0, allowed.output
    backed = runner.invoke(por, ["report", str(round_dir), "--reserves", str(round_dir / "backed.csv"),
                                 "--jobs", "1", "--out", str(tmp_path / "c"), "--min-security", str(TEST_FLOOR)])
    assert backed.exit_code == 0, backed.output


def test_markdown_and_chart_lead_with_the_verdict(round_dir, tmp_path):
    report = write_report(str(round_dir), str(round_dir / "short.csv"), str(tmp_path), jobs=1,
                          min_security=TEST_FLOOR)
    markdown = (tmp_path / "report.md").read_text().splitlines()
    assert markdown[:3] == ["# Proof of reserves: round 2024-06", "", "**NOT FULLY BACKED: SOL 97.10%**"]
    assert "| SOL | 97.1 | 100 | **97.10% (below 100%)** | **NO** |" in markdown
    title = chart_figure(report).axes[0].get_title(loc="left")
    assert title.splitlines()[0] == "NOT FULLY BACKED: SOL 97.10%"
