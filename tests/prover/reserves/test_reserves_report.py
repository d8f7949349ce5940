"""The report and the command lines: exact ratios end to end, exit codes, atomic output."""
import hashlib
import json
import re
from fractions import Fraction

import pytest
from click.testing import CliRunner
from public_fixtures import public_json
from round_fixtures import TEST_FLOOR, prove_totals

from prover.cli import main as por
from prover.reserves.generate import generate_reserves
from prover.reserves.report import build_report, render_markdown, write_report
from verifier.cli import main as por_verify
from verifier.errors import InputError
from verifier.reserves.check import check_reserves
from verifier.reserves.csvfile import read_reserves
from verifier.reserves.liabilities import verified_liabilities

ASSETS = [("BTC", 8, "12.5"), ("ETH", 8, "3"), ("USDT", 6, "1000000.000001")]
PUBLIC = public_json("2024-05", ASSETS)  # for the generator, which needs no proof
RATIOS = {"BTC": Fraction("1.04"), "USDT": Fraction("0.97")}
FLOOR = ["--min-security", str(TEST_FLOOR)]


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory):
    """A proven round with the same round name and totals as PUBLIC, its reserves file beside its public.json."""
    directory = tmp_path_factory.mktemp("rounds") / "round"
    prove_totals(directory, "2024-05", ASSETS)
    (directory / "reserves.csv").write_text(generate_reserves(PUBLIC, RATIOS, seed=11, default_ratio=Fraction(2, 3)))
    return directory


def test_generated_reserves_reach_the_requested_ratios_exactly(round_dir):
    summary = check_reserves(str(round_dir / "reserves.csv"), verified_liabilities(round_dir, TEST_FLOOR), jobs=1)
    assert summary.rejected == () and summary.unverified == ()
    by_symbol = {asset.symbol: asset for asset in summary.assets}
    assert by_symbol["BTC"].reserves == 13 and by_symbol["BTC"].ratio == Fraction(26, 25)
    assert by_symbol["ETH"].reserves == 2 and by_symbol["ETH"].ratio == Fraction(2, 3)
    # 1000000.000001 * 0.97 = 970000.00000097, rounded up to whole base units (6 decimals): 970000.000001.
    assert by_symbol["USDT"].reserves == Fraction("970000.000001")
    assert by_symbol["USDT"].ratio == Fraction(970000000001, 1000000000001)
    coins = {row.coin for row in read_reserves(str(round_dir / "reserves.csv")).rows}
    assert coins >= {"BTC", "ETH", "ETH-ARBITRUM", "USDT-ERC20", "USDT-TRC20"}


def test_generation_is_deterministic():
    assert generate_reserves(PUBLIC, RATIOS, seed=3) == generate_reserves(PUBLIC, RATIOS, seed=3)
    assert generate_reserves(PUBLIC, RATIOS, seed=3) != generate_reserves(PUBLIC, RATIOS, seed=4)


