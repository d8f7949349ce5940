"""Benchmark a liabilities round end to end: prove, verify (in process and through the CLI), inclusion proofs.

    python scripts/bench_solvency.py --users 1024 --assets 22 [--preset standard]

Peak memory is the process's ru_maxrss, so run one size per process.
"""
import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from prover.generate import generate_users, write_users_csv
from prover.inclusion import export_inclusion
from prover.round import prove_round
from verifier.round import load_public, verify_inclusion, verify_round

INCLUSION_CHECKS = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--assets", type=int, default=22)
    parser.add_argument("--preset", default="standard", choices=["standard", "test"])
    args = parser.parse_args()
    min_security = 0 if args.preset == "test" else 100

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        table = generate_users(args.users, args.assets, seed=1)
        write_users_csv(table, tmp / "users.csv")
        started = time.perf_counter()
        result = prove_round(tmp / "users.csv", "bench", tmp / "round", args.preset, tmp / "secret", progress=False)
        prove_seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        started = time.perf_counter()
        verify_round(tmp / "round", min_security=min_security)
        verify_seconds = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run(["por-verify", "proof", str(tmp / "round"), "--min-security", str(min_security)],
                       check=True, capture_output=True)
        cli_seconds = time.perf_counter() - started

        proof = export_inclusion(tmp / "round", table.ids[len(table.ids) // 2])
        statement = load_public(tmp / "round" / "public.json")[0]
        started = time.perf_counter()
        for _ in range(INCLUSION_CHECKS):
            verify_inclusion(proof, public=statement)
        inclusion_ms = (time.perf_counter() - started) / INCLUSION_CHECKS * 1000

    print(f"users {args.users} x {args.assets} assets, {result.public['leaves']} leaves, preset {args.preset} "
          f"({result.security_bits} bits)")
    print(f"prove (users file -> verified round dir)  {prove_seconds:8.2f} s")
    print(f"peak memory (ru_maxrss)                  {peak_mb:8.0f} MB")
    print(f"proof size                               {result.proof_size:8d} bytes")
    print(f"verify_round (in process)                {verify_seconds:8.3f} s")
    print(f"por-verify proof (CLI, incl. start-up)   {cli_seconds:8.3f} s")
    print(f"inclusion proof size (JSON)              {len(json.dumps(proof, indent=2)):8d} bytes")
    print(f"inclusion verify (mean of {INCLUSION_CHECKS})           {inclusion_ms:8.2f} ms")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
