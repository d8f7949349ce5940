"""`por history`: the monthly series of verified rounds (JSON, Markdown and a chart).

Exit codes: 0 every round verified; 1 some round's liabilities proof does not verify (`INVALID: ...`, nothing
written), or the series was written but some round's report does not agree with it; 2 malformed input (a proof
file missing included; nothing written).
"""
import click

from prover.reserves.history import load_round, round_directories, write_history
from verifier.cli.outcomes import input_errors
from verifier.cli.security_options import security_options


@click.command()
@click.argument("round_dirs", nargs=-1, required=True, metavar="ROUND_DIR...")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Directory for history.json, history.md and history.png.")
@security_options
@input_errors
def history(round_dirs: tuple[str, ...], out_dir: str, min_security: int, allow_no_zero_knowledge: bool) -> None:
    """Verify each round (its proof, and the report.json `por report --out ROUND_DIR` wrote beside its
    public.json) and tabulate liabilities, reserves and ratio per asset with month-on-month and year-on-year
    change. A ROUND_DIR without public.json is read as a folder of rounds. A round whose proof does not verify is
    refused: nothing is written."""
    entries = [load_round(directory, min_security, allow_no_zero_knowledge)
               for directory in round_directories(list(round_dirs))]
    written = write_history(entries, out_dir)
    for entry in written["rounds"]:
        click.echo(f"{entry['round']}: {'verified' if entry['verified'] else 'NOT verified'}")
    click.echo(f"series of {len(entries)} round(s) written to {out_dir}")
    failed = [entry for entry in written["rounds"] if not entry["verified"]]
    for entry in failed:
        click.echo(f"FAILED: round {entry['round']} ({entry['directory']}): {'; '.join(entry['problems'])}", err=True)
    if failed:
        raise SystemExit(1)
