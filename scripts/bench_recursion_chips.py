"""Proving cost of the verifier AIR's chips (circuits.recursion): the first data point for docs/RECURSION.md's
cost estimate. Every slot of every row is used: Merkle steps in the Poseidon2 slot (depth-16 paths, each
index's bits in the bits slot), a Horner evaluation chain in the ext slots; the root and the value are checked
against public inputs.

    PYTHONPATH=. python scripts/bench_recursion_chips.py --log-rows 12 14 --preset standard

Measured on the shared 2-core machine (2026-12-07, kernels cached, other sessions running: +-50%), shape of one
Poseidon2, two ext, one bits slot and one constant port per row: width 351 of which 128 preprocessed (the wiring),
100 bus ports (18 LogUp extension columns), standard preset:
    2^12 rows: prove 0.6-1.2 s, proof 152 KiB, verify 0.09-0.16 s
    2^14 rows: prove 3.2-3.6 s (4,500-5,100 rows/s), proof 167 KiB; IR 5.9-7.9 s (pure-Python permutations),
               wiring and verifying key 0.5 s, trace 0.6 s
    2^16 rows: prove 12.0 s (5,450 rows/s), proof 183 KiB; wiring and key 3.0 s
"""
import argparse
import time

import numpy as np

from circuits.field import Ext
from circuits.recursion.air import Shape
from circuits.tree_hash import path_root
from prover.engine.prover import prove
from prover.recursion.circuit import Circuit, Free, merkle_root
from prover.recursion.keys import build_air
from prover.recursion.trace import build_trace
from verifier.stark.params import load_preset
from verifier.stark.protocol import Protocol
from verifier.stark.verify import verify

DEPTH = 16


def filled_circuit(rows: int, shape: Shape, seed: int = 1) -> Circuit:
    """About `rows` rows of ops (a few rows stay free for the zero-knowledge rows' padding)."""
    rng = np.random.default_rng(seed)
    circuit = Circuit(framing=shape.framing)
    target = rows - 8
    paths = 0
    while (paths + 1) * DEPTH <= target * shape.poseidon2:
        leaf = [int(x) for x in rng.integers(0, 1 << 63, 4)]
        siblings = [[int(x) for x in rng.integers(0, 1 << 63, 4)] for _ in range(DEPTH)]
        index = int(rng.integers(0, 1 << DEPTH))
        node = merkle_root(circuit, [Free.of(v) for v in leaf], Free.of(index),
                           [[Free.of(v) for v in s] for s in siblings])
        if paths == 0:  # the first root is checked against public inputs
            for got, want in zip(node, path_root(tuple(leaf), index, [tuple(s) for s in siblings])):
                circuit.assert_equal(got, circuit.public(want))
        paths += 1
    x = circuit.witness(Ext(11, 12))
    acc = circuit.witness(Ext(1, 2))
    coeff = circuit.constant(Ext(3, 4))
    ext_ops = sum(op.kind == "ext" for op in circuit.ops)
    for _ in range(target * shape.ext - ext_ops):
        acc = circuit.mul_add(acc, x, coeff)
    return circuit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-rows", type=int, nargs="+", default=[12, 14])
    parser.add_argument("--preset", default="standard")
    args = parser.parse_args()
    params = load_preset(args.preset)
    shape = Shape()
    for log_rows in args.log_rows:
        start = time.perf_counter()
        circuit = filled_circuit((1 << log_rows) - params.zk_rows, shape)
        written = time.perf_counter() - start
        start = time.perf_counter()
        air = build_air(circuit, shape, params, params.zk_rows)
        keyed = time.perf_counter() - start
        start = time.perf_counter()
        trace = build_trace(air, circuit)
        fill = time.perf_counter() - start
        start = time.perf_counter()
        proof = prove(air, trace, params)
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        verify(air, proof, params, min_security=0)
        checked = time.perf_counter() - start
        print(f"2^{log_rows} rows ({air.active_rows} active), width {air.main_width} "
              f"({air.preprocessed_width} preprocessed), "
              f"{len(air.interactions())} bus ports/row ({Protocol(air, params).aux_width} LogUp ext columns), "
              f"{len(circuit.ops)} ops: IR {written:.1f} s, wiring and key {keyed:.1f} s, trace {fill:.1f} s, "
              f"prove {elapsed:.1f} s ({air.trace_length / elapsed:,.0f} rows/s), proof {len(proof) / 1024:.0f} KiB, "
              f"verify {checked:.2f} s", flush=True)


if __name__ == "__main__":
    main()
