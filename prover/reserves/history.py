"""The monthly series: rounds side by side, each one verified, with month-on-month and year-on-year change.

Each ROUND_DIR holds the round's public.json and proof(s), and the report.json `por report` wrote for it
(ROUND_DIR/report.json). A round whose liabilities proof does not verify is refused (no series is written); a
verified round counts as verified when its report.json names that proof (its SHA-256), agrees with its
public.json (round name, every asset's liabilities) and with itself (each ratio is reserves / liabilities, each
verdict follows from the ratio). Reserves figures come from report.json.

Month-on-month compares a round with the one before it in the series (rounds are sorted by name); year-on-year
compares with the round named twelve months earlier, when round names are YYYY-MM and that round is present.
"""
import json
import os
import re
from dataclasses import dataclass
from fractions import Fraction

from prover.reserves.report import (
    GREEN,
    RED,
    REPORT_FORMAT,
    pyplot,
    save_figure,
    write_text,
)
from verifier.formats.atomic import write_files
from verifier.formats.strict_json import read_json_file
from verifier.reserves.amounts import (
    format_amount,
    format_fraction,
    format_percent,
    parse_amount,
)
from verifier.reserves.errors import ReservesInputError
from verifier.reserves.liabilities import Liabilities, LiabilitiesProof, verified_liabilities
from verifier.reserves.summary import proof_json, proof_line
from verifier.stark.verify import MIN_SECURITY

HISTORY_FORMAT = "por-history/1"
REPORT_NAME = "report.json"
CHART_NAME = "history.png"
_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class AssetFigures:
    symbol: str
    liabilities: Fraction
    reserves: Fraction

    @property
    def ratio(self) -> Fraction | None:
        return self.reserves / self.liabilities if self.liabilities else None


@dataclass(frozen=True)
class RoundEntry:
    directory: str
    round: str
    proof: LiabilitiesProof  # the round's proof, verified
    problems: tuple[str, ...]  # why the round does not count as verified; empty when it does
    assets: dict[str, AssetFigures]

    @property
    def verified(self) -> bool:
        return not self.problems


def round_directories(paths: list[str]) -> list[str]:
    """Each path that holds a public.json, or else its subfolders that do (a folder of rounds)."""
    found = []
    for path in paths:
        if os.path.isfile(os.path.join(path, "public.json")):
            found.append(path)
            continue
        children = sorted(os.path.join(path, name) for name in os.listdir(path)) if os.path.isdir(path) else []
        rounds = [child for child in children if os.path.isfile(os.path.join(child, "public.json"))]
        if not rounds:
            raise ReservesInputError(path, "no public.json here or in its subfolders")
        found += rounds
    return found


def load_round(directory: str, min_security: int = MIN_SECURITY,
               allow_no_zero_knowledge: bool = False) -> RoundEntry:
    """Verify one round's proof, then its report.json against it. CheckFailed if the proof does not verify (the
    round is refused, not listed), InputError if a file is missing or cannot be read at all."""
    liabilities = verified_liabilities(directory, min_security, allow_no_zero_knowledge)
    report_path = os.path.join(directory, REPORT_NAME)
    report = read_json_file(report_path)
    assets = _report_assets(report_path, report)
    problems = report_problems(report_path, report, assets, liabilities)
    return RoundEntry(directory, liabilities.round, liabilities.proof, tuple(problems), assets)


def _report_assets(path: str, report: object) -> dict[str, AssetFigures]:
    if not isinstance(report, dict) or report.get("format") != REPORT_FORMAT:
        raise ReservesInputError(path, f"field 'format' must be {REPORT_FORMAT!r}")
    if not isinstance(report.get("assets"), list):
        raise ReservesInputError(path, "field 'assets' must be a list")
    figures = {}
    for index, entry in enumerate(report["assets"]):
        where = f"assets[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("symbol"), str):
            raise ReservesInputError(path, f"{where}.symbol must be a string")
        if entry.get("liabilities") is None:
            continue  # held but not owed: no ratio to follow
        amounts = [_amount(path, f"{where}.{field}", entry.get(field)) for field in ("liabilities", "reserves")]
        figures[entry["symbol"]] = AssetFigures(entry["symbol"], *amounts)
    return figures


