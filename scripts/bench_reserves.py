"""Reserves verification rate: signed addresses checked per second with every core and with one, for each
secp256k1 backend (libsecp256k1 via coincurve, the default, and pure-Python py_ecc, the previous one).

Usage: python scripts/bench_reserves.py [--rows N] [--py-ecc-rows N] [--backend coincurve|py_ecc|both]

py_ecc is about fifty times slower, so it is timed on fewer rows (rates are per second either way).
"""
import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prover.reserves.generate import generate_reserves  # noqa: E402
from verifier.reserves import secp256k1  # noqa: E402
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


def rate(rows, jobs: int, backend: str) -> float:
    """Addresses per second; the backend is chosen through the environment so worker processes use it too."""
    os.environ[secp256k1.BACKEND_VARIABLE] = backend
    start = time.perf_counter()
    verdicts = verify_rows(rows, jobs)
    elapsed = time.perf_counter() - start
    assert all(v.status == VERIFIED for v in verdicts), "benchmark rows must all verify"
    return len(rows) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000, help="rows timed with coincurve")
    parser.add_argument("--py-ecc-rows", type=int, default=200, help="rows timed with py_ecc")
    parser.add_argument("--backend", choices=[*secp256k1.BACKENDS, "both"], default="both")
    args = parser.parse_args()
    backends = secp256k1.BACKENDS if args.backend == "both" else (args.backend,)
    counts = {"coincurve": args.rows, "py_ecc": args.py_ecc_rows}
    rows = signed_rows(max(counts[b] for b in backends))
    cores = os.cpu_count() or 1
    print("rows: mix of P2PKH, P2WPKH, P2SH-P2WPKH, 2-of-3 P2SH/P2WSH, EVM, contract, TRON")
    rates = {}
    for backend in backends:
        sample = rows[: counts[backend]]
        rates[backend] = parallel, single = rate(sample, cores, backend), rate(sample, 1, backend)
        print(f"{backend:9} ({len(sample)} rows): all cores ({cores}) {parallel:8.1f} addresses/s, "
              f"1 core {single:8.1f} addresses/s")
    if len(rates) == 2:
        print(f"coincurve / py_ecc on all cores: {rates['coincurve'][0] / rates['py_ecc'][0]:.1f}x")


if __name__ == "__main__":
    main()
