"""The constraint interpreter on one LDE coset of the liabilities AIR: its program's size and time.

    python scripts/bench_interpreter.py [--users 65536] [--assets 22] [--repeats 3]

Compiles the AIR's constraints (random challenges and coefficients) into interpreter code, prints its instruction
count and mix, and times `evaluate_quotient` over one coset of the trace domain (random values: the interpreter's
time does not depend on them), best of `repeats`. This is the constraint quotient's inner loop: a proof runs it on
each of the blowup cosets.
"""
import argparse
import time
from collections import Counter

import numpy as np

from circuits.field import Ext, P
from circuits.solvency import SolvencyAir, Statement
from prover.engine.constraint_program import OPCODE_NAMES, compile_constraints
from prover.engine.constraint_vm import evaluate_quotient
from prover.engine.quotient import divisor_groups
from verifier.stark.params import load_preset
from verifier.stark.protocol import Protocol


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=65536, help="leaves, a power of two (default 65536)")
    parser.add_argument("--assets", type=int, default=22)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    params = load_preset("standard")
    statement = Statement("bench", tuple((f"A{i}", 8) for i in range(args.assets)), args.users, (1, 2, 3, 4),
                          (0,) * args.assets)
    protocol = Protocol(SolvencyAir(statement, params.zk_rows), params)
    rng = np.random.default_rng(3)
    keys, group_of = divisor_groups(protocol)

    def ext() -> Ext:
        a, b = rng.integers(0, P, 2, dtype=np.uint64)
        return Ext(int(a), int(b))

    program = compile_constraints([c.expr for c in protocol.constraints], group_of,
                                  [ext() for _ in protocol.constraints], [ext() for _ in range(protocol.num_challenges)])
    mix = Counter(OPCODE_NAMES[op] for op in program.code[:, 0])
    print(f"{len(protocol.constraints)} constraints -> {len(program.code)} instructions a point: "
          + ", ".join(f"{name} {count}" for name, count in mix.most_common()))
    n = protocol.trace_length
    main_values = rng.integers(0, P, (protocol.main_width, n), dtype=np.uint64)
    aux = rng.integers(0, P, (2 * protocol.aux_width, n), dtype=np.uint64)
    periodic = rng.integers(0, P, (len(protocol.periodic), n), dtype=np.uint64)
    inverses = rng.integers(0, P, (len(keys), n), dtype=np.uint64)
    out = np.empty((n, 2), dtype=np.uint64)
    evaluate_quotient(program, main_values[:, :4096], aux[:, :4096], periodic[:, :4096], inverses[:, :4096],
                      out[:4096])  # compile or load the kernel outside the measurement
    best = float("inf")
    for _ in range(args.repeats):
        started = time.perf_counter()
        evaluate_quotient(program, main_values, aux, periodic, inverses, out)
        best = min(best, time.perf_counter() - started)
    print(f"one coset of {n} points: {best:.3f} s ({best / n / len(program.code) * 1e9:.2f} ns an instruction "
          f"a point)")


if __name__ == "__main__":
    main()
