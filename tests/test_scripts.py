"""Every script in scripts/ and every command the README shows, run at a tiny size: a benchmark nobody runs rots
(bench_reserves failed on a stale public.json for a while), so each gets a smoke run of a few seconds here.

A new script without a smoke case below fails `test_every_script_has_a_smoke_case`.
"""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from prover.cli import main as por
from verifier.cli import main as por_verify

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
README = (ROOT / "README.md").read_text()

# script -> (arguments, a line its output must contain, a file it must write); "{tmp}" is the test's tmp_path
SMOKE = {
    "bench_air": (["--users", "4", "--assets", "2", "--preset", "test"], "24 bits", None),
    "bench_commitment_hash": (["--log-rows", "8", "--width", "4", "--toy-log-rows", "6", "--users", "8"],
                              "prove_round, 8 users", None),
    "bench_bulk_export": (["--users", "16", "--assets", "2", "--tmp", "{tmp}"], "16 inclusion proofs", None),
    "bench_engine": (["--log-rows", "10", "--preset", "test"], "proof size", None),
    "bench_first_run": (["--users", "8", "--keep-cache"], "warm again:", None),
    "bench_interpreter": (["--users", "4", "--assets", "2", "--repeats", "1"], "one coset of", None),
    "bench_margin": (["--smoke"], "margin / plain: time", None),
    "bench_million": (["--users", "8", "--assets", "2", "--preset", "test", "--shard-leaves", "8", "--dir",
                       "{tmp}/million"], "| 2^3 x 2 | test |", "million/round/public.json"),
    "bench_ntt": (["--log-n", "10", "--width", "2", "--repeats", "1"], "ntt 2^10", None),
    "bench_page_faults": (["--arrays", "1", "--mib", "1", "--settle", "0"], "just freed", None),
    "bench_poseidon2": (["--log-perms", "8", "--log-leaves", "4", "--assets", "2", "--repeats", "1"],
                        "permute_batch", None),
    "bench_prepublish": (["--smoke"], "check before publishing", None),
    "bench_recursion_chips": (["--log-rows", "6", "--preset", "test"], "bus ports/row", None),
    "bench_recursion_openings": (["--preset", "test", "--log-leaves", "2", "--assets", "1"], "commitment half total",
                                 None),
    "bench_reserves": (["--rows", "10", "--py-ecc-rows", "2"], "coincurve / py_ecc", None),
    "bench_row_hashing": (["--log-rows", "8", "--widths", "2,8", "--tree-log-leaves", "8"], "hashlib", None),
    "bench_solvency": (["--users", "4", "--assets", "2", "--preset", "test"], "por-verify proof (CLI", None),
    "bench_versus": (["--baseline", str(ROOT), "--users", "4", "--repeats", "1", "--preset", "test"],
                     "this / baseline", None),
    "page_screenshot": (["--out", "{tmp}/page.png"], "wrote", "page.png"),
    "research": (["--out", "{tmp}/research", "--users", "4", "--assets", "2", "--log-blowups", "3",
                  "--fri-log-arities", "2", "--fri-log-final-degrees", "3", "--grinding-bits", "0",
                  "--reference", "4x2", "--shard-leaves", "4", "--trials", "1"], "parameter points",
                 "research/proof_size_vs_users.png"),
}
# modules the scripts import, exercised by that script's smoke run (and its output line)
HELPERS = {"stage_memory": ("bench_air", "peak"), "timing": ("bench_row_hashing", "hashlib")}


def test_every_script_has_a_smoke_case():
    assert {path.stem for path in SCRIPTS.glob("*.py")} == set(SMOKE) | set(HELPERS)
    for helper, (script, _) in HELPERS.items():
        assert f"from {helper} import" in (SCRIPTS / f"{script}.py").read_text()


def _needs_a_browser(name: str) -> bool:
    return name == "page_screenshot" and not (shutil.which("chromium") and importlib.util.find_spec("playwright"))


@pytest.mark.parametrize("name", sorted(SMOKE))
def test_script_runs_at_a_tiny_size(name, tmp_path):
    if _needs_a_browser(name):
        pytest.skip("needs chromium and playwright")
    args, line, written = SMOKE[name]
    done = subprocess.run([sys.executable, str(SCRIPTS / f"{name}.py"), *(a.replace("{tmp}", str(tmp_path))
                                                                        for a in args)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    output = done.stdout + done.stderr
    assert line in output, output[-3000:]
    helper_lines = [needle for script, needle in HELPERS.values() if script == name]
    assert all(needle in output for needle in helper_lines)
    if written:
        assert (tmp_path / written).is_file()


def test_every_script_the_readme_runs_has_a_smoke_case():
    named = set(re.findall(r"python scripts/(\w+)\.py", README))
    assert named and named <= set(SMOKE)


def _readme_commands() -> set[tuple[str, str]]:
    """(program, subcommand) of every `por X` / `por-verify X` the README shows."""
    return set(re.findall(r"(?<![\w-])(por|por-verify) ([a-z][a-z-]+)\b", README))


@pytest.mark.parametrize("program, command", sorted(_readme_commands()))
def test_every_readme_command_exists(program, command):
    result = CliRunner().invoke(por if program == "por" else por_verify, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def run(command, *args):
    result = CliRunner().invoke(command, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_readme_walkthrough_at_a_tiny_size(tmp_path):
    """`por generate`, `prove`, `inclusion`, `por-verify proof / inclusion / page / reserves`,
    `por generate-reserves`, `report` and `history` as the README chains them (test preset, 12 users)."""
    round_dir, users = tmp_path / "2026-11", tmp_path / "users.csv"
    run(por, "generate", "--users", 12, "--out", users)
    run(por, "prove", users, "--round", "2026-11", "--out", round_dir, "--preset", "test",
        "--secret-file", tmp_path / "secret")
    user_id = users.read_text().splitlines()[1].split(",")[0]
    run(por, "inclusion", round_dir, "--user-id", user_id, "--out", tmp_path / "mine.json")
    assert "VALID" in run(por_verify, "proof", round_dir, "--min-security", 0, "--terms")
    assert "VALID" in run(por_verify, "inclusion", tmp_path / "mine.json", "--public", round_dir / "public.json")
    run(por_verify, "page", "--out", tmp_path / "verify.html")
    run(por, "generate-reserves", round_dir, "--out", tmp_path / "reserves.csv")
    assert "BTC" in run(por_verify, "reserves", tmp_path / "reserves.csv", "--jobs", 1)
    run(por, "report", round_dir, "--reserves", tmp_path / "reserves.csv", "--out", tmp_path / "report",
        "--min-security", 0, "--jobs", 1)
    shutil.copy(tmp_path / "report" / "report.json", round_dir)  # the README's layout: the report beside the round
    run(por, "history", round_dir, "--out", tmp_path / "history", "--min-security", 0)
    assert (tmp_path / "verify.html").is_file() and any((tmp_path / "history").iterdir())
