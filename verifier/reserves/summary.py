"""Per-asset verified reserves against liabilities, with every row that was not counted and why.

All sums and ratios are Fractions; the JSON form carries exact decimal strings, the exact ratio as
'numerator/denominator' and a percentage truncated to two places (never rounded up past 100%).
"""
from dataclasses import dataclass
from fractions import Fraction

from verifier.reserves.amounts import format_amount, format_fraction, format_percent
from verifier.reserves.csvfile import DeclaredTotal, ReserveRow, ReservesFile
from verifier.reserves.duplicates import DUPLICATE, duplicates_warning
from verifier.reserves.liabilities import Liabilities, LiabilitiesProof
from verifier.reserves.networks import base_asset
from verifier.reserves.ownership import REJECTED, UNVERIFIED, VERIFIED, Verdict
from verifier.reserves.round_binding import legacy_warning
from verifier.stark.verify import MIN_SECURITY

CONTRACT_WALLET_CAVEAT = (
    "Contract-wallet rows are counted because every listed owner (eoa1/eoa2) signed the message; "
    "that these owners control the contract itself was NOT checked on chain."
)
SUMMARY_FORMAT = "por-reserves/1"
SELF_DECLARED_WARNING = (
    "Amounts are self-declared: no balances snapshot was given (--balances), so each row's amount is the "
    "reserves file's own claim; signatures prove control of an address, not its balance."
)


@dataclass(frozen=True)
class AssetSummary:
    symbol: str
    reserves: Fraction
    liabilities: Fraction | None
    verified_rows: int
    books: tuple[Fraction, Fraction, Fraction] | None = None  # margin rounds: equity, debt, total collateral

    @property
    def ratio(self) -> Fraction | None:
        """reserves / liabilities, or None when there are no liabilities to compare with."""
        return self.reserves / self.liabilities if self.liabilities else None

    @property
    def fully_backed(self) -> bool | None:
        """Verified reserves cover liabilities exactly or more; None when the asset has no liabilities given."""
        return None if self.liabilities is None else self.reserves >= self.liabilities


@dataclass(frozen=True)
class RowNote:
    """A row that was not counted (rejected, unverified or a duplicate) or counted with a caveat (contract wallet)."""

    row: ReserveRow
    reason: str


@dataclass(frozen=True)
class TotalCheck:
    """A totals-block line beside what the file's own address rows add up to, and what was verified."""

    line: int
    coin: str
    declared: Fraction
    listed: Fraction
    verified: Fraction


@dataclass(frozen=True)
class ReservesSummary:
    path: str
    round: str | None
    assets: tuple[AssetSummary, ...]
    rejected: tuple[RowNote, ...]
    unverified: tuple[RowNote, ...]
    contract_wallets: tuple[RowNote, ...]
    legacy_messages: tuple[RowNote, ...]
    totals: tuple[TotalCheck, ...]
    balances_path: str | None = None
    duplicates: tuple[RowNote, ...] = ()  # with --dedupe-addresses: repeats of a counted address, not counted
    proof: LiabilitiesProof | None = None  # the verified proof the liabilities come from

    @property
    def shortfalls(self) -> tuple[AssetSummary, ...]:
        return tuple(asset for asset in self.assets if asset.fully_backed is False)

    @property
    def fully_backed(self) -> bool | None:
        """Every asset with liabilities is covered; None when no liabilities were given (nothing to judge)."""
        return None if self.round is None else not self.shortfalls


def summarize(reserves: ReservesFile, verdicts: list[Verdict], liabilities: Liabilities | None,
              balances_path: str | None = None) -> ReservesSummary:
    """`balances_path` names the snapshot the amounts were checked against, if any."""
    status = {verdict.line: verdict for verdict in verdicts}
    counted = [row for row in reserves.rows if status[row.line].status == VERIFIED]
    owed = {asset.symbol: asset.total for asset in liabilities.assets} if liabilities else {}
    books = {asset.symbol: asset.books for asset in liabilities.assets} if liabilities else {}
    held: dict[str, Fraction] = {}
    count: dict[str, int] = {}
    for row in counted:
        symbol = base_asset(row.coin)
        held[symbol] = held.get(symbol, Fraction(0)) + row.amount
        count[symbol] = count.get(symbol, 0) + 1
    symbols = list(owed) + sorted(set(held) - set(owed))
    assets = tuple(
        AssetSummary(symbol, held.get(symbol, Fraction(0)), owed.get(symbol), count.get(symbol, 0), books.get(symbol))
        for symbol in symbols
    )

    def notes(wanted: str) -> tuple[RowNote, ...]:
        return tuple(RowNote(row, status[row.line].detail) for row in reserves.rows if status[row.line].status == wanted)

    def counted_with(flag: str) -> tuple[RowNote, ...]:
        return tuple(RowNote(row, status[row.line].detail) for row in counted if getattr(status[row.line], flag))

    return ReservesSummary(
        path=reserves.path,
        round=liabilities.round if liabilities else None,
        assets=assets,
        rejected=notes(REJECTED),
        unverified=notes(UNVERIFIED),
        contract_wallets=counted_with("contract_wallet"),
        legacy_messages=counted_with("legacy_message"),
        totals=tuple(_total_check(total, reserves.rows, counted) for total in reserves.totals),
        balances_path=balances_path,
        duplicates=notes(DUPLICATE),
        proof=liabilities.proof if liabilities else None,
    )


def amounts_source(summary: ReservesSummary) -> str:
    if summary.balances_path:
        return f"checked against the balances snapshot {summary.balances_path}"
    return "self-declared (no balances snapshot given)"