def _amount(path: str, where: str, value: object) -> Fraction:
    if not isinstance(value, str):
        raise ReservesInputError(path, f"{where} must be a decimal string")
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise ReservesInputError(path, f"{where}: {exc}") from None


def report_problems(path: str, report: dict, assets: dict[str, AssetFigures], liabilities: Liabilities) -> list[str]:
    """Where report.json disagrees with public.json or with itself, one line each naming the field."""
    name = os.path.basename(path)
    problems = []
    named = report.get("liabilities_proof")
    digest = named.get("sha256") if isinstance(named, dict) else None
    if digest != liabilities.proof.sha256:
        problems.append(f"{name}: field 'liabilities_proof.sha256' {digest!r} is not the round's proof "
                        f"{liabilities.proof.sha256!r}: the report was made for another proof")
    if report.get("round") != liabilities.round:
        problems.append(f"{name}: field 'round' {report.get('round')!r} is not public.json's {liabilities.round!r}")
    by_symbol = {entry["symbol"]: entry for entry in report["assets"]}
    for owed in liabilities.assets:
        figures = assets.get(owed.symbol)
        if figures is None or figures.liabilities != owed.total:
            shown = "missing" if figures is None else format_amount(figures.liabilities)
            problems.append(f"{name}: {owed.symbol} liabilities {shown}, public.json has {format_amount(owed.total)}")
            continue
        entry = by_symbol[owed.symbol]
        ratio = figures.ratio
        if entry.get("ratio") != (None if ratio is None else format_fraction(ratio)):
            problems.append(f"{name}: {owed.symbol} field 'ratio' is not reserves / liabilities")
        if entry.get("fully_backed") is not (figures.reserves >= figures.liabilities):
            problems.append(f"{name}: {owed.symbol} field 'fully_backed' does not follow from the amounts")
    return problems


def build_history(entries: list[RoundEntry]) -> dict:
    """The series as JSON-ready data: every number an exact decimal string, changes as signed percents."""
    entries = sorted(entries, key=lambda entry: entry.round)
    by_name = {entry.round: entry for entry in entries}
    symbols = list(dict.fromkeys(symbol for entry in entries for symbol in entry.assets))
    rows = []
    for previous, entry in zip([None] + entries[:-1], entries):
        year_ago = by_name.get(_year_before(entry.round))
        for symbol in symbols:
            if symbol in entry.assets:
                rows.append(_row(entry, symbol, previous, year_ago))
    return {
        "format": HISTORY_FORMAT,
        "rounds": [{"round": e.round, "directory": e.directory, "verified": e.verified,
                    "liabilities_proof": proof_json(e.proof), "problems": list(e.problems)} for e in entries],
        "assets": symbols,
        "series": rows,
        "chart": CHART_NAME,
    }


def _year_before(round_name: str) -> str | None:
    match = _MONTH.fullmatch(round_name)
    return f"{int(match.group(1)) - 1:04d}-{match.group(2)}" if match else None


def _row(entry: RoundEntry, symbol: str, previous: RoundEntry | None, year_ago: RoundEntry | None) -> dict:
    figures = entry.assets[symbol]
    ratio = figures.ratio
    return {
        "round": entry.round,
        "symbol": symbol,
        "verified": entry.verified,
        "liabilities": format_amount(figures.liabilities),
        "reserves": format_amount(figures.reserves),
        "ratio_percent": None if ratio is None else format_percent(ratio),
        "fully_backed": figures.reserves >= figures.liabilities,
        "month_on_month": _changes(figures, previous.assets.get(symbol) if previous else None),
        "year_on_year": _changes(figures, year_ago.assets.get(symbol) if year_ago else None),
    }


def _changes(now: AssetFigures, before: AssetFigures | None) -> dict | None:
    """Relative change of liabilities and reserves, and the ratio's change in percentage points."""
    if before is None:
        return None
    ratio_points = None
    if now.ratio is not None and before.ratio is not None:
        ratio_points = signed_percent(now.ratio - before.ratio).removesuffix("%") + " pp"
    return {
        "liabilities": _relative(now.liabilities, before.liabilities),
        "reserves": _relative(now.reserves, before.reserves),
        "ratio": ratio_points,
    }


