"""Reserves verification rate: signed addresses checked per second with every core, then with one.

Usage: python scripts/bench_reserves.py [--rows N]
"""
import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prover.reserves.generate import generate_reserves  # noqa: E402
from verifier.reserves.batch import verify_rows  # noqa: E402
from verifier.reserves.csvfile import parse_reserves  # noqa: E402
from verifier.reserves.ownership import VERIFIED  # noqa: E402

PUBLIC = {"format": "por-public/1", "round": "bench", "assets": [
    {"symbol": "BTC", "decimals": 8, "total": "100"}, {"symbol": "ETH", "decimals": 8, "total": "100"},
    {"symbol": "USDT", "decimals": 6, "total": "100"}]}


def signed_rows(count: int):
    """`count` distinct rows cycling through every address type the generator makes (one row per address)."""
    rows = []
    seed = 0
    while len(rows) < count:
        rows += parse_reserves(generate_reserves(PUBLIC, {}, seed)).rows
        seed += 1
    return tuple(replace(row, line=i + 2) for i, row in enumerate(rows[:count]))


def rate(rows, jobs: int) -> float:
    start = time.perf_counter()
    verdicts = verify_rows(rows, jobs)
    elapsed = time.perf_counter() - start
    assert all(v.status == VERIFIED for v in verdicts), "benchmark rows must all verify"
    return len(rows) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400)
    args = parser.parse_args()
    rows = signed_rows(args.rows)
    cores = os.cpu_count() or 1
    parallel, single = rate(rows, cores), rate(rows, 1)
    print(f"rows: {len(rows)} (mix of P2PKH, P2WPKH, P2SH-P2WPKH, 2-of-3 P2SH/P2WSH, EVM, contract, TRON)")
    print(f"all cores ({cores}): {parallel:.1f} addresses/s")
    print(f"1 core:        {single:.1f} addresses/s")
    print(f"speed-up:      {parallel / single:.2f}x")


if __name__ == "__main__":
    main()
