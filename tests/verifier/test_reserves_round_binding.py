"""Round-bound messages: with liabilities, a signed message must contain `por-round:<round>`; OKX's legacy fixed
message is counted with a visible warning; anything else is rejected, naming the line and the field."""

import pytest
from click.testing import CliRunner
from paths import VECTORS
from public_fixtures import public_json
from round_fixtures import TEST_FLOOR, prove_totals

from prover.reserves.generate import (
    HEADER,
    evm_account,
    generate_reserves,
    private_key,
    sign_personal_message,
)
from prover.reserves.report import write_report
from verifier.cli import main as por_verify
from verifier.reserves.check import check_reserves
from verifier.reserves.csvfile import read_reserves
from verifier.reserves.evm import checksum_address
from verifier.reserves.liabilities import verified_liabilities
from verifier.reserves.personal_message import ETHEREUM_PREFIX
from verifier.reserves.round_binding import LEGACY_MESSAGES, names_round, round_message
from verifier.reserves.summary import SELF_DECLARED_WARNING, summary_json

LEGACY = "I am an OKX address"


def public(round_name: str, eth_total: str = "1") -> dict:
    """public.json of a round, for the reserves generator (which needs no proof)."""
    return public_json(round_name, [("ETH", 18, eth_total)])


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    """Proven rounds named 2024-05 that owe 1 ETH and 0.3 ETH (18 decimals)."""
    tmp = tmp_path_factory.mktemp("rounds")
    return {total: prove_totals(tmp / f"eth-{total}", "2024-05", [("ETH", 18, total)]).out_dir
            for total in ("1", "0.3")}


def liabilities(rounds, eth_total: str = "1"):
    return verified_liabilities(rounds[eth_total], TEST_FLOOR)


@pytest.mark.parametrize("message,bound", [
    ("I control this address for proof of reserves por-round:2024-05", True),
    ("por-round:2024-05", True),
    ("por-round:2024-05 at height 840000", True),
    ("por-round:2024-050", False),
    ("xpor-round:2024-05", False),
    ("por-round:2024-0", False),
    ("por-round:2024-05.", False),
    ("I control this address for proof of reserves round 2024-05", False),
])
def test_names_round(message, bound):
    assert names_round(message, "2024-05") is bound


def test_round_names_are_matched_literally():
    assert names_round("por-round:2024.05", "2024.05") and not names_round("por-round:2024x05", "2024.05")
    assert names_round("signed por-round:May 2024 ok", "May 2024")


def test_generator_signs_the_round_token(tmp_path, rounds):
    path = tmp_path / "reserves.csv"
    path.write_text(generate_reserves(public("2024-05"), {}, seed=1))
    assert {row.message for row in read_reserves(str(path)).rows} == {round_message("2024-05")}
    summary = check_reserves(str(path), liabilities(rounds), jobs=1)
    assert summary.rejected == () and summary.legacy_messages == ()
    warned = summary_json(summary)["warnings"]
    assert warned[0] == SELF_DECLARED_WARNING and len(warned) == 2  # the second: the test preset's 24 bits


def test_another_rounds_signatures_are_rejected(tmp_path, rounds):
    path = tmp_path / "reserves.csv"
    path.write_text(generate_reserves(public("2024-04"), {}, seed=1))
    summary = check_reserves(str(path), liabilities(rounds), jobs=1)
    assert [note.row.line for note in summary.rejected] == [row.line for row in read_reserves(str(path)).rows]
    assert {note.reason for note in summary.rejected} == {
        "message does not name round 2024-05: it must contain 'por-round:2024-05' (field 'message')"}
    assert summary.assets[0].reserves == 0
    # Without liabilities there is no round to name: the same file verifies.
    assert check_reserves(str(path), jobs=1).rejected == ()

    result = CliRunner().invoke(por_verify, ["reserves", str(path), "--liabilities", str(rounds["1"]),
                                             "--jobs", "1", "--allow-shortfall", "--min-security", str(TEST_FLOOR)])
    assert result.exit_code == 1
    first = read_reserves(str(path)).rows[0]
    assert f"line {first.line}: ETH {first.address}: message does not name round 2024-05" in result.output


def test_okx_legacy_message_is_counted_with_a_warning(rounds):
    summary = check_reserves(str(VECTORS / "okx_por_example.csv"), liabilities(rounds, "0.3"), jobs=1)
    assert summary.rejected == ()
    assert [note.row.line for note in summary.legacy_messages] == [16, 17, 18]
    assert [note.row.line for note in summary.unverified] == [19, 20]  # ed25519 rows: still listed, not counted
    result = summary_json(summary)
    assert result["fully_backed"] is True
    assert result["warnings"][0] == SELF_DECLARED_WARNING
    assert result["warnings"][2:] == [
        "3 row(s) signed OKX's legacy fixed message, which does not name round 2024-05: those signatures prove "
        "control of the address at some time, not necessarily during this round."]
    assert [row["line"] for row in result["legacy_messages"]] == [16, 17, 18]
    assert LEGACY in LEGACY_MESSAGES


@pytest.fixture
def mixed_round(tmp_path):
    """A round with one round-bound ETH row and one legacy-message ETH row."""
    rows = []
    for label, message, amount in (("bound", round_message("2024-05"), "0.6"), ("legacy", LEGACY, "0.5")):
        key = private_key(9, label)
        rows.append(",".join(["ETH", "ETH", "20914735", checksum_address(evm_account(key)), amount, message,
                              sign_personal_message(key, ETHEREUM_PREFIX, message), "", "", "", ""]))
    (tmp_path / "reserves.csv").write_text(",".join(HEADER) + "\n" + "\n".join(rows) + "\n")
    return tmp_path


def test_legacy_warning_in_text_output_and_report(mixed_round, rounds, tmp_path):
    result = CliRunner().invoke(por_verify, ["reserves", str(mixed_round / "reserves.csv"), "--liabilities",
                                             str(rounds["1"] / "public.json"), "--jobs", "1",
                                             "--min-security", str(TEST_FLOOR)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("FULLY BACKED") and lines[3].startswith("WARNING: 1 row(s) signed OKX's legacy")
    assert "Legacy fixed message (counted; not tied to this round): 1" in result.output
    assert "line 3: ETH" in result.output

    report = write_report(str(rounds["1"]), str(mixed_round / "reserves.csv"), str(tmp_path / "out"), jobs=1,
                          min_security=TEST_FLOOR)
    assert report["assets"][0]["reserves"] == "1.1" and len(report["warnings"]) == 3
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert f"> **Warning:** {report['warnings'][2]}" in markdown
    assert "## Legacy fixed message (counted; not tied to this round)" in markdown
