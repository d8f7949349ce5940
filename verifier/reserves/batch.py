"""Verdicts for every row of a reserves file, with signature recovery spread over processes.

Even with libsecp256k1 a real file (tens of thousands of addresses, each needing address encodings and one to
three recoveries) is CPU-bound, so it gains from more cores once it is larger than a few hundred rows.
"""
import multiprocessing
import os

from verifier.reserves.csvfile import ReserveRow
from verifier.reserves.ownership import Verdict, verify_row

ROWS_PER_TASK = 16


def verify_rows(rows: tuple[ReserveRow, ...], jobs: int | None = None) -> list[Verdict]:
    """One verdict per row, in row order; `jobs` defaults to every core. (An address listed twice is found
    before this: see `duplicates`.)"""
    jobs = max(1, jobs or os.cpu_count() or 1)
    if jobs == 1 or len(rows) <= ROWS_PER_TASK:
        return [verify_row(row) for row in rows]
    with multiprocessing.Pool(min(jobs, len(rows) // ROWS_PER_TASK + 1)) as pool:
        return pool.map(verify_row, rows, chunksize=ROWS_PER_TASK)
