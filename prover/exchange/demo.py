"""`por demo`: the whole monthly job on synthetic data, in one fresh directory.

Users -> liabilities round (proved at the standard preset) -> the verifier's check of the round -> one user's
inclusion proof, exported and checked -> a signed reserves file -> the report with reserve ratios per asset.
Deterministic except for what must be random (the master secret, padding, shuffle and proof masking).
"""
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

from prover.exchange.generate import DEFAULT_MARKET, generate_users, write_users_csv
from prover.exchange.inclusion import export_inclusion
from prover.exchange.round import PUBLIC_FILE, InputError, prove_round
from prover.exchange.staging import security_floor
from prover.reserves.generate import generate_reserves
from prover.reserves.report import write_report
from verifier.formats.inclusion import inclusion_json
from verifier.solvency.inclusion import verify_inclusion
from verifier.solvency.round import load_public, verify_round

DEMO_SEED = 2024
UNDER_RESERVED = "SOL"  # one asset below 100%, so the report shows what a shortfall looks like
_UNDER_RATIO = Fraction(97, 100)


@dataclass
class DemoResult:
    out_dir: Path
    round_dir: Path
    report_dir: Path
    inclusion_path: Path
    security_bits: int
    proof_size: int
    report: dict
    timings: list[tuple[str, float]] = field(default_factory=list)


def demo_ratios(symbols: list[str]) -> dict[str, Fraction]:
    """Reserve ratios per asset: 102% to 110% in turn, and UNDER_RESERVED at 97%."""
    ratios = {symbol: Fraction(102 + k % 9, 100) for k, symbol in enumerate(symbols)}
    if UNDER_RESERVED in ratios:
        ratios[UNDER_RESERVED] = _UNDER_RATIO
    return ratios


def run_demo(n_users: int, out_dir: Path, preset: str = "standard", progress: bool = True,
             echo: Callable[[str], None] = print) -> DemoResult:
    if out_dir.exists():
        raise InputError(f"{out_dir} already exists; the demo writes into a new directory")
    out_dir.mkdir(parents=True)
    timings = []

    def timed(step: str, action):
        started = time.monotonic()
        value = action()
        timings.append((step, time.monotonic() - started))
        echo(f"{step}: {timings[-1][1]:.1f} s")
        return value

    users_csv, round_dir = out_dir / "users.csv", out_dir / "round"
    table = generate_users(n_users, len(DEFAULT_MARKET), seed=DEMO_SEED)
    timed(f"generate {n_users} users x {len(table.assets)} assets", lambda: write_users_csv(table, users_csv))
    result = timed(f"prove round ({preset} preset)", lambda: prove_round(
        users_csv, f"demo-{time.strftime('%Y-%m')}", round_dir, preset, out_dir / "por-master.secret", progress))
    min_security = security_floor(preset)
    verified = timed("verify the round", lambda: verify_round(round_dir, min_security=min_security))

    public = load_public(round_dir / PUBLIC_FILE)
    inclusion_path = out_dir / f"inclusion-{table.ids[0]}.json"
    inclusion = export_inclusion(round_dir, table.ids[0])
    inclusion_path.write_text(inclusion_json(inclusion), encoding="utf-8")
    timed(f"check {table.ids[0]}'s inclusion proof",
          lambda: verify_inclusion(inclusion, public.root, public))

    reserves_csv, report_dir = out_dir / "reserves.csv", out_dir / "report"
    symbols = [a.symbol for a in table.assets]
    timed("sign a synthetic reserves file", lambda: reserves_csv.write_text(
        generate_reserves(result.public, demo_ratios(symbols), DEMO_SEED), encoding="utf-8"))
    report = timed("verify reserves and write the report", lambda: write_report(
        str(round_dir), str(reserves_csv), str(report_dir), min_security=min_security))
    return DemoResult(out_dir, round_dir, report_dir, inclusion_path, verified.security_bits, verified.proof_size,
                      report, timings)
