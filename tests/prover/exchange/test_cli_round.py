"""The round's command lines: `por prove / inclusion / demo`, `por-verify proof / inclusion`, and their exit codes
(0 valid, 1 invalid with one line, 2 malformed input with one line, never a traceback)."""
import hashlib
import json
import os
import re
import shutil

import pytest
from click.testing import CliRunner

from prover.cli import main as por
from verifier.cli import main as por_verify

USERS_CSV = "id,BTC,ETH\nalice,0.5,1.25\nbob,0.00000001,\ncarol,,3\n"


def run(command, *args):
    return CliRunner().invoke(command, [str(a) for a in args])


PROGRESS_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")  # a log's progress line, on a non-terminal


def one_line_error(result, code: int, *needles: str) -> str:
    """Exit `code` with one line of error (besides progress lines) naming each needle."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    message = "\n".join(line for line in result.stderr.strip().splitlines() if not PROGRESS_LINE.match(line))
    assert len(message.splitlines()) == 1 and "Traceback" not in message, message
    for needle in needles:
        assert needle in message, message
    return message


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    (tmp / "users.csv").write_text(USERS_CSV)
    result = run(por, "prove", tmp / "users.csv", "--round", "2026-11", "--out", tmp / "round", "--preset", "test",
                 "--secret-file", tmp / "secret")
    assert result.exit_code == 0, result.output
    assert "users      3 (4 leaves)" in result.stdout and "24 bits of security" in result.stdout
    return tmp / "round"


@pytest.fixture
def round_copy(round_dir, tmp_path):
    return shutil.copytree(round_dir, tmp_path / "round")


@pytest.mark.parametrize("row, needle", [
    ("mallory,-0.5,", "negative amount"),
    ("mallory,92233720368.54775808,", "2^63"),
    ("alice,1,", "duplicate id 'alice'"),
])
def test_prove_refuses_bad_users_naming_file_and_line_and_writes_nothing(tmp_path, row, needle):
    users = tmp_path / "users.csv"
    users.write_text(USERS_CSV + row + "\n")
    result = run(por, "prove", users, "--round", "r", "--out", tmp_path / "round", "--preset", "test",
                 "--secret-file", tmp_path / "secret")
    one_line_error(result, 2, f"{users}:5:", needle)
    assert os.listdir(tmp_path) == ["users.csv"]


def test_prove_refuses_an_existing_out_dir(round_dir):
    result = run(por, "prove", round_dir.parent / "users.csv", "--round", "r", "--out", round_dir, "--preset", "test")
    one_line_error(result, 2, "already exists")


def test_prove_creates_the_master_secret_privately_and_says_so(tmp_path):
    (tmp_path / "users.csv").write_text(USERS_CSV)
    result = run(por, "prove", tmp_path / "users.csv", "--round", "r", "--out", tmp_path / "round",
                 "--preset", "test", "--secret-file", tmp_path / "master.secret")
    assert result.exit_code == 0
    assert "created master secret" in result.stderr
    assert (tmp_path / "master.secret").stat().st_mode & 0o777 == 0o600


def test_verify_proof_prints_the_round_and_accepts_it(round_dir):
    result = run(por_verify, "proof", round_dir, "--min-security", "0")
    assert result.exit_code == 0, result.stderr
    for needle in ("round      2026-11 (plain policy)", "leaves     4", "24 bits conjectured", "bits proven",
                   "zero knowledge", "BTC  0.50000001", "ETH  4.25", "VALID"):
        assert needle in result.stdout
    terms = run(por_verify, "proof", round_dir, "--min-security", "0", "--terms")
    for term in ("FRI queries", "LogUp sum (beta)", "LogUp tuple folding (gamma)", "LogUp terms summed",
                 "out-of-domain point (DEEP)", "composition challenge", "DEEP batching", "FRI folding",
                 "composition (ALI)"):
        assert term in terms.stdout


def test_verify_proof_rejects_the_test_preset_at_the_default_minimum(round_dir):
    one_line_error(run(por_verify, "proof", round_dir), 1, "24 bits", "minimum 100")


def test_verify_proof_checks_published_root_and_totals(round_dir, tmp_path):
    public = json.loads((round_dir / "public.json").read_text())
    totals = tmp_path / "totals.json"
    totals.write_text('{"BTC": "0.50000001", "ETH": "4.25"}')
    assert run(por_verify, "proof", round_dir, "--min-security", "0", "--root", public["root"],
               "--totals", totals).exit_code == 0
    totals.write_text('{"BTC": "0.50000002", "ETH": "4.25"}')
    one_line_error(run(por_verify, "proof", round_dir, "--min-security", "0", "--totals", totals), 1, "BTC total")
    flipped = format(int(public["root"], 16) ^ 1, "064x")
    one_line_error(run(por_verify, "proof", round_dir, "--min-security", "0", "--root", flipped), 1, "root differs")


def test_verify_proof_rejects_an_edited_total_and_root(round_copy):
    path = round_copy / "public.json"
    original = json.loads(path.read_text())
    for change, needle in ((lambda p: p["assets"][0].update(total="0.50000002"), "does not prove"),
                           (lambda p: p.update(root=format(int(p["root"], 16) ^ (1 << 200), "064x")), "root"),
                           (lambda p: p.update(tree_root=format(int(p["tree_root"], 16) ^ (1 << 200), "064x")), "root")):
        public = json.loads(json.dumps(original))
        change(public)
        path.write_text(json.dumps(public))
        one_line_error(run(por_verify, "proof", round_copy, "--min-security", "0"), 1, needle)


@pytest.mark.parametrize("damage, code", [
    (lambda d: (d / "public.json").write_text("{not json"), 2),
    (lambda d: (d / "public.json").write_text('{"format": "por-public/1"}'), 2),
    (lambda d: (d / "public.json").unlink(), 2),
    (lambda d: (d / "proof.bin").write_bytes((d / "proof.bin").read_bytes()[:100]), 1),
    (lambda d: (d / "proof.bin").write_bytes(b"PORSTARK"), 1),
], ids=["bad-json", "missing-fields", "no-public", "truncated-proof", "magic-only"])
def test_verify_proof_reports_malformed_input_in_one_line(round_copy, damage, code):
    damage(round_copy)
    one_line_error(run(por_verify, "proof", round_copy, "--min-security", "0"), code)


def test_verify_proof_reports_malformed_totals_in_one_line(round_dir, tmp_path):
    (tmp_path / "totals.json").write_text('{"BTC": 0.5, "ETH": "4.25"}')
    one_line_error(run(por_verify, "proof", round_dir, "--min-security", "0", "--totals", tmp_path / "totals.json"),
                   2, "--totals")
    one_line_error(run(por_verify, "proof", round_dir, "--root", "abc"), 2, "--root")


def test_inclusion_to_stdout_and_file_and_its_verification(round_dir, tmp_path):
    printed = run(por, "inclusion", round_dir, "--user-id", "carol")
    assert printed.exit_code == 0 and json.loads(printed.stdout)["balances"] == {"BTC": "0", "ETH": "3"}
    out = tmp_path / "carol.json"
    assert run(por, "inclusion", round_dir, "--user-id", "carol", "--out", out).exit_code == 0
    assert json.loads(out.read_text()) == json.loads(printed.stdout)
    public = round_dir / "public.json"
    root = json.loads(public.read_text())["root"]
    for extra in (["--public", public], ["--root", root]):
        result = run(por_verify, "inclusion", out, *extra)
        assert result.exit_code == 0 and "VALID: user 'carol'" in result.stdout and "ETH 3" in result.stdout
    unchecked = run(por_verify, "inclusion", out)  # against nothing published: no verdict
    assert unchecked.exit_code == 2 and "VALID" not in unchecked.stdout


def test_inclusion_for_an_unknown_user_exits_2(round_dir):
    one_line_error(run(por, "inclusion", round_dir, "--user-id", "mallory"), 2, "'mallory' is not in round")


def test_verify_inclusion_rejects_an_altered_proof_and_bad_input(round_dir, tmp_path):
    proof = json.loads(run(por, "inclusion", round_dir, "--user-id", "alice").stdout)
    public = round_dir / "public.json"
    path = tmp_path / "alice.json"
    proof["balances"]["BTC"] = proof["entries"][0]["balances"]["BTC"] = "0.6"
    path.write_text(json.dumps(proof))
    one_line_error(run(por_verify, "inclusion", path, "--public", public), 1, "do not lead to root")
    path.write_text('{"format": "por-inclusion/1"')
    one_line_error(run(por_verify, "inclusion", path, "--public", public), 2, str(path))
    one_line_error(run(por_verify, "inclusion", path, "--public", public, "--root", "00" * 32), 2, "exactly one")
    one_line_error(run(por_verify, "inclusion", tmp_path / "absent.json", "--root", "00" * 32), 2, "absent.json")


def test_demo_runs_the_whole_job(tmp_path):
    out = tmp_path / "demo"
    result = run(por, "demo", "--users", "12", "--out", out, "--preset", "test")
    assert result.exit_code == 0, result.output
    assert "SOL" in result.stdout and "97.00%" in result.stdout and "102.00%" in result.stdout
    assert "valid, 24 bits of security" in result.stdout
    for name in ("users.csv", "round/public.json", "round/proof.bin", "round/inclusion.sqlite",
                 "inclusion-user00.json", "reserves.csv", "report/report.md", "report/reserve_ratios.png"):
        assert (out / name).is_file(), name
    digest = hashlib.sha256((out / "round/proof.bin").read_bytes()).hexdigest()
    assert (f"- Liabilities proof: **verified, 24 bits of conjectured security; SHA-256 of proof.bin: {digest}**"
            in (out / "report/report.md").read_text())
    report = run(por, "report", out / "round", "--reserves", out / "reserves.csv", "--out", out / "again",
                 "--min-security", "0", "--jobs", "1", "--allow-shortfall")
    assert report.exit_code == 0 and "liabilities proof: verified, 24 bits" in report.output, report.output
    assert digest in report.output
    short = run(por, "report", out / "round", "--reserves", out / "reserves.csv", "--out", out / "short",
                "--min-security", "0", "--jobs", "1")
    assert short.exit_code == 1 and "NOT FULLY BACKED: SOL 97.00%" in short.output, short.output
    weak = run(por, "report", out / "round", "--reserves", out / "reserves.csv", "--out", out / "weak", "--jobs", "1")
    assert weak.exit_code == 1 and "below the minimum 100" in weak.output, weak.output
    assert not (out / "weak").exists()  # no report without a proof that passes the floor
    one_line_error(run(por, "demo", "--out", out, "--preset", "test"), 2, "already exists")
