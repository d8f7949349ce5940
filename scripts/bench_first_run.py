"""What a newcomer waits for: `por demo` with the prover's numba cache cleared, then again with it warm.

    python scripts/bench_first_run.py [--users 1000]

Deletes numba's cache files (*.nbi, *.nbc) under this checkout's packages, then runs this checkout's `por demo`
twice in fresh processes (so a worktree measures its own code, whatever `pip install -e` points at) and prints
each run's wall time and the demo's own total time.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
PACKAGES = [CHECKOUT / name for name in ("circuits", "prover", "verifier")]
POR = [sys.executable, "-c", "from prover.cli import main; main()"]


def clear_numba_cache() -> int:
    files = [f for package in PACKAGES for pattern in ("*.nbi", "*.nbc") for f in package.rglob(pattern)]
    for f in files:
        f.unlink()
    return len(files)


def run_demo(users: int) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        done = subprocess.run([*POR, "demo", "--users", str(users), "--out", str(Path(tmp) / "demo")],
                              capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONPATH": str(CHECKOUT)})
        wall = time.perf_counter() - started
    total = re.search(r"total time\s+([\d.]+ s)", done.stdout)
    return wall, total.group(1) if total else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000, help="synthetic users (default 1000, as por demo)")
    parser.add_argument("--keep-cache", action="store_true",
                        help="leave numba's cache alone (a smoke run: both runs warm, nothing recompiled)")
    args = parser.parse_args()
    print("kept numba's cache" if args.keep_cache else f"cleared {clear_numba_cache()} numba cache files")
    for label in ("warm", "warm again") if args.keep_cache else ("cold", "warm"):
        wall, total = run_demo(args.users)
        print(f"{label}: {wall:.1f} s wall, demo total time {total}")


if __name__ == "__main__":
    main()
