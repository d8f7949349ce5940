"""The whole reserves check in one call: read the files, verify every row, compare with liabilities."""
from verifier.reserves.balances import compare_balances, read_balances
from verifier.reserves.batch import verify_rows
from verifier.reserves.csvfile import read_reserves
from verifier.reserves.duplicates import once_per_address
from verifier.reserves.liabilities import Liabilities
from verifier.reserves.round_binding import bind_to_round
from verifier.reserves.summary import ReservesSummary, summarize


def check_reserves(reserves_path: str, liabilities: Liabilities | None = None, jobs: int | None = None,
                   balances_path: str | None = None, dedupe_addresses: bool = False) -> ReservesSummary:
    """Raises ReservesInputError for input that cannot be read, an unknown network, or (unless
    `dedupe_addresses`) an address listed twice for one asset and chain; rejected rows are in the summary instead.
    With liabilities, every message must name their round (see round_binding); with a balances snapshot,
    every amount must match it (see balances)."""
    reserves = read_reserves(reserves_path)
    rows, repeats = once_per_address(reserves, dedupe_addresses)
    snapshot = read_balances(balances_path) if balances_path else None
    verdicts = verify_rows(rows, jobs)
    if liabilities:
        verdicts = bind_to_round(rows, verdicts, liabilities.round)
    if snapshot:
        verdicts = compare_balances(rows, verdicts, snapshot)
    return summarize(reserves, verdicts + repeats, liabilities, balances_path)
