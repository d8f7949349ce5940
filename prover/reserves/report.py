"""The monthly proof-of-reserves report: report.json, report.md and a PNG of reserve ratios per asset.

A report is only made from a round whose liabilities proof verifies (SPEC §5), and names that proof by its
SHA-256 digest (`liabilities_proof`), so a reader can check that it is the proof the exchange published.
All three lead with the verdict (FULLY BACKED, or NOT FULLY BACKED naming each asset below 100%), because that
is what a reader looks for first.

Every number in the JSON and Markdown is an exact decimal string; the chart alone converts ratios to floats,
to draw them. All three files are written to temporary names first and then renamed, so a failure leaves
either the previous report or the new one, never a mix.
"""
import json
import os
import textwrap
from fractions import Fraction

from verifier.formats.atomic import write_files
from verifier.reserves.check import check_reserves
from verifier.reserves.liabilities import verified_liabilities
from verifier.reserves.summary import (
    CONTRACT_WALLET_CAVEAT,
    ReservesSummary,
    proof_line,
    summary_json,
)
from verifier.stark.verify import MIN_SECURITY

REPORT_FORMAT = "por-report/1"
CHART_NAME = "reserve_ratios.png"
RED, GREEN = "#c0392b", "#27ae60"


def build_report(summary: ReservesSummary) -> dict:
    """The report as JSON-ready data, from a summary made with a verified round's liabilities."""
    if summary.proof is None:
        raise ValueError("a report needs liabilities from a verified round (verified_liabilities)")
    report = summary_json(summary)
    report["format"] = REPORT_FORMAT
    report["chart"] = CHART_NAME
    return report


def render_markdown(report: dict) -> str:
    lines = [
        f"# Proof of reserves: round {report['round']}",
        "",
        f"**{report['verdict']}**",
        "",
        *(f"> **Warning:** {warning}\n" for warning in report["warnings"]),
        f"- Liabilities proof: **{proof_line(report['liabilities_proof'])}**",
        *_shard_digests(report["liabilities_proof"]),
        f"- Reserves file: `{os.path.basename(report['reserves_file'])}`",
        f"- Amounts: {report['amounts']}",
        f"- Rows counted: {sum(a['verified_rows'] for a in report['assets'])}; "
        f"rejected: {len(report['rejected'])}; unverified: {len(report['unverified'])}",
        "",
        "## Reserve ratio per asset",
        "",
        "| Asset | Verified reserves | Liabilities | Reserve ratio | Fully backed |",
        "|---|---:|---:|---:|---|",
    ]
    for asset in report["assets"]:
        ratio = asset["ratio_percent"] or "-"
        if asset["fully_backed"] is False:
            ratio = f"**{ratio} (below 100%)**"
        backed = {True: "yes", False: "**NO**", None: "-"}[asset["fully_backed"]]
        lines.append(f"| {asset['symbol']} | {asset['reserves']} | {asset['liabilities'] or '-'} | {ratio} | {backed} |")
    margin = [asset for asset in report["assets"] if "equity" in asset]
    if margin:
        lines += ["", "## Margin books (liabilities are net: equity minus debt, at least zero)", "",
                  "| Asset | Equity | Debt | Net liabilities | Collateral pledged |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {a['symbol']} | {a['equity']} | {a['debt']} | {a['liabilities']} | {a['collateral']} |"
                  for a in margin]
    lines += ["", f"![Reserve ratios]({report['chart']})", ""]
    lines += _row_section("Rejected rows (not counted)", report["rejected"])
    lines += _row_section("Unverified rows (signature scheme not supported; not counted)", report["unverified"])
    lines += _row_section("Contract wallets (counted on their owners' signatures)", report["contract_wallets"])
    if report["contract_wallets"]:
        lines += [f"> {CONTRACT_WALLET_CAVEAT}", ""]
    if report["legacy_messages"]:
        lines += _row_section("Legacy fixed message (counted; not tied to this round)", report["legacy_messages"])
    if report["duplicates"]:
        lines += _row_section("Duplicates (not counted again: the address is counted at its first row)",
                              report["duplicates"])
    mismatched = [t for t in report["declared_totals"] if not t["matches_listed"]]
    if report["declared_totals"]:
        lines += ["## Declared totals", ""]
        if mismatched:
            lines += ["| Line | Coin | Declared | Rows add up to | Verified |", "|---:|---|---:|---:|---:|"]
            lines += [f"| {t['line']} | {t['coin']} | {t['declared']} | {t['listed']} | {t['verified']} |"
                      for t in mismatched]
        else:
            lines.append("Every declared total equals the sum of the file's address rows.")
        lines.append("")
    return "\n".join(lines)


