"""The whole verifier of one child proof, in the circuit: `verifier.stark.verify` step for step, on wires.

The child's data (roots, out-of-domain values, the nonce, opened rows and their Merkle paths, the FRI final
polynomial) are free witness values; everything that depends only on the child's shape (parameters, AIR,
widths, domain sizes, roots of unity, the pinned root of its preprocessed columns) is a constant of the circuit.
The child's public values are wires: the transcript absorbs them and its constraints read them, and the caller
(an aggregation layer) combines them into its own claim. So the circuit is a function of the child's shape alone,
and any child proof of that shape that the native verifier accepts satisfies it, and no other.

Before writing a single op the walk runs the native verifier on the child: a child that fails there is refused
with its reason (the circuit could not be satisfied anyway, but the error would be an opaque failed assertion).
"""
from __future__ import annotations

from prover.recursion import ood_gadget
from prover.recursion.queries_gadget import DeepGadget, check_query
from prover.recursion.circuit import Circuit, Wire
from prover.recursion.merkle_gadget import check_opening, full_paths
from prover.recursion.transcript_gadget import CircuitTranscript
from verifier.stark.commitment import digest_elements
from verifier.stark.proof_format import StarkProof, parse
from verifier.stark.protocol import Protocol
from verifier.stark.transcript import u64_limbs
from verifier.stark.verify import VerificationError, verify


class ChildRejected(ValueError):
    """The child proof does not verify natively: aggregation refuses it."""


def _digest(circuit: Circuit, digest: bytes) -> list[Wire]:
    return [circuit.witness(x) for x in digest_elements(digest)]


def _opened(circuit: Circuit, protocol: Protocol, opening, positions: list[int], depth: int) -> list[tuple]:
    """Per query (in order): its opened row's wires and its full sibling path's wires, from the batched opening.
    Every query gets wires of its own even when two queries open the same row: the wiring (each wire's fan-out)
    must not depend on where the queries fell, or the circuit, and its key, would change from proof to proof."""
    rows = dict(zip(sorted(set(positions)), opening.rows))
    digests = {i: protocol.commitment.hash_row(row) for i, row in rows.items()}
    paths, _ = full_paths(protocol.commitment, digests, opening.siblings, depth)
    return [([circuit.witness(x) for x in rows[i]], [_digest(circuit, s) for s in paths[i]]) for i in positions]


def verify_child(circuit: Circuit, protocol: Protocol, proof_bytes: bytes) -> list[Wire]:
    """Append the child's whole verification to `circuit`; returns its public values' wires."""
    try:
        verify(protocol.air, proof_bytes, protocol.params, min_security=0,
               allow_no_zero_knowledge=not protocol.params.zero_knowledge)
    except VerificationError as e:
        raise ChildRejected(f"child proof rejected: {e}") from None
    proof: StarkProof = parse(proof_bytes)
    if protocol.public_values is None:
        raise ValueError(f"{protocol.air.name} has no public values: a circuit cannot read its statement")
    publics = [circuit.witness(v) for v in protocol.public_values]

    t = CircuitTranscript.from_native(circuit, protocol.transcript_prefix())
    t.absorb_elements("public", publics)
    if protocol.preprocessed_width:
        t.absorb_ints("preprocessed", [tuple(circuit.constant(x) for x in u64_limbs([protocol.preprocessed_width]))])
        t.absorb_digest("preprocessed root", [circuit.constant(x) for x in digest_elements(protocol.preprocessed_root)])
    main_root = _digest(circuit, proof.main_root)
    t.absorb_digest("main root", main_root)
    challenges = [t.challenge_ext(f"logup challenge {i}") for i in range(protocol.num_challenges)]
    aux_root = None
    if proof.aux_root is not None:
        aux_root = _digest(circuit, proof.aux_root)
        t.absorb_digest("aux root", aux_root)
    alpha = t.challenge_ext("composition")
    quotient_root = _digest(circuit, proof.quotient_root)
    t.absorb_digest("quotient root", quotient_root)
    z = t.challenge_ext("ood point")
    ood_trace = [circuit.witness(v) for v in proof.ood_trace]
    ood_quotient = [circuit.witness(v) for v in proof.ood_quotient]
    t.absorb_ext("ood values", ood_trace + ood_quotient)
    gamma = t.challenge_ext("deep")
    fri_roots, betas = [], []
    for root in proof.fri_roots:
        fri_roots.append(_digest(circuit, root))
        t.absorb_digest("fri layer", fri_roots[-1])
        betas.append(t.challenge_ext("fri fold"))
    fri_final = [circuit.witness(v) for v in proof.fri_final]
    t.absorb_ext("fri final", fri_final)
    t.check_pow(tuple(circuit.witness(x) for x in u64_limbs([proof.pow_nonce])), protocol.params.grinding_bits)
    index_bits = t.challenge_indices("queries", protocol.params.num_queries, protocol.lde_size)

    ood_gadget.check_ood(circuit, protocol, challenges, alpha, z, ood_trace, ood_quotient, publics)
    indices = [sum(circuit.value(b).a << j for j, b in enumerate(bits)) for bits in index_bits]
    rows = _check_openings(circuit, protocol, proof, indices, index_bits, main_root, aux_root, quotient_root,
                           fri_roots)
    deep = DeepGadget(circuit, protocol, gamma, z, ood_trace, ood_quotient)
    for bits, opened in zip(index_bits, rows):
        check_query(circuit, protocol, deep, bits, opened["trace"], opened["quotient"], opened["fri"], betas,
                    fri_final)
    return publics


def _check_openings(circuit, protocol, proof, indices, index_bits, main_root, aux_root, quotient_root, fri_roots):
    """Every opened row under its root, per query (full paths); returns per query its trace row (fixed, main and
    LogUp columns in order), quotient row and FRI layer rows, as wires."""
    depth = protocol.lde_size.bit_length() - 1
    openings = iter(proof.openings)
    trees = []
    if protocol.preprocessed_width:
        key = [circuit.constant(x) for x in digest_elements(protocol.preprocessed_root)]
        trees.append((key, next(openings)))
    trees.append((main_root, next(openings)))
    if aux_root is not None:
        trees.append((aux_root, next(openings)))
    trace_trees, (quotient_tree,) = trees, [(quotient_root, next(openings))]
    per_query = [{"trace": [], "quotient": None, "fri": []} for _ in indices]
    for root, opening in trace_trees + [quotient_tree]:
        opened = _opened(circuit, protocol, opening, indices, depth)
        for q, (bits, (row, path)) in enumerate(zip(index_bits, opened)):
            check_opening(circuit, row, bits, path, root)
            if root is quotient_root:
                per_query[q]["quotient"] = row
            else:
                per_query[q]["trace"] += row
    arity_log = protocol.params.fri_log_arity
    for size, root, opening in zip(protocol.fri_layers, fri_roots, openings):
        leaves = size >> arity_log
        log_leaves = leaves.bit_length() - 1
        positions = [j % leaves for j in indices]
        opened = _opened(circuit, protocol, opening, positions, log_leaves)
        for q, (bits, (row, path)) in enumerate(zip(index_bits, opened)):
            check_opening(circuit, row, bits[:log_leaves], path, root)
            per_query[q]["fri"].append(row)
    return per_query

