"""Parameter points and round shapes: what one row of the sweep proves, and the protocol it implies.

A point fixes blowup, FRI arity, final degree and grinding; its query count is the fewest that reach the target
conjectured security, as `Protocol(...).security` computes it (queries also set the zero-knowledge rows, which can
change the trace length, so the whole protocol is rebuilt for each candidate rather than a formula inverted).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from circuits.solvency import SolvencyAir, Statement
from prover.exchange.round import DEFAULT_SHARD_LEAVES
from verifier.stark.params import StarkParams, load_preset
from verifier.stark.protocol import AirError, Protocol

MAX_QUERIES = 256  # StarkParams' own limit
_UPPER_BOUNDS = (16, 32, 64, 128, MAX_QUERIES)


@dataclass(frozen=True)
class RoundShape:
    """A round of `users` users over `assets` assets, proven in proofs of at most `shard_leaves` leaves each
    (as `prover.exchange.round.prove_round` shards it)."""

    users: int
    assets: int
    shard_leaves: int = DEFAULT_SHARD_LEAVES

    @property
    def leaves(self) -> int:
        return max(2, 1 << (self.users - 1).bit_length())

    @property
    def proofs(self) -> int:
        return max(1, self.leaves // self.shard_leaves)

    @property
    def leaves_per_proof(self) -> int:
        return self.leaves // self.proofs


class _ShapeAir(SolvencyAir):
    """The liabilities AIR of a shape, with its constraint lists built once: they depend on the shape alone, and
    building them dominates the cost of a `Protocol`."""

    def __init__(self, leaves: int, assets: int, zk_rows: int):
        statement = Statement("research", tuple((f"A{i}", 8) for i in range(assets)), leaves, (0, 0, 0, 0),
                              (0,) * assets)
        super().__init__(statement, zk_rows)
        self._constraints = super().constraints()
        self._interactions = super().interactions()

    def constraints(self):
        return list(self._constraints)

    def interactions(self):
        return list(self._interactions)


@lru_cache(maxsize=256)
def _air(leaves: int, assets: int, zk_rows: int) -> _ShapeAir:
    return _ShapeAir(leaves, assets, zk_rows)


def protocol(shape: RoundShape, params: StarkParams) -> Protocol:
    """The protocol of one proof of the round (every shard has the same shape); AirError if it cannot exist."""
    return Protocol(_air(shape.leaves_per_proof, shape.assets, params.zk_rows), params)


def point_name(log_blowup: int, fri_log_arity: int, fri_log_final_degree: int, grinding_bits: int,
               num_queries: int) -> str:
    return f"b{1 << log_blowup}-a{1 << fri_log_arity}-f{1 << fri_log_final_degree}-g{grinding_bits}-q{num_queries}"


def fewest_queries(shape: RoundShape, log_blowup: int, fri_log_arity: int, fri_log_final_degree: int,
                   grinding_bits: int, target_bits: int) -> StarkParams | None:
    """The parameters with the fewest queries whose conjectured security reaches `target_bits` on this shape;
    None if no query count does (another term, e.g. LogUp's, caps the security below the target) or the blowup
    is too small for the constraints' degree.

    The conjectured terms do not involve the FRI schedule, so the search runs once per blowup and grinding (with
    the schedule of the first caller) and each other schedule only confirms the count, and its neighbour below,
    with its own protocol; should a schedule ever matter, it gets a search of its own."""

    def params(q: int) -> StarkParams:
        return StarkParams(point_name(log_blowup, fri_log_arity, fri_log_final_degree, grinding_bits, q),
                           log_blowup, q, grinding_bits, fri_log_arity, fri_log_final_degree, True)

    def reaches(q: int) -> bool:
        return protocol(shape, params(q)).security.conjectured_bits >= target_bits

    try:
        key = (shape, log_blowup, grinding_bits, target_bits)
        if key not in _searched:
            _searched[key] = _search(reaches)
        q = _searched[key]
        if q is not None and not (reaches(q) and (q == 1 or not reaches(q - 1))):
            q = _search(reaches)
    except AirError:
        return None
    return None if q is None else params(q)


_searched: dict[tuple, int | None] = {}


def _search(reaches) -> int | None:
    """The smallest query count q with reaches(q), assuming that beyond it more queries do not hurt."""
    # An upper bound that reaches the target, doubling from a small one: more queries add random rows, which can
    # lengthen the trace and lower another term, so the largest count is not always the safest start.
    hi = next((q for q in _UPPER_BOUNDS if reaches(q)), None)
    if hi is None:
        return None
    lo = 0  # reaches(hi) holds; bisect
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if reaches(mid) else (mid, hi)
    while hi > 1 and reaches(hi - 1):  # past any non-monotone step
        hi -= 1
    return hi


@dataclass(frozen=True)
class Grid:
    """The parameter choices the sweep crosses; each combination gets its fewest queries."""

    log_blowups: tuple[int, ...] = (3, 4, 5, 6)
    fri_log_arities: tuple[int, ...] = (1, 2, 3, 4)
    fri_log_final_degrees: tuple[int, ...] = (0, 3, 5, 7, 9)
    grinding_bits: tuple[int, ...] = (0, 16, 20, 24)

    def combinations(self):
        for b in self.log_blowups:
            for a in self.fri_log_arities:
                for f in self.fri_log_final_degrees:
                    for g in self.grinding_bits:
                        yield b, a, f, g


def standard() -> StarkParams:
    return load_preset("standard")