def _shard_digests(proof: dict) -> list[str]:
    """Each shard proof's own digest, under the line that names their concatenation."""
    files = proof["files"]
    return [] if len(files) == 1 else [f"  - `{f['file']}`: SHA-256 `{f['sha256']}`" for f in files]


def _row_section(title: str, rows: list[dict]) -> list[str]:
    lines = [f"## {title}", ""]
    if not rows:
        return lines + ["None.", ""]
    lines += ["| Line | Coin | Network | Address | Amount | Reason |", "|---:|---|---|---|---:|---|"]
    lines += [f"| {r['line']} | {r['coin']} | {r['network']} | `{r['address']}` | {r['amount'] or '-'} | {r['reason']} |"
              for r in rows]
    return lines + [""]


def save_figure(figure, path: str) -> None:
    figure.savefig(path, format="png")
    pyplot().close(figure)


def chart_figure(report: dict):
    """Horizontal bars of reserve ratio per asset (readable for two dozen assets): red below 100%, with a
    dashed 100% reference line, under the verdict as the title's first line."""
    assets = [a for a in report["assets"] if a["ratio"] is not None]
    percents = [float(Fraction(a["ratio"]) * 100) for a in assets]
    figure, axes = pyplot().subplots(figsize=(8, 1.8 + 0.32 * len(assets)), dpi=110)
    colors = [RED if a["fully_backed"] is False else GREEN for a in assets]
    positions = range(len(assets))
    bars = axes.barh(positions, percents, color=colors, height=0.7)
    axes.set_yticks(list(positions), [a["symbol"] for a in assets])
    axes.invert_yaxis()  # first asset on top, as in the tables
    axes.axvline(100, color="black", linestyle="--", linewidth=1, label="100% (fully backed)")
    for bar, asset in zip(bars, assets):
        axes.annotate(asset["ratio_percent"], (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                      xytext=(4, 0), textcoords="offset points", ha="left", va="center", fontsize=8)
    axes.set_xlabel("Reserve ratio (%)")
    axes.set_xlim(0, max(percents + [100]) * 1.18)
    axes.set_title(f"{textwrap.fill(report['verdict'], 90)}\nReserve ratios, round {report['round']}", fontsize=9,
                   color=RED if report["fully_backed"] is False else "black", loc="left")
    axes.legend(loc="lower right", bbox_to_anchor=(1, 1), fontsize=8, frameon=False)
    figure.tight_layout()
    return figure


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend, imported only when a chart is drawn (it is slow to load)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def write_report(round_dir: str, reserves_path: str, out_dir: str, jobs: int | None = None,
                 balances_path: str | None = None, min_security: int = MIN_SECURITY,
                 allow_no_zero_knowledge: bool = False, dedupe_addresses: bool = False) -> dict:
    """Verify the round's liabilities proof, then `reserves_path` against its liabilities (and the amounts against
    a balances snapshot, if given), and write the three report files to `out_dir`. Nothing is written unless the
    proof verifies: CheckFailed if it does not, InputError if a file is missing or malformed. `dedupe_addresses`
    as in `check_reserves`."""
    liabilities = verified_liabilities(round_dir, min_security, allow_no_zero_knowledge)
    summary = check_reserves(reserves_path, liabilities, jobs, balances_path, dedupe_addresses)
    report = build_report(summary)
    write_files(out_dir, [
        ("report.json", lambda p: write_text(p, json.dumps(report, indent=2) + "\n")),
        ("report.md", lambda p: write_text(p, render_markdown(report))),
        (CHART_NAME, lambda p: save_figure(chart_figure(report), p)),
    ])
    return report


def write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
