"""Verdicts for every row of a reserves file, with signature recovery spread over processes.

Even with libsecp256k1 a real file (tens of thousands of addresses, each needing address encodings and one to
three recoveries) is CPU-bound, so it gains from more cores once it is larger than a few hundred rows.
"""
import multiprocessing
import os

from verifier.reserves.csvfile import ReserveRow
from verifier.reserves.networks import address_key
from verifier.reserves.ownership import REJECTED, Verdict, verify_row

ROWS_PER_TASK = 16


def verify_rows(rows: tuple[ReserveRow, ...], jobs: int | None = None) -> list[Verdict]:
    """One verdict per row, in row order. A repeated (network, coin, address) is rejected so the same coins
    cannot be counted twice; `jobs` defaults to every core."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    first_line: dict[tuple[str, str, str], int] = {}
    duplicates: dict[int, int] = {}
    for row in rows:
        key = (row.network.upper(), row.coin.upper(), address_key(row.address))
        if key in first_line:
            duplicates[row.line] = first_line[key]
        else:
            first_line[key] = row.line
    unique = [row for row in rows if row.line not in duplicates]
    if jobs == 1 or len(unique) <= ROWS_PER_TASK:
        checked = [verify_row(row) for row in unique]
    else:
        with multiprocessing.Pool(min(jobs, len(unique) // ROWS_PER_TASK + 1)) as pool:
            checked = pool.map(verify_row, unique, chunksize=ROWS_PER_TASK)
    by_line = {verdict.line: verdict for verdict in checked}
    for line, first in duplicates.items():
        by_line[line] = Verdict(line, REJECTED, f"duplicate of line {first} (same network, coin and address)")
    return [by_line[row.line] for row in rows]