def _relative(now: Fraction, before: Fraction) -> str | None:
    return signed_percent(now / before - 1) if before else None


def signed_percent(change: Fraction) -> str:
    """A change as '+4.00%' or '-2.50%', truncated toward zero like every percentage in the reports."""
    return ("-" if change < 0 else "+") + format_percent(abs(change))


def render_markdown(history: dict) -> str:
    lines = ["# Proof of reserves: the series", "", "## Rounds", "",
             "| Round | Verified | Liabilities proof | Problems |", "|---|---|---|---|"]
    lines += [f"| {r['round']} | {'yes' if r['verified'] else '**NO**'} | {proof_line(r['liabilities_proof'])} | "
              f"{'; '.join(r['problems']) or '-'} |" for r in history["rounds"]]
    lines += ["", f"![Liabilities, reserves and ratio per asset]({history['chart']})", ""]
    for symbol in history["assets"]:
        lines += [f"## {symbol}", "",
                  "| Round | Liabilities | Reserves | Ratio | Liabilities MoM | Reserves MoM | Ratio MoM | "
                  "Liabilities YoY | Reserves YoY | Ratio YoY |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for row in (r for r in history["series"] if r["symbol"] == symbol):
            ratio = row["ratio_percent"] or "-"
            ratio = ratio if row["fully_backed"] else f"**{ratio} (below 100%)**"
            lines.append(f"| {row['round']}{'' if row['verified'] else ' (NOT verified)'} | {row['liabilities']} | "
                         f"{row['reserves']} | {ratio} | " + " | ".join(_change_cells(row)) + " |")
        lines.append("")
    return "\n".join(lines)


def _change_cells(row: dict) -> list[str]:
    return [(change or {}).get(field) or "-" for change in (row["month_on_month"], row["year_on_year"])
            for field in ("liabilities", "reserves", "ratio")]


def chart_figure(history: dict):
    """One panel per asset: liabilities and reserves (left axis) and the reserve ratio (right axis, with 100%)."""
    symbols = history["assets"]
    columns = min(3, len(symbols)) or 1
    rows = -(-len(symbols) // columns) or 1
    figure, panels = pyplot().subplots(rows, columns, figsize=(4.6 * columns, 3.2 * rows), dpi=100, squeeze=False)
    for panel, symbol in zip(panels.flat, symbols):
        series = [row for row in history["series"] if row["symbol"] == symbol]
        names = [row["round"] for row in series]
        panel.plot(names, [float(Fraction(r["liabilities"])) for r in series], "o-", color="#555555", label="liabilities")
        panel.plot(names, [float(Fraction(r["reserves"])) for r in series], "o-", color=GREEN, label="reserves")
        panel.set_title(symbol, fontsize=10)
        panel.tick_params(axis="x", labelrotation=45, labelsize=7)
        ratio_axis = panel.twinx()
        ratios = [float(Fraction(r["reserves"]) / Fraction(r["liabilities"]) * 100) if r["ratio_percent"]
                  else float("nan") for r in series]
        ratio_axis.plot(names, ratios, "s--", color=RED, label="reserve ratio (%)")
        ratio_axis.axhline(100, color=RED, linewidth=0.6, linestyle=":")
        ratio_axis.set_ylabel("reserve ratio (%)", fontsize=8, color=RED)
        handles = panel.get_lines() + ratio_axis.get_lines()[:1]
    for panel in list(panels.flat)[len(symbols):]:
        panel.set_visible(False)
    figure.suptitle("Liabilities, reserves and reserve ratio per asset", fontsize=11, x=0.02, ha="left")
    figure.legend(handles=handles, loc="upper right", ncol=3, fontsize=8, frameon=False)
    figure.tight_layout()
    return figure


def write_history(entries: list[RoundEntry], out_dir: str) -> dict:
    """history.json, history.md and the chart in `out_dir`, all or none."""
    history = build_history(entries)
    write_files(out_dir, [
        ("history.json", lambda p: write_text(p, json.dumps(history, indent=2) + "\n")),
        ("history.md", lambda p: write_text(p, render_markdown(history))),
        (CHART_NAME, lambda p: save_figure(chart_figure(history), p)),
    ])
    return history
