"""`por-verify reserves`: check address ownership in a reserves file and compare with a round's liabilities.

Exit codes: 0 every row verified or unverifiable (listed) and, with --liabilities, every asset fully backed;
1 the liabilities proof does not verify (`INVALID: ...`, and no verdict), some row rejected or (unless
--allow-shortfall) some asset below 100%; 2 malformed input or usage, a proof file missing included.
"""
import json

import click

from verifier.cli.outcomes import exit_codes
from verifier.cli.security_options import security_options
from verifier.reserves.amounts import format_amount, format_percent
from verifier.reserves.check import check_reserves
from verifier.reserves.liabilities import verified_liabilities
from verifier.reserves.summary import (
    CONTRACT_WALLET_CAVEAT,
    ReservesSummary,
    failures,
    proof_json,
    proof_line,
    summary_json,
    verdict_headline,
    warnings,
)


@click.command()
@click.argument("reserves_csv", metavar="RESERVES.csv")
@click.option("--liabilities", "round_dir", metavar="ROUND_DIR",
              help="The round to compare with: its directory (or the public.json beside its proof files). Its proof "
                   "is verified first, as `por-verify proof` does; without a proof that verifies there is no "
                   "verdict. Every signed message must then name the round as the token 'por-round:<round>' (e.g. "
                   "'I control this address por-round:2024-05'); OKX's legacy 'I am an OKX address' is accepted "
                   "with a warning.")
@security_options
@click.option("--balances", "balances_path", metavar="SNAPSHOT",
              help="Balances snapshot (CSV address,asset,amount,height or a JSON list of such objects) exported from a node "
                   "or explorer at the snapshot height: every row's amount and height must match it, or the row "
                   "is rejected. Without it, amounts are reported as self-declared.")
@click.option("--dedupe-addresses", is_flag=True,
              help="Count an address listed twice for one asset and chain (e.g. under BTC and Bitcoin) once, at its "
                   "first row, and list each repeat as a warning; without it such a file is refused (exit 2).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Processes for signature checks [all cores].")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (exact decimal strings).")
@click.option("--allow-shortfall", is_flag=True, help="Exit 0 even if an asset's reserves are below its liabilities.")
@exit_codes
def reserves(reserves_csv: str, round_dir: str | None, min_security: int, allow_no_zero_knowledge: bool,
             balances_path: str | None, dedupe_addresses: bool, jobs: int | None, as_json: bool,
             allow_shortfall: bool) -> None:
    """Verify who controls each address in RESERVES.csv and print reserves, liabilities and ratio per asset,
    led by the verdict (FULLY BACKED or NOT FULLY BACKED) when --liabilities is given."""
    liabilities = (verified_liabilities(round_dir, min_security, allow_no_zero_knowledge) if round_dir
                   else None)
    summary = check_reserves(reserves_csv, liabilities, jobs, balances_path, dedupe_addresses)
    result = summary_json(summary)
    click.echo(json.dumps(result, indent=2) if as_json else render_text(summary))
    failed = failures(result, allow_shortfall)
    for line in failed:
        click.echo(f"FAILED: {line}", err=True)
    if failed:
        raise SystemExit(1)


def render_text(summary: ReservesSummary) -> str:
    lines = [verdict_headline(summary)] + [f"WARNING: {warning}" for warning in warnings(summary)]
    lines.append(f"Reserves: {summary.path}" + (f" (round {summary.round})" if summary.round else ""))
    if summary.proof:
        lines.append(f"Liabilities proof: {proof_line(proof_json(summary.proof))}")
    table = [("asset", "verified reserves", "liabilities", "reserve ratio")]
    for asset in summary.assets:
        ratio = asset.ratio
        table.append((
            asset.symbol,
            format_amount(asset.reserves),
            "-" if asset.liabilities is None else format_amount(asset.liabilities),
            "-" if ratio is None else format_percent(ratio),
        ))
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    lines += ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in table]
    for title, notes in (
        ("Rejected (not counted)", summary.rejected),
        ("Unverified (not counted: signature scheme not supported)", summary.unverified),
        ("Contract wallets (counted on their owners' signatures)", summary.contract_wallets),
        ("Legacy fixed message (counted; not tied to this round)", summary.legacy_messages),
        ("Duplicates (not counted again: the address is counted at its first row)", summary.duplicates),
    ):
        if notes:
            lines.append(f"{title}: {len(notes)}")
            lines += [f"  line {n.row.line}: {n.row.coin} {n.row.address}: {n.reason}" for n in notes]
    if summary.contract_wallets:
        lines.append("  " + CONTRACT_WALLET_CAVEAT)
    mismatched = [check for check in summary.totals if check.declared != check.listed]
    if mismatched:
        lines.append(f"Declared totals that differ from the file's own rows: {len(mismatched)}")
        lines += [
            f"  line {c.line}: {c.coin} declared {format_amount(c.declared)}, rows add up to "
            f"{format_amount(c.listed)} (verified {format_amount(c.verified)})"
            for c in mismatched
        ]
    return "\n".join(lines)
