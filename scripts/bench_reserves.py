"""Reserves verification rate: signed addresses checked per second with every core and with one, for each
secp256k1 backend (libsecp256k1 via coincurve, the default, and pure-Python py_ecc, the previous one).

Usage: python scripts/bench_reserves.py [--rows N] [--py-ecc-rows N] [--backend coincurve|py_ecc|both] [--round DIR]

The addresses are signed for a round's assets: DIR/public.json of a round directory with --round, else a valid
public.json written by the round codec for three assets (no proof needed: only ownership is timed).

py_ecc is about fifty times slower, so it is timed on fewer rows (rates are per second either way).
"""
import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from circuits.solvency import Statement  # noqa: E402
from prover.reserves.generate import generate_reserves  # noqa: E402
from verifier.formats.public import public_document  # noqa: E402
from verifier.formats.strict_json import read_json_file  # noqa: E402
from verifier.reserves import secp256k1  # noqa: E402
from verifier.reserves.batch import verify_rows  # noqa: E402
from verifier.reserves.csvfile import parse_reserves  # noqa: E402
from verifier.reserves.ownership import VERIFIED  # noqa: E402
from verifier.stark.params import load_preset  # noqa: E402

ASSETS = (("BTC", 8), ("ETH", 8), ("USDT", 6))


def synthetic_public() -> dict:
    """A valid public.json of a round named "bench" over ASSETS, 100 units each."""
    statement = Statement("bench", ASSETS, 8, (0, 0, 0, 0), tuple(100 * 10 ** decimals for _, decimals in ASSETS))
    return public_document(statement, "plain", load_preset("test").to_json(), 24)


def signed_rows(public: dict, count: int):
    """`count` distinct rows cycling through every address type the generator makes (one row per address)."""
    rows = []
    seed = 0
    while len(rows) < count:
        rows += parse_reserves(generate_reserves(public, {}, seed)).rows
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
    parser.add_argument("--round", type=Path, help="sign for this round directory's assets (reads DIR/public.json)")
    args = parser.parse_args()
    public = read_json_file(args.round / "public.json") if args.round else synthetic_public()
    backends = secp256k1.BACKENDS if args.backend == "both" else (args.backend,)
    counts = {"coincurve": args.rows, "py_ecc": args.py_ecc_rows}
    rows = signed_rows(public, max(counts[b] for b in backends))
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
