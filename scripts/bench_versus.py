"""This checkout's prover against another commit's, side by side on the same machine: the same round, alternated.

    git worktree add --detach ../landed 6197d33          # the version to compare with
    python scripts/bench_versus.py --baseline ../landed --users 65536 [--repeats 2] [--preset standard]

Each run is `scripts/bench_solvency.py --users N --json` of one checkout in a fresh process (its own PYTHONPATH, so
each imports its own packages); the two alternate, so both see the same machine load on average. It prints every
run and, per checkout, the best prove time, its ratio to the native hashing of the same run, peak memory and proof
size, then this checkout's best over the baseline's. Machines differ about 2x and are noisy: only the ratios mean
anything across machines.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def run(checkout: Path, users: int, preset: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    out = subprocess.run([sys.executable, str(checkout / "scripts" / "bench_solvency.py"), "--users", str(users),
                          "--preset", preset, "--json"], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the version to compare with")
    parser.add_argument("--users", type=int, default=65536)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--preset", default="standard")
    args = parser.parse_args()
    checkouts = {"baseline": args.baseline.resolve(), "this": HERE}
    runs: dict[str, list[dict]] = {name: [] for name in checkouts}
    for repeat in range(args.repeats):
        for name, checkout in checkouts.items():
            r = run(checkout, args.users, args.preset)
            runs[name].append(r)
            print(f"run {repeat + 1} {name:8}  prove {r['prove_s']:8.1f} s  ({r['prove_s'] / r['native_tree_s']:5.0f}x "
                  f"native)  peak {r['peak_mb'] / 1024:5.2f} GB  proof {r['proof_bytes'] / 1024:6.1f} KiB", flush=True)
    best = {name: min(rs, key=lambda r: r["prove_s"]) for name, rs in runs.items()}
    for name, r in best.items():
        print(f"best {name:8}  prove {r['prove_s']:8.1f} s  ratio to native {r['prove_s'] / r['native_tree_s']:5.0f}x  "
              f"peak {r['peak_mb'] / 1024:5.2f} GB  proof {r['proof_bytes'] / 1024:6.1f} KiB")
    print(f"this / baseline: prove {best['this']['prove_s'] / best['baseline']['prove_s']:.2f}x, "
          f"peak memory {best['this']['peak_mb'] / best['baseline']['peak_mb']:.2f}x")


if __name__ == "__main__":
    main()
