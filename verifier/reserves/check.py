"""The whole reserves check in one call: read the file, verify every row, compare with liabilities."""
from verifier.reserves.batch import verify_rows
from verifier.reserves.csvfile import read_reserves
from verifier.reserves.liabilities import Liabilities
from verifier.reserves.summary import ReservesSummary, summarize


def check_reserves(reserves_path: str, liabilities: Liabilities | None = None, jobs: int | None = None) -> ReservesSummary:
    """Raises ReservesInputError for input that cannot be read; rejected rows are in the summary instead."""
    reserves = read_reserves(reserves_path)
    return summarize(reserves, verify_rows(reserves.rows, jobs), liabilities)
