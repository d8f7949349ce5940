"""What a newcomer waits for: `por demo` with the prover's numba cache cleared, then again with it warm.

    python scripts/bench_first_run.py [--users 1000]

Deletes numba's cache files (*.nbi, *.nbc) under the installed packages, then runs `por demo` twice in fresh
processes and prints each run's wall time and the demo's own total time.
"""
import argparse
import re
import subprocess
import tempfile
import time
from pathlib import Path

PACKAGES = [Path(__file__).resolve().parents[1] / name for name in ("circuits", "prover", "verifier")]


def clear_numba_cache() -> int:
    files = [f for package in PACKAGES for pattern in ("*.nbi", "*.nbc") for f in package.rglob(pattern)]
    for f in files:
        f.unlink()
    return len(files)


def run_demo(users: int) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        done = subprocess.run(["por", "demo", "--users", str(users), "--out", str(Path(tmp) / "demo")],
                              capture_output=True, text=True, check=True)
        wall = time.perf_counter() - started
    total = re.search(r"total time\s+([\d.]+ s)", done.stdout)
    return wall, total.group(1) if total else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000, help="synthetic users (default 1000, as por demo)")
    args = parser.parse_args()
    print(f"cleared {clear_numba_cache()} numba cache files")
    for label in ("cold", "warm"):
        wall, total = run_demo(args.users)
        print(f"{label}: {wall:.1f} s wall, demo total time {total}")


if __name__ == "__main__":
    main()
