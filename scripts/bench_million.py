"""A month at exchange scale, end to end: 2^20 users x 22 assets at the standard preset (the README's row).

    python scripts/bench_million.py                                  # 2^20 users: hours on 2 cores
    python scripts/bench_million.py --users 131072 --workers 2       # 2^17: two shards, to see it work

Steps, each a separate `por` / `por-verify` process as an operator runs them: generate the users, `por prove`
(sharded at --shard-leaves, on Dask with --workers/--scheduler), `por-verify proof`, `por inclusion --all`.
Peak memory is sampled (every 0.2 s) over the whole process tree, Dask's worker processes included. Prints one
line per step and the Markdown table row.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from prover.exchange.generate import generate_users, write_users_csv
from verifier.stark.params import PRESETS

ENTRY = "import sys; from {module} import main; sys.argv[0] = {name!r}; sys.exit(main())"
POR = [sys.executable, "-c", ENTRY.format(module="prover.cli", name="por")]  # this checkout's code, like `por`
POR_VERIFY = [sys.executable, "-c", ENTRY.format(module="verifier.cli", name="por-verify")]


class PeakMemory:
    """The largest sum of resident memory over a process and all its descendants, sampled in a thread."""

    def __init__(self, process: subprocess.Popen):
        self.peak, self._process = 0, psutil.Process(process.pid)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while True:
            try:
                tree = [self._process, *self._process.children(recursive=True)]
                self.peak = max(self.peak, sum(_rss(p) for p in tree))
            except psutil.NoSuchProcess:
                return
            time.sleep(0.2)


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:
        return 0


def run(label: str, command: list[str], log: Path) -> tuple[float, int]:
    """Run `command` (its output appended to `log`); its wall time and peak memory over its process tree."""
    started = time.monotonic()
    with open(log, "a") as output:
        output.write(f"\n$ {label}\n")
        output.flush()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        memory = PeakMemory(process)
        code = process.wait()
    seconds = time.monotonic() - started
    print(f"{label:<28} {seconds:9.1f} s   peak {memory.peak / 2**30:6.2f} GiB", flush=True)
    if code:
        sys.exit(f"{label} failed (exit {code}); see {log}")
    return seconds, memory.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1 << 20)
    parser.add_argument("--assets", type=int, default=22)
    parser.add_argument("--preset", default="standard", choices=PRESETS)
    parser.add_argument("--shard-leaves", type=int, default=1 << 16)
    parser.add_argument("--workers", help="N or auto: prove on a local Dask cluster")
    parser.add_argument("--scheduler", help="tcp://HOST:PORT: prove on an existing Dask cluster")
    parser.add_argument("--dir", help="work directory to create and keep [a temporary one, removed]")
    args = parser.parse_args()

    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="bench-million-", dir="."))
    work.mkdir(parents=True, exist_ok=True)
    log, round_dir = work / "bench.log", work / "round"
    try:
        started = time.monotonic()
        write_users_csv(generate_users(args.users, args.assets, seed=2026), work / "users.csv")
        print(f"{'generate users':<28} {time.monotonic() - started:9.1f} s   "
              f"({args.users} users x {args.assets} assets)", flush=True)
        prove = [*POR, "prove", str(work / "users.csv"), "--round", "bench", "--out", str(round_dir), "--preset",
                 args.preset, "--secret-file", str(work / "secret"), "--shard-leaves", str(args.shard_leaves)]
        prove += ["--workers", args.workers] if args.workers else []
        prove += ["--scheduler", args.scheduler] if args.scheduler else []
        prove_seconds, prove_peak = run("por prove", prove, log)
        minimum = ["--min-security", "0"] if args.preset == "test" else []
        verify_seconds, _ = run("por-verify proof", [*POR_VERIFY, "proof", str(round_dir), *minimum], log)
        export_seconds, _ = run("por inclusion --all", [*POR, "inclusion", str(round_dir), "--all", "--out",
                                                         str(work / "inclusion")], log)
        public = json.loads((round_dir / "public.json").read_text())
        proofs = sorted((round_dir / "proofs").glob("*.bin")) or [round_dir / "proof.bin"]
        size = sum(p.stat().st_size for p in proofs)
        print(f"\nproofs: {len(proofs)}, {size:,} bytes; {public['security_bits']} bits; "
              f"{args.users / export_seconds:,.0f} inclusion proofs/s")
        print("\n| users x assets | preset | wall time (prove) | peak memory (all processes) | proofs | proof bytes "
              "| por-verify proof | bulk inclusion export |")
        print(f"| 2^{args.users.bit_length() - 1} x {args.assets} | {args.preset} | {_minutes(prove_seconds)} "
              f"| {prove_peak / 2**30:.1f} GiB | {len(proofs)} | {size / 1000:,.0f} KB | {verify_seconds:.1f} s "
              f"| {_minutes(export_seconds)} ({args.users / export_seconds:,.0f}/s) |")
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)


def _minutes(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


if __name__ == "__main__":
    main()
