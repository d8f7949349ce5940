"""`por report` and `por generate-reserves`: the exchange-side reserves commands.

Exit codes: 0 done; 1 the liabilities proof does not verify (`INVALID: ...`, nothing written), or the report was
written but some reserves rows were rejected or (unless --allow-shortfall) some asset is below 100%; 2 malformed
input or usage (a proof file missing included; nothing written).
"""
import os
from fractions import Fraction

import click

from prover.reserves.generate import UnknownAssetError, generate_reserves
from prover.reserves.report import write_report
from verifier.cli.outcomes import input_errors
from verifier.cli.security_options import security_options
from verifier.errors import InputError
from verifier.formats.atomic import atomic_output
from verifier.formats.strict_json import read_json_file
from verifier.reserves.amounts import parse_amount
from verifier.reserves.summary import failures, proof_line


@click.command()
@click.argument("round_dir", type=click.Path(file_okay=False))
@click.option("--reserves", "reserves_csv", required=True, metavar="RESERVES.csv",
              help="Reserves file (OKX layout). Every signed message must name the round as the token "
                   "'por-round:<round>'; OKX's legacy 'I am an OKX address' is accepted with a warning.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory for the report.")
@click.option("--balances", "balances_path", metavar="SNAPSHOT",
              help="Balances snapshot (CSV address,asset,amount,height or a JSON list of such objects) exported from a node "
                   "or explorer at the snapshot height: every row's amount and height must match it, or the row "
                   "is rejected. Without it, amounts are reported as self-declared.")
@click.option("--dedupe-addresses", is_flag=True,
              help="Count an address listed twice for one asset and chain (e.g. under BTC and Bitcoin) once, at its "
                   "first row, and list each repeat as a warning; without it such a file is refused (exit 2).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Processes for signature checks [all cores].")
@security_options
@click.option("--allow-shortfall", is_flag=True, help="Exit 0 even if an asset's reserves are below its liabilities.")
@input_errors
def report(round_dir: str, reserves_csv: str, out_dir: str, balances_path: str | None, dedupe_addresses: bool,
           jobs: int | None, min_security: int, allow_no_zero_knowledge: bool, allow_shortfall: bool) -> None:
    """Verify ROUND_DIR's liabilities proof (nothing is written unless it verifies), then RESERVES.csv, and write
    report.json, report.md and a chart, each led by the verdict (FULLY BACKED, or NOT FULLY BACKED with the assets
    below 100%) and naming the proof's SHA-256."""
    written = write_report(round_dir, reserves_csv, out_dir, jobs, balances_path, min_security,
                           allow_no_zero_knowledge, dedupe_addresses)
    click.echo(written["verdict"])
    for warning in written["warnings"]:
        click.echo(f"WARNING: {warning}")
    for asset in written["assets"]:
        click.echo(f"{asset['symbol']}: reserves {asset['reserves']}, liabilities {asset['liabilities'] or '-'}, "
                   f"ratio {asset['ratio_percent'] or '-'}")
    click.echo(f"liabilities proof: {proof_line(written['liabilities_proof'])}")
    click.echo(f"report written to {out_dir}")
    failed = failures(written, allow_shortfall)
    for line in failed:
        click.echo(f"FAILED: {line}; see report.md", err=True)
    if failed:
        raise SystemExit(1)


def _parse_ratio(text: str, what: str) -> Fraction:
    try:
        return parse_amount(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a decimal ratio such as 1.05", param_hint=what) from None


@click.command("generate-reserves")
@click.argument("round_dir", type=click.Path(file_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="CSV file to write.")
@click.option("--ratio", "ratio_specs", multiple=True, metavar="SYMBOL=RATIO", help="e.g. BTC=1.04 (repeatable).")
@click.option("--default-ratio", default="1.05", show_default=True, help="Ratio for assets without --ratio.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed the demo keys are derived from.")
def generate_reserves_command(round_dir: str, out_path: str, ratio_specs: tuple[str, ...], default_ratio: str,
                              seed: int) -> None:
    """Write a signed synthetic reserves file covering every asset of ROUND_DIR/public.json."""
    public_path = os.path.join(round_dir, "public.json")
    try:
        public = read_json_file(public_path)
    except InputError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    ratios = {}
    for spec in ratio_specs:
        symbol, _, value = spec.partition("=")
        if not symbol or not value:
            raise click.BadParameter(f"{spec!r} is not SYMBOL=RATIO", param_hint="--ratio")
        ratios[symbol.strip().upper()] = _parse_ratio(value, "--ratio")
    try:
        text = generate_reserves(public, ratios, seed, _parse_ratio(default_ratio, "--default-ratio"))
    except InputError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    except UnknownAssetError as exc:
        raise click.BadParameter(str(exc), param_hint="--ratio") from None
    with atomic_output(out_path, permissions=0o644, newline="") as out:
        out.write(text)
    click.echo(f"wrote {out_path} ({text.count(chr(10)) - 1} lines, seed {seed})")