def warnings(summary: ReservesSummary) -> list[str]:
    """What a reader must know to weigh the ratios, shown right under the verdict in every output."""
    found = [] if summary.balances_path else [SELF_DECLARED_WARNING]
    proof = summary.proof
    if proof and proof.security_bits < MIN_SECURITY:
        found.append(f"The liabilities proof has {proof.security_bits} bits of conjectured security, below the "
                     f"usual {MIN_SECURITY} (accepted because --min-security was lowered to {proof.min_security}).")
    if proof and not proof.zero_knowledge:
        found.append("The liabilities proof was made without zero knowledge (accepted by --allow-no-zero-knowledge): "
                     "its openings may reveal users' balances.")
    if summary.legacy_messages:
        found.append(legacy_warning(summary.round, len(summary.legacy_messages)))
    if summary.duplicates:
        found.append(duplicates_warning(len(summary.duplicates)))
    return found


def verdict_headline(summary: ReservesSummary) -> str:
    """The one line every output leads with, e.g. 'NOT FULLY BACKED: SOL 97.10%'."""
    if summary.fully_backed is None:
        return "NO VERDICT: no liabilities given to compare with"
    if summary.shortfalls:
        return "NOT FULLY BACKED: " + ", ".join(f"{a.symbol} {format_percent(a.ratio)}" for a in summary.shortfalls)
    ratios = [(asset.ratio, asset.symbol) for asset in summary.assets if asset.ratio is not None]
    lowest = f" (lowest: {min(ratios)[1]} {format_percent(min(ratios)[0])})" if ratios else ""
    return f"FULLY BACKED: every asset's verified reserves cover its liabilities{lowest}"


def _total_check(total: DeclaredTotal, rows: tuple[ReserveRow, ...], counted: list[ReserveRow]) -> TotalCheck:
    def added(selection) -> Fraction:
        return sum((row.amount for row in selection if _covers(total.coin, row) and row.amount is not None), Fraction(0))

    return TotalCheck(total.line, total.coin, total.amount, added(rows), added(counted))


def _covers(total_coin: str, row: ReserveRow) -> bool:
    """`USDT(ALL)` covers every coin of the asset; any other name covers rows of exactly that coin."""
    name = total_coin.upper()
    if name.endswith("(ALL)"):
        return base_asset(row.coin) == name[: -len("(ALL)")]
    return row.coin.upper() == name


def summary_json(summary: ReservesSummary) -> dict:
    """The summary with every number as an exact string (no floats)."""

    def asset(entry: AssetSummary) -> dict:
        ratio = entry.ratio
        margin = {} if entry.books is None else dict(zip(("equity", "debt", "collateral"),
                                                         map(format_amount, entry.books)))
        return {**margin,
            "symbol": entry.symbol,
            "reserves": format_amount(entry.reserves),
            "liabilities": None if entry.liabilities is None else format_amount(entry.liabilities),
            "ratio": None if ratio is None else format_fraction(ratio),
            "ratio_percent": None if ratio is None else format_percent(ratio),
            "fully_backed": entry.fully_backed,
            "verified_rows": entry.verified_rows,
        }

    def row(note: RowNote) -> dict:
        return {
            "line": note.row.line,
            "coin": note.row.coin,
            "network": note.row.network,
            "address": note.row.address,
            "amount": None if note.row.amount is None else format_amount(note.row.amount),
            "reason": note.reason,
        }

    def total(check: TotalCheck) -> dict:
        return {
            "line": check.line,
            "coin": check.coin,
            "declared": format_amount(check.declared),
            "listed": format_amount(check.listed),
            "verified": format_amount(check.verified),
            "matches_listed": check.declared == check.listed,
        }

    return {
        "format": SUMMARY_FORMAT,
        "reserves_file": summary.path,
        "round": summary.round,
        "amounts": amounts_source(summary),
        "fully_backed": summary.fully_backed,
        "verdict": verdict_headline(summary),
        "liabilities_proof": None if summary.proof is None else proof_json(summary.proof),
        "assets": [asset(entry) for entry in summary.assets],
        "rejected": [row(note) for note in summary.rejected],
        "unverified": [row(note) for note in summary.unverified],
        "contract_wallets": [row(note) for note in summary.contract_wallets],
        "contract_wallet_caveat": CONTRACT_WALLET_CAVEAT if summary.contract_wallets else None,
        "legacy_messages": [row(note) for note in summary.legacy_messages],
        "duplicates": [row(note) for note in summary.duplicates],
        "warnings": warnings(summary),
        "declared_totals": [total(check) for check in summary.totals],
    }


def proof_json(proof: LiabilitiesProof) -> dict:
    """The verified proof as the outputs name it: its digest (and each file's), security and floor."""
    return {
        "verified": True,
        "sha256": proof.sha256,
        "files": [{"file": file, "sha256": digest} for file, digest in proof.files],
        "security_bits": proof.security_bits,
        "min_security": proof.min_security,
        "zero_knowledge": proof.zero_knowledge,
    }


def proof_line(proof: dict) -> str:
    """One line naming the proof (as `proof_json` gives it), for the text and Markdown outputs."""
    files = proof["files"]
    named = files[0]["file"] if len(files) == 1 else \
        f"{files[0]['file']} .. {files[-1]['file']} ({len(files)} files, in order)"
    return (f"verified, {proof['security_bits']} bits of conjectured security; "
            f"SHA-256 of {named}: {proof['sha256']}")


def failures(result: dict, allow_shortfall: bool) -> list[str]:
    """What makes a command exit 1, one line each, from `summary_json` output: rejected rows, and a shortfall
    unless the caller allows it."""
    lines = [f"{len(result['rejected'])} reserves row(s) rejected"] if result["rejected"] else []
    if result["fully_backed"] is False and not allow_shortfall:
        lines.append(f"{result['verdict']} (--allow-shortfall to accept)")
    return lines
