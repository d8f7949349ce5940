"""The whole reserves check in one call: read the file, verify every row, compare with liabilities."""
from verifier.reserves.batch import verify_rows
from verifier.reserves.csvfile import read_reserves
from verifier.reserves.liabilities import Liabilities
from verifier.reserves.round_binding import bind_to_round
from verifier.reserves.summary import ReservesSummary, summarize


def check_reserves(reserves_path: str, liabilities: Liabilities | None = None, jobs: int | None = None) -> ReservesSummary:
    """Raises ReservesInputError for input that cannot be read; rejected rows are in the summary instead.
    With liabilities, every message must name their round (see round_binding)."""
    reserves = read_reserves(reserves_path)
    verdicts = verify_rows(reserves.rows, jobs)
    if liabilities:
        verdicts = bind_to_round(reserves.rows, verdicts, liabilities.round)
    return summarize(reserves, verdicts, liabilities)
