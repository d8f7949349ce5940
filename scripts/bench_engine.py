"""Engine benchmark: prove and verify a 16-column toy AIR (default 2^20 rows) at the standard preset.

    python scripts/bench_engine.py [--log-rows 20] [--preset standard]

Prints prove and verify times, proof size, peak memory, and the cost of the two primitives that dominate
proving: a 2^log_rows NTT and a Merkle commitment to 2^log_rows rows of 16 columns. The baseline, measured in
the same run, is the least any such prover does: extend the trace by the blowup and commit to it; the ratio
of the prove time to it is what the rest of the protocol costs.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from tqdm import tqdm

from prover.engine import lde, ntt
from prover.engine.merkle_tree import MerkleTree
from prover.engine.prover import prove, random_field_elements
from verifier.stark.params import load_preset
from verifier.stark.verify import verify

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from toy_airs import WideRecurrenceAir, wide_recurrence_output  # noqa: E402  (the engine's test AIRs)

PROVER_STAGES = 5  # stages reported by prove() for an AIR without LogUp columns


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-rows", type=int, default=20, help="log2 of the trace length (default 20)")
    parser.add_argument("--preset", default="standard", help="parameter preset (default standard)")
    args = parser.parse_args()
    params = load_preset(args.preset)
    n = 1 << args.log_rows
    rows = n - params.zk_rows  # every non-random row is active
    air = WideRecurrenceAir(rows, wide_recurrence_output(rows), params.zk_rows)

    # warm-up: load every numba kernel from its cache so the timings measure work, not compilation
    small = WideRecurrenceAir(200, wide_recurrence_output(200), params.zk_rows)
    verify(small, prove(small, small.build_main_trace(None), params), params, min_security=0)

    with tqdm(total=PROVER_STAGES, desc="prove", unit="stage") as bar:
        def progress(stage: str) -> None:  # called as each stage starts: the one before it is done
            if bar.postfix:
                bar.update(1)
            bar.set_postfix_str(stage)

        proof, prove_time = timed(prove, air, air.build_main_trace(None), params, progress=progress)
        bar.update(bar.total - bar.n)
    verified, verify_time = timed(verify, air, proof, params, 100 if params.name != "test" else 0)

    values = random_field_elements((n,))
    ntt.ntt(values)
    _, ntt_time = timed(ntt.ntt, values)
    _, merkle_time = timed(MerkleTree, random_field_elements((n, 16)))
    trace = random_field_elements((air.main_width, n))
    _, baseline = timed(lambda: MerkleTree(lde.low_degree_extend(lde.interpolate(trace), params.blowup).T))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"trace          2^{args.log_rows} rows x {air.main_width} columns, preset {params.name}, "
          f"{verified.security_bits} bits")
    print(f"prove          {prove_time:8.2f} s   ({prove_time / baseline:.1f}x the baseline: trace LDE + commit "
          f"{baseline:.2f} s)")
    print(f"verify         {verify_time * 1000:8.1f} ms")
    print(f"proof size     {len(proof) / 1024:8.1f} KiB")
    print(f"peak memory    {peak_mib:8.0f} MiB")
    print(f"NTT 2^{args.log_rows}       {ntt_time * 1000:8.1f} ms")
    print(f"Merkle 2^{args.log_rows} x16 {merkle_time:8.2f} s")


if __name__ == "__main__":
    main()
