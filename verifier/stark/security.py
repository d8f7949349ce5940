"""The security a proof gives, term by term, conjectured and proven (SPEC §2; docs/SOUNDNESS.md shows the numbers).

Every challenge the verifier draws can go wrong for it with some probability; each term below is -log2 of one
such probability, the figure of a proof is the smallest term (rounded down), and a proof is only as strong as
its weakest term. Challenges live in the extension field of 2^128 elements; the commitment hash gives its
scheme's `collision_bits` (`verifier.stark.commitment`).

Conjectured (ethSTARK's Conjecture, as Winterfell and Plonky3 report it): a FRI query costs a cheating prover
log2(blowup) bits, grinding adds its bits; the out-of-domain point must avoid the LDE domain; plus the terms the
conjecture leaves out and this AIR adds: the composition challenge (one per constraint), and LogUp's two challenges
(beta, and gamma whose powers fold each bus tuple): a false multiset balance survives with probability at most
(rows x interactions + rows x tuple elements) / |F|, shown as two terms and counted summed (docs/SOUNDNESS.md,
"LogUp with folded tuples", derives it: beta hitting a fingerprint, and a nonzero polynomial in (beta, gamma) whose
degree is the total length of the tuples vanishing).

Proven: the same protocol under the list-decoding (Johnson bound) analysis of the ethSTARK paper (eprint
2021/582, Theorem 2) with the proximity gaps of Ben-Sasson et al. (eprint 2020/654): for a proximity parameter
m >= 3 and the rate rho+ = (n + 2) / |D| (two out-of-domain openings), alpha = (1 + 1/(2m)) sqrt(rho+) and the
list size L = (m + 1/2) / sqrt(rho+),
    ALI (composition)   L * C / |F|                      C constraints
    DEEP                L * d * n / (|F| - |D|)           d the constraint degree, n the trace length
    batching            (k - 1) * B(|D|)                  k polynomials batched by powers of gamma
    FRI fold i          (a - 1) * B(|D_i|)                a the folding arity
    queries             alpha^q * 2^-grinding
    LogUp               (rows * interactions + rows * tuple elements) / |F|
where B(N) = (m + 1/2)^7 / (3 rho+^(3/2)) * N^2 / |F|; the proven figure is -log2 of their sum, at the best m.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from verifier.stark.commitment import BLAKE2S

EXT_FIELD_BITS = 128
_FIELD = 2.0 ** EXT_FIELD_BITS
_PROXIMITY_PARAMETERS = range(3, 64)


@dataclass(frozen=True)
class Shape:
    """What the security of a proof depends on besides its parameters."""

    trace_length: int
    lde_size: int
    constraints: int
    max_degree: int
    interactions: int  # LogUp interactions (lookups and bus messages) per row
    tuple_elements: int  # the lengths of those interactions' tuples, summed (one power of gamma per element)
    batched: int  # polynomials combined in the DEEP composition
    fri_layers: tuple[int, ...]  # domain sizes of the committed FRI layers


@dataclass(frozen=True)
class Security:
    conjectured: dict[str, float]  # term -> bits
    proven: dict[str, float]  # term -> bits
    proven_combined: float  # the proven FRI-and-ALI terms summed as probabilities (they add up, not take turns)
    logup_combined: float | None  # LogUp's two terms summed: two halves of one bound (None without LogUp)

    @property
    def conjectured_bits(self) -> int:
        return math.floor(min(self._logup, *self.conjectured.values()))

    @property
    def proven_bits(self) -> int:
        return math.floor(min(self._logup, self.proven_combined, *self.proven.values()))

    @property
    def _logup(self) -> float:
        return math.inf if self.logup_combined is None else self.logup_combined


def security(log_blowup: int, num_queries: int, grinding_bits: int, fri_log_arity: int, shape: Shape,
             collision_bits: int = BLAKE2S.collision_bits) -> Security:
    logup = _logup_terms(shape)
    conjectured = {
        "FRI queries": log_blowup * num_queries + grinding_bits,
        "out-of-domain point (DEEP)": EXT_FIELD_BITS - math.log2(shape.lde_size),
        "composition challenge": EXT_FIELD_BITS - math.log2(max(shape.constraints, 1)),
        **logup,
        "commitment hash": collision_bits,
    }
    proven = max((_proven_terms(m, num_queries, grinding_bits, fri_log_arity, shape) for m in _PROXIMITY_PARAMETERS),
                 key=_total_bits)
    return Security(conjectured, {**proven, **logup, "commitment hash": collision_bits}, _total_bits(proven),
                    _total_bits(logup) if logup else None)


def _logup_terms(shape: Shape) -> dict[str, float]:
    """beta landing on one of the rows x interactions fingerprints; the polynomial in (beta, gamma) that a false
    balance leaves nonzero vanishing, of total degree at most rows x tuple elements (gamma^k for element k)."""
    if not shape.interactions:
        return {}
    return {"LogUp sum (beta)": EXT_FIELD_BITS - math.log2(shape.trace_length * shape.interactions),
            "LogUp tuple folding (gamma)": EXT_FIELD_BITS - math.log2(shape.trace_length * shape.tuple_elements)}


def _proven_terms(m: int, queries: int, grinding_bits: int, fri_log_arity: int, shape: Shape) -> dict[str, float]:
    rho = (shape.trace_length + 2) / shape.lde_size
    alpha = (1 + 1 / (2 * m)) * math.sqrt(rho)
    list_size = (m + 0.5) / math.sqrt(rho)
    gap = (m + 0.5) ** 7 / (3 * rho ** 1.5) / _FIELD  # B(N) / N^2
    arity = 1 << fri_log_arity
    errors = {
        "composition (ALI)": list_size * shape.constraints / _FIELD,
        "out-of-domain point (DEEP)": list_size * shape.max_degree * shape.trace_length / (_FIELD - shape.lde_size),
        "DEEP batching": (shape.batched - 1) * gap * shape.lde_size ** 2,
        "FRI folding": sum((arity - 1) * gap * size ** 2 for size in shape.fri_layers),
        "FRI queries": alpha ** queries * 2.0 ** -grinding_bits,
    }
    return {name: -math.log2(error) for name, error in errors.items() if error > 0}


def _total_bits(terms: dict[str, float]) -> float:
    return -math.log2(sum(2.0 ** -bits for bits in terms.values()))


def composed_bits(per_proof_bits) -> float:
    """The figure of a tree of proofs (an aggregated round: its shards and every layer), each with its own
    figure: a union bound over the proofs, -log2(sum 2^-b_i) (31 proofs of 105 bits give 100.0). That recursion
    preserves each proof's knowledge soundness in the random-oracle model, with the oracle instantiated by
    Poseidon2, is a conjecture (docs/SOUNDNESS.md, "The aggregation tree")."""
    bits = list(per_proof_bits)
    if not bits:
        raise ValueError("a tree of proofs has at least one proof")
    return -math.log2(sum(2.0 ** -b for b in bits))
