"""Poseidon2 permutations of the commitment half of the in-circuit verifier, for one Poseidon2-committed shard
proof (`SolvencyAir`): per query, every opened tree's leaf sponge and full Merkle path; per proof, the
transcript. The circuit is written by the gadgets themselves (prover/recursion/transcript_gadget.py and
merkle_gadget.py) on random messages (no root asserted), so the counts are what the builder writes; the
proof-of-work nonce is ground for the random transcript.

    PYTHONPATH=. python scripts/bench_recursion_openings.py --preset test standard --log-leaves 16 --assets 2
"""
import argparse
import random

from circuits.field import Ext, P
from circuits.solvency import SolvencyAir, Statement
from prover.engine.grinding import grind
from prover.recursion.circuit import Circuit
from prover.recursion.merkle_gadget import COMMIT_FRAMING, opening_root, row_digest
from prover.recursion.transcript_gadget import CircuitTranscript
from verifier.stark.params import load_preset, with_hash
from verifier.stark.protocol import Protocol
from verifier.stark.transcript import u64_limbs


def _permutations(circuit: Circuit) -> int:
    return sum(op.kind in ("poseidon2", "merkle") for op in circuit.ops)


def trees(protocol: Protocol) -> list[tuple[str, int, int]]:
    """(name, row width, depth) of every tree a query opens, in verify.py's order."""
    depth = protocol.lde_size.bit_length() - 1
    out = [("preprocessed", protocol.preprocessed_width, depth)] if protocol.preprocessed_width else []
    out.append(("main", protocol.main_width - protocol.preprocessed_width, depth))
    if protocol.aux_width:
        out.append(("LogUp", 2 * protocol.aux_width, depth))
    out.append(("quotient", protocol.quotient_width, depth))
    arity_log = protocol.params.fri_log_arity
    out += [(f"FRI {size}", 2 << arity_log, (size >> arity_log).bit_length() - 1) for size in protocol.fri_layers]
    return out


def transcript_permutations(protocol: Protocol, rng: random.Random) -> int:
    """verify.py's transcript sequence on random messages, from the native statement prefix."""
    c = Circuit()
    t = CircuitTranscript.from_native(c, protocol.new_transcript())

    def digest():
        return [c.witness(rng.randrange(P)) for _ in range(4)]

    def exts(n):
        return [c.witness(Ext(rng.randrange(P), rng.randrange(P))) for _ in range(n)]

    t.absorb_digest("main root", digest())
    for i in range(protocol.num_challenges):
        t.challenge_ext(f"logup challenge {i}")
    if protocol.aux_width:
        t.absorb_digest("aux root", digest())
    t.challenge_ext("composition")
    t.absorb_digest("quotient root", digest())
    t.challenge_ext("ood point")
    t.absorb_ext("ood values", exts(2 * protocol.trace_width + 2 * protocol.quotient_chunks))
    t.challenge_ext("deep")
    for _ in protocol.fri_layers:
        t.absorb_digest("fri layer", digest())
        t.challenge_ext("fri fold")
    t.absorb_ext("fri final", exts(protocol.fri_final_degree))
    nonce = grind(t.native(), protocol.params.grinding_bits)
    t.check_pow(tuple(c.witness(x) for x in u64_limbs([nonce])), protocol.params.grinding_bits)
    t.challenge_indices("queries", protocol.params.num_queries, protocol.lde_size)
    return _permutations(c)


def query_permutations(protocol: Protocol, rng: random.Random) -> list[tuple[str, int, int, int, int]]:
    """Per tree: (name, width, depth, leaf permutations, Merkle steps) of one query."""
    c = Circuit(framing=COMMIT_FRAMING)
    bits = c.bits(c.witness(rng.randrange(protocol.lde_size)))
    out = []
    for name, width, depth in trees(protocol):
        before = _permutations(c)
        leaf = row_digest(c, [c.witness(rng.randrange(P)) for _ in range(width)])
        leaf_perms = _permutations(c) - before
        opening_root(c, leaf, bits[:depth], [[c.witness(rng.randrange(P)) for _ in range(4)] for _ in range(depth)])
        out.append((name, width, depth, leaf_perms, _permutations(c) - before - leaf_perms))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", nargs="+", default=["test", "standard"])
    parser.add_argument("--log-leaves", type=int, default=16)
    parser.add_argument("--assets", type=int, default=2)
    args = parser.parse_args()
    rng = random.Random(1)
    statement = Statement("bench", tuple((f"A{i}", 8) for i in range(args.assets)), 1 << args.log_leaves,
                          (0, 0, 0, 0), (0,) * args.assets)
    for name in args.preset:
        params = with_hash(load_preset(name), "poseidon2")
        protocol = Protocol(SolvencyAir(statement, params.zk_rows), params)
        per_tree = query_permutations(protocol, rng)
        per_query = sum(leaf + steps for *_, leaf, steps in per_tree)
        transcript = transcript_permutations(protocol, rng)
        print(f"{params.name}: 2^{args.log_leaves} leaves x {args.assets} assets, trace 2^"
              f"{protocol.trace_length.bit_length() - 1}, LDE 2^{protocol.lde_size.bit_length() - 1}, "
              f"{params.num_queries} queries, FRI arity {1 << params.fri_log_arity}")
        for tree, width, depth, leaf, steps in per_tree:
            print(f"  {tree:>14}: width {width:4}, depth {depth:2}: {leaf:3} leaf + {steps:2} path permutations")
        print(f"  per query {per_query} permutations; x {params.num_queries} queries = "
              f"{per_query * params.num_queries}; transcript {transcript}; commitment half total "
              f"{per_query * params.num_queries + transcript}", flush=True)


if __name__ == "__main__":
    main()
