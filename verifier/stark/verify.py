"""The STARK verifier: replay the transcript, check the constraints at the out-of-domain point, check every
Merkle opening, and follow every query through the DEEP composition and every FRI fold.

`verify` returns a `Verified` summary or raises `VerificationError` with one line saying what failed. Malformed
bytes are a `VerificationError` too: nothing in here lets a parsing or arithmetic exception escape.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass

from circuits.air import BOUNDARY, TRANSITION, Air, Constraint
from circuits.expr import Algebra
from circuits.field import GENERATOR, Ext, P, inv, root_of_unity
from verifier.stark.commitment import MerkleError, check_rows
from verifier.stark.deep import DeepComposition, X
from verifier.stark.fri import evaluate_polynomial, fold_coset
from verifier.stark.params import StarkParams
from verifier.stark.proof_format import Opening, ProofFormatError, StarkProof, parse
from verifier.stark.protocol import AirError, Protocol
from verifier.stark.security import Security

SCALARS = Algebra(add=operator.add, sub=operator.sub, mul=operator.mul, neg=operator.neg)


MIN_SECURITY = 100  # bits; what `por-verify` and every library caller require unless told otherwise


class VerificationError(Exception):
    pass


@dataclass(frozen=True)
class Verified:
    security_bits: int  # conjectured
    security: Security  # every term, conjectured and proven
    trace_length: int
    params: StarkParams
    proof_size: int


def verify(air: Air, proof_bytes: bytes, expected_params: StarkParams | None = None,
           min_security: int = MIN_SECURITY, allow_no_zero_knowledge: bool = False) -> Verified:
    """Check a proof for `air`. Safe by default: below `min_security` bits, or without zero knowledge (users'
    balances would then rest on the exchange's choice), the proof is rejected unless the caller says otherwise."""
    try:
        return _verify(air, proof_bytes, expected_params, min_security, allow_no_zero_knowledge)
    except VerificationError:
        raise
    except ProofFormatError as e:
        raise VerificationError(f"malformed proof: {e}") from None
    except (AirError, MerkleError, ZeroDivisionError, ValueError, IndexError, KeyError, TypeError) as e:
        raise VerificationError(f"invalid proof: {e}") from None


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise VerificationError(what)


def _verify(air: Air, proof_bytes: bytes, expected: StarkParams | None, min_security: int,
            allow_no_zero_knowledge: bool) -> Verified:
    proof = parse(proof_bytes)
    params = proof.params
    _require(params.zero_knowledge or allow_no_zero_knowledge,
             "proof is made without zero knowledge: its openings may reveal users' balances")
    if expected is not None:
        mismatched = [k for k in expected.to_json() if k != "name" and getattr(expected, k) != getattr(params, k)]
        _require(not mismatched, f"proof parameters differ from the published ones: {', '.join(mismatched)}")
    protocol = Protocol(air, params)
    security = protocol.security
    bits = security.conjectured_bits
    _require(bits >= min_security, f"proof gives {bits} bits of security, below the minimum {min_security}")
    _check_shape(protocol, proof)

    # Replay the transcript exactly as the prover ran it.
    t = protocol.new_transcript()
    t.absorb_digest("main root", proof.main_root)
    challenges = [t.challenge_ext(f"logup challenge {i}") for i in range(protocol.num_challenges)]
    if proof.aux_root is not None:
        t.absorb_digest("aux root", proof.aux_root)
    alpha = t.challenge_ext("composition")
    t.absorb_digest("quotient root", proof.quotient_root)
    z = t.challenge_ext("ood point")
    t.absorb_ext("ood values", proof.ood_trace + proof.ood_quotient)
    gamma = t.challenge_ext("deep")
    betas = []
    for root in proof.fri_roots:
        t.absorb_digest("fri layer", root)
        betas.append(t.challenge_ext("fri fold"))
    t.absorb_ext("fri final", proof.fri_final)
    _require(t.check_pow(proof.pow_nonce, params.grinding_bits), "proof-of-work nonce is invalid")
    t.absorb_ints("pow nonce", [proof.pow_nonce])
    indices = t.challenge_indices("queries", params.num_queries, protocol.lde_size)

    _check_ood(protocol, proof, challenges, alpha, z)
    trace_rows, quotient_rows, fri_openings = _check_openings(protocol, proof, indices)
    _check_queries(protocol, proof, indices, trace_rows, quotient_rows, fri_openings, z, gamma, betas)
    return Verified(bits, security, protocol.trace_length, params, len(proof_bytes))


def _check_shape(protocol: Protocol, proof: StarkProof) -> None:
    _require(1 << proof.log_trace_length == protocol.trace_length,
             f"proof is for a trace of 2^{proof.log_trace_length} rows, the statement needs {protocol.trace_length}")
    _require((proof.aux_root is not None) == (protocol.aux_width > 0), "proof's auxiliary commitment does not fit")
    _require(proof.preprocessed_width == protocol.preprocessed_width,
             f"proof has {proof.preprocessed_width} preprocessed columns, the AIR {protocol.preprocessed_width}")
    _require(len(proof.ood_trace) == 2 * protocol.trace_width, "wrong number of out-of-domain trace values")
    _require(len(proof.ood_quotient) == 2 * protocol.quotient_chunks, "wrong number of out-of-domain quotient values")
    _require(len(proof.fri_roots) == len(protocol.fri_layers), "wrong number of FRI layers")
    _require(len(proof.fri_final) == protocol.fri_final_degree, "FRI final polynomial has the wrong degree bound")
    trees = 2 + (protocol.preprocessed_width > 0) + (protocol.aux_width > 0) + len(protocol.fri_layers)
    _require(len(proof.openings) == trees, "wrong number of Merkle openings")


def _periodic_at(values: list[int], trace_length: int, z: Ext) -> Ext:
    """The periodic column's polynomial q(z^(n/period)), q interpolating the values over the period's roots, by
    the barycentric formula q(y) = (y^m - 1) / m * sum_i v_i w^i / (y - w^i): linear in the period m."""
    period = len(values)
    w = root_of_unity(period)
    y = z ** (trace_length // period)
    vanishing = y ** period - Ext(1)
    point = 1
    if vanishing == Ext(0):  # y is one of the roots: q(y) is its value
        for v in values:
            if y == Ext(point):
                return Ext(v)
            point = point * w % P
    total = Ext(0)
    for v in values:
        if v:
            total = total + Ext(v * point % P) / (y - Ext(point))
        point = point * w % P
    return total * vanishing * Ext(inv(period))


def _divisor_at(protocol: Protocol, c: Constraint, z: Ext) -> Ext:
    n = protocol.trace_length
    w = root_of_unity(n)
    if c.kind == BOUNDARY:
        return z - pow(w, protocol.boundary_row(c), P)
    first_excluded = protocol.active_rows - (1 if c.kind == TRANSITION else 0)
    excluded = Ext(1)
    for i in range(first_excluded, n):
        excluded = excluded * (z - pow(w, i, P))
    return (z ** n - 1) / excluded


def _check_ood(protocol: Protocol, proof: StarkProof, challenges, alpha: Ext, z: Ext) -> None:
    """The quotient's chunks, opened at z, recombine to the constraints at z divided by their zerofiers."""
    width, main_width = protocol.trace_width, protocol.main_width
    periodic = [_periodic_at(v, protocol.trace_length, z) for v in protocol.periodic]

    def leaf(node):
        op = node.op
        if op == "main":
            col, offset = node.args
            return proof.ood_trace[offset * width + col]
        if op == "aux":
            col, offset = node.args
            base = offset * width + main_width + 2 * col
            return proof.ood_trace[base] + X * proof.ood_trace[base + 1]
        if op == "periodic":
            return periodic[node.args[0]]
        if op == "challenge":
            return challenges[node.args[0]]
        return node.args[0]

    values = protocol.program.evaluate(SCALARS, leaf)
    composed, power = Ext(0), Ext(1)
    divisors: dict = {}
    for c, value in zip(protocol.constraints, values):
        key = (c.kind, protocol.boundary_row(c) if c.kind == BOUNDARY else 0)
        if key not in divisors:
            divisors[key] = _divisor_at(protocol, c, z)
        composed = composed + power * value / divisors[key]
        power = power * alpha
    recombined, z_n, z_power = Ext(0), z ** protocol.trace_length, Ext(1)
    q = proof.ood_quotient
    for j in range(protocol.quotient_chunks):
        recombined = recombined + z_power * (q[2 * j] + X * q[2 * j + 1])
        z_power = z_power * z_n
    _require(recombined == composed, "constraints do not hold at the out-of-domain point")


def _opened_rows(protocol: Protocol, opening: Opening, positions: list[int], width: int, depth: int, root: bytes,
                 what: str) -> dict:
    unique = sorted(set(positions))
    _require(len(opening.rows) == len(unique), f"{what}: wrong number of opened rows")
    _require(all(len(row) == width for row in opening.rows), f"{what}: opened rows have the wrong width")
    rows = dict(zip(unique, opening.rows))
    try:
        check_rows(protocol.commitment, rows, opening.siblings, depth, root)
    except MerkleError as e:
        raise VerificationError(f"{what}: {e}") from None
    return rows


def _check_openings(protocol: Protocol, proof: StarkProof, indices: list[int]):
    depth = protocol.lde_size.bit_length() - 1
    openings = iter(proof.openings)
    fixed_width = protocol.preprocessed_width
    fixed = {i: [] for i in indices}
    if fixed_width:  # against the AIR's pinned root: the prover cannot choose these columns
        fixed = _opened_rows(protocol, next(openings), indices, fixed_width, depth, protocol.preprocessed_root,
                             "preprocessed columns")
    main = _opened_rows(protocol, next(openings), indices, protocol.main_width - fixed_width, depth,
                        proof.main_root, "main trace")
    trace = {i: fixed[i] + main[i] for i in main}
    if proof.aux_root is not None:
        aux = _opened_rows(protocol, next(openings), indices, 2 * protocol.aux_width, depth, proof.aux_root,
                           "LogUp columns")
        trace = {i: trace[i] + aux[i] for i in main}
    quotient = _opened_rows(protocol, next(openings), indices, protocol.quotient_width, depth, proof.quotient_root,
                            "quotient")
    arity_log = protocol.params.fri_log_arity
    fri, positions = [], indices
    for size, root, opening in zip(protocol.fri_layers, proof.fri_roots, openings):
        leaves = size >> arity_log
        positions = [j % leaves for j in positions]
        fri.append(_opened_rows(protocol, opening, positions, 2 << arity_log, leaves.bit_length() - 1, root,
                                f"FRI layer of {size} points"))
    return trace, quotient, fri


def _check_queries(protocol, proof, indices, trace_rows, quotient_rows, fri_openings, z, gamma, betas) -> None:
    deep = DeepComposition(gamma, protocol.trace_width, 2 * protocol.quotient_chunks, z,
                           z * root_of_unity(protocol.trace_length), proof.ood_trace, proof.ood_quotient,
                           protocol.params.zero_knowledge)
    arity = 1 << protocol.params.fri_log_arity
    w_lde = root_of_unity(protocol.lde_size)
    for query, j in enumerate(indices):
        x = GENERATOR * pow(w_lde, j, P) % P
        expected = deep.at(x, trace_rows[j], quotient_rows[j])
        shift, position = GENERATOR, j
        for size, rows, beta in zip(protocol.fri_layers, fri_openings, betas):
            leaves = size // arity
            t, k = position % leaves, position // leaves
            leaf = rows[t]
            coset = [Ext(leaf[2 * i], leaf[2 * i + 1]) for i in range(arity)]
            _require(coset[k] == expected, f"FRI query {query}: layer of {size} points is inconsistent")
            x_t = shift * pow(root_of_unity(size), t, P) % P
            expected = fold_coset(coset, x_t, beta)
            shift, position = pow(shift, arity, P), t
        final_size = protocol.lde_size // arity ** len(protocol.fri_layers)
        x_final = shift * pow(root_of_unity(final_size), position, P) % P
        _require(evaluate_polynomial(proof.fri_final, x_final) == expected,
                 f"FRI query {query}: final polynomial disagrees")