def test_report_files_and_exact_json(round_dir, tmp_path):
    out = tmp_path / "report"
    report = write_report(str(round_dir), str(round_dir / "reserves.csv"), str(out), jobs=1, min_security=TEST_FLOOR)
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.md", "reserve_ratios.png"]
    saved = json.loads((out / "report.json").read_text())
    assert saved == report
    digest = hashlib.sha256((round_dir / "proof.bin").read_bytes()).hexdigest()
    assert saved["round"] == "2024-05" and saved["liabilities_proof"]["sha256"] == digest
    assets = {a["symbol"]: a for a in saved["assets"]}
    assert assets["BTC"] == {"symbol": "BTC", "reserves": "13", "liabilities": "12.5", "ratio": "26/25",
                             "ratio_percent": "104.00%", "fully_backed": True, "verified_rows": 5}
    assert assets["USDT"]["ratio"] == "970000000001/1000000000001" and assets["USDT"]["ratio_percent"] == "97.00%"
    assert assets["ETH"]["ratio_percent"] == "66.66%"
    assert not any(isinstance(v, float) for a in saved["assets"] for v in a.values())
    markdown = (out / "report.md").read_text()
    assert "# Proof of reserves: round 2024-05" in markdown and "**97.00% (below 100%)**" in markdown
    assert "NOT checked on chain" in markdown and f"SHA-256 of proof.bin: {digest}**" in markdown
    assert (out / "reserve_ratios.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_a_report_needs_verified_liabilities(round_dir):
    with pytest.raises(ValueError, match="verified round"):
        build_report(check_reserves(str(round_dir / "reserves.csv"), jobs=1))
    report = build_report(check_reserves(str(round_dir / "reserves.csv"), verified_liabilities(round_dir, 24), jobs=1))
    assert report["liabilities_proof"]["min_security"] == 24
    assert "- Liabilities proof: **verified, 24 bits of conjectured security; " in render_markdown(report)


def test_por_verify_reserves_exit_codes(round_dir, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(por_verify, ["reserves", str(round_dir / "reserves.csv"), "--liabilities",
                                    str(round_dir / "public.json"), "--jobs", "2", "--allow-shortfall", *FLOOR])
    assert ok.exit_code == 0, ok.output
    assert "BTC" in ok.output and "104.00%" in ok.output
    as_json = runner.invoke(por_verify, ["reserves", str(round_dir / "reserves.csv"), "--json", "--jobs", "1"])
    assert as_json.exit_code == 0 and json.loads(as_json.output)["format"] == "por-reserves/1"

    tampered = tmp_path / "tampered.csv"
    lines = (round_dir / "reserves.csv").read_text().splitlines()
    address_row = next(i for i, line in enumerate(lines) if line.startswith("ETH,ETH,"))
    lines[address_row] = lines[address_row].replace("I control this address", "I  control this address")
    tampered.write_text("\n".join(lines) + "\n")
    failed = runner.invoke(por_verify, ["reserves", str(tampered), "--jobs", "1"])
    assert failed.exit_code == 1 and f"line {address_row + 1}:" in failed.output

    for args in (["reserves", str(tmp_path / "missing.csv")],
                 ["reserves", str(round_dir / "reserves.csv"), "--liabilities", str(tampered)],
                 ["reserves", str(round_dir / "reserves.csv"), "--jobs", "0"]):
        result = runner.invoke(por_verify, args)
        assert result.exit_code == 2 and "Traceback" not in result.output


def test_por_report_and_generate_reserves_commands(round_dir, tmp_path):
    runner = CliRunner()
    generated = tmp_path / "gen.csv"
    result = runner.invoke(por, ["generate-reserves", str(round_dir), "--out", str(generated), "--ratio", "BTC=0.5",
                                 "--default-ratio", "1.1", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert generated.read_text() == generate_reserves(PUBLIC, {"BTC": Fraction(1, 2)}, 5, Fraction(11, 10))
    bad = runner.invoke(por, ["generate-reserves", str(round_dir), "--out", str(generated), "--ratio", "XRP=1"])
    assert bad.exit_code == 2 and "XRP" in bad.output

    out = tmp_path / "out"
    report = runner.invoke(por, ["report", str(round_dir), "--reserves", str(generated), "--out", str(out), "--jobs", "1",
                                 *FLOOR])
    assert report.exit_code == 1, report.output  # the shortfall
    assert "BTC: reserves 6.25, liabilities 12.5, ratio 50.00%" in report.output
    assert "liabilities proof: verified, 24 bits" in report.output
    assert json.loads((out / "report.json").read_text())["liabilities_proof"]["verified"] is True
    missing = runner.invoke(por, ["report", str(tmp_path), "--reserves", str(generated), "--out", str(tmp_path / "x")])
    assert missing.exit_code == 2 and not (tmp_path / "x").exists()
    (tmp_path / "public.json").write_text((round_dir / "public.json").read_text())  # a public.json alone
    alone = runner.invoke(por, ["report", str(tmp_path), "--reserves", str(generated), "--out", str(tmp_path / "y"),
                                *FLOOR])
    assert alone.exit_code == 2 and "proof.bin: cannot read" in alone.output and not (tmp_path / "y").exists()


@pytest.mark.parametrize("field,value,message", [
    ("format", "por-public/2", "'format'"),
    ("assets", [{"symbol": "BTC", "decimals": 2, "total": "1.005"}], "more than 2 decimals"),
    ("assets", [{"symbol": "BTC", "decimals": 8, "total": "1.50"}], "canonical"),
    ("assets", [{"symbol": "BTC", "decimals": 8, "total": "1"}, {"symbol": "btc", "decimals": 8, "total": "1"}],
     "differ only in case"),
    ("assets", [{"symbol": "BTC", "decimals": 8, "total": 1.5}], "decimal string"),
    ("assets", [{"symbol": "BTC", "decimals": 8, "total": "-1"}], "assets[0].total"),
])
def test_malformed_public_json(tmp_path, field, value, message):
    """The reserves check reads public.json through the one codec: what `por-verify proof` refuses, it refuses."""
    (tmp_path / "public.json").write_text(json.dumps({**PUBLIC, field: value}))
    with pytest.raises(InputError, match=re.escape(message)):
        verified_liabilities(tmp_path)
