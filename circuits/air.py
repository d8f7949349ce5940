"""The AIR interface: what a constraint system declares, shared by prover and verifier.

An AIR instance is built from its public inputs alone, so the verifier constructs exactly the AIR the prover
used; the prover builds the trace (prover/), the AIR only says what a valid one is. The trace has `trace_length` rows (a power of two). With zero knowledge on, its last `zk_rows` rows are
random: constraints hold on the first `active_rows` rows only, and no transition relates the last active row to
a random one (nor the last row to the first: nothing wraps around).

Constraint kinds and the rows where they must hold:
- TRANSITION: rows 0 .. active_rows-2, may read the next row (offset 1);
- EVERY_ROW: rows 0 .. active_rows-1, reads only the current row;
- BOUNDARY: one row (`row`, where a negative row counts back from the last active row: -1 is the last).

Lookups and buses are declared as `Interaction`s; `circuits.logup` turns them into auxiliary
extension-field columns and the constraints that tie them together.

Preprocessed (fixed) columns: an AIR may declare that its first `preprocessed_width` main columns are fixed by the
AIR itself (selectors, constants, wiring), not chosen by the prover. Constraints read them as ordinary main
columns; the engine commits them in a tree of their own whose root, the AIR's verifying key, the verifier takes
from the AIR (`preprocessed_root`), never from the proof. They are public, so need no random rows: on the zk
rows they are zero.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from circuits.expr import Expr, topological_order, with_public_values

TRANSITION, EVERY_ROW, BOUNDARY = "transition", "every_row", "boundary"


@dataclass(frozen=True)
class Constraint:
    name: str
    expr: Expr
    kind: str = TRANSITION
    row: int = 0  # BOUNDARY only

    def __post_init__(self):
        if self.kind not in (TRANSITION, EVERY_ROW, BOUNDARY):
            raise ValueError(f"unknown constraint kind {self.kind!r}")
        if self.kind != TRANSITION:
            offsets = {node.args[1] for node in topological_order([self.expr]) if node.op in ("main", "aux")}
            if offsets - {0}:
                raise ValueError(f"constraint {self.name!r}: only transitions may read the next row")


@dataclass(frozen=True)
class Interaction:
    """`multiplicity` copies of the tuple `values` sent on `bus` by every active row (negative = received).

    LogUp proves that, summed over all active rows, every tuple is sent as often as it is received.
    Expressions read the current row only.
    """

    bus: int
    multiplicity: Expr
    values: tuple[Expr, ...]


def trace_layout(min_rows: int, zk_rows: int) -> tuple[int, int]:
    """(trace_length, active_rows): the smallest power of two holding `min_rows` rows plus `zk_rows` random rows."""
    trace_length = 1 << max(2, (min_rows + zk_rows - 1).bit_length())
    return trace_length, trace_length - zk_rows


class Air:
    """Base class of constraint systems, built from public inputs and the number of random rows.

    Subclasses set `name` (identity and version, bound by the transcript), `main_width`, `max_degree`
    (declared; the engine refuses constraints of higher degree), `trace_length` and `active_rows` (use
    `trace_layout`), and implement the hooks below.
    """

    name: str
    main_width: int
    max_degree: int
    trace_length: int
    active_rows: int

    def constraints(self) -> list[Constraint]:
        """Constraints over the main trace."""
        raise NotImplementedError

    def interactions(self) -> list[Interaction]:
        """LogUp interactions; none by default."""
        return []

    def periodic_columns(self) -> list[Sequence[int]]:
        """Columns repeating with a power-of-two period dividing the trace length; none by default."""
        return []

    def public_inputs(self) -> bytes:
        """The public inputs, canonically encoded: the transcript absorbs them before any challenge."""
        raise NotImplementedError

    def public_values(self) -> list[int] | None:
        """The public inputs as field elements, for AIRs whose constraints read them as `public_value(i)` leaves
        rather than constants (so a verifier circuit can take them as wires). When given, they must determine
        `public_inputs()` (a digest of what is not a value, such as names, included), and Poseidon2 transcripts
        absorb them instead of the bytes; None (the default): no public value leaves."""
        return None

    preprocessed_width: int = 0

    def preprocessed_columns(self) -> Sequence[Sequence[int]]:
        """The `preprocessed_width` fixed columns over the active rows (the first main columns of every trace)."""
        raise NotImplementedError

    def preprocessed_root(self, params) -> bytes:
        """The pinned root of the fixed columns' commitment under `params` (a constant of the AIR, recomputed by
        `prover.engine.preprocessed.preprocessed_root` in a test): what the verifier checks their openings against."""
        raise NotImplementedError


def with_values(constraints: Sequence[Constraint], air: Air) -> list[Constraint]:
    """`constraints` with `air`'s public values in place of their leaves: what a trace is checked against."""
    exprs = with_public_values([c.expr for c in constraints], air.public_values() or [])
    return [Constraint(c.name, e, c.kind, c.row) for c, e in zip(constraints, exprs)]
