"""What prover and verifier derive alike from an AIR and the parameters: shapes, schedules, transcript binding.

Keeping this in one place is what makes the two sides agree: the constraint list (the AIR's own plus LogUp's),
the number of quotient chunks, the FRI folding schedule, the commitment scheme and transcript the parameters
name, and the exact messages the transcript absorbs before any challenge (protocol tag, parameters, the AIR's
identity and shape, the public inputs, and the pinned root of its preprocessed columns if it has any).
"""
from __future__ import annotations

import functools
import struct

from circuits.air import BOUNDARY, EVERY_ROW, TRANSITION, Air, Constraint, with_values
from circuits.expr import PUBLIC, Program, topological_order
from circuits.field import P
from circuits.logup import NUM_CHALLENGES, LogUpLayout
from verifier.stark.commitment import BLAKE2S, DIGEST_BYTES, CommitmentScheme, scheme_for
from verifier.stark.params import StarkParams
from verifier.stark.security import Security, Shape, security
from verifier.stark.transcript import Transcript, new_transcript


class AirError(ValueError):
    """The AIR itself is inconsistent (a bug in the constraint system, not a bad proof)."""


class Protocol:
    def __init__(self, air: Air, params: StarkParams):
        self.air = air
        self.params = params
        self.commitment: CommitmentScheme = scheme_for(params.hash)
        n, active = air.trace_length, air.active_rows
        if n < 4 or n & (n - 1):
            raise AirError(f"{air.name}: trace length {n} is not a power of two >= 4")
        if active != n - params.zk_rows or active < 2:
            raise AirError(f"{air.name}: {active} active rows do not fit {params.zk_rows} random rows in {n}")
        self.trace_length = n
        self.active_rows = active
        self.logup = LogUpLayout.of(air.interactions(), air.max_degree)
        self.aux_width = self.logup.aux_width
        self.num_challenges = NUM_CHALLENGES if self.aux_width else 0
        self.symbolic_constraints: list[Constraint] = air.constraints() + self.logup.constraints()
        self.public_values = self._public_values()
        self.constraints = with_values(self.symbolic_constraints, air)
        for c in self.constraints:
            if c.expr.degree > air.max_degree:
                raise AirError(f"{air.name}: constraint {c.name!r} has degree {c.expr.degree} > {air.max_degree}")
            if c.kind == BOUNDARY and not -active <= c.row < active:
                raise AirError(f"{air.name}: boundary {c.name!r} at row {c.row} outside the active rows")
        self.program = Program([c.expr for c in self.constraints])
        self.periodic = [list(col) for col in air.periodic_columns()]
        for col in self.periodic:
            if len(col) < 1 or len(col) & (len(col) - 1) or n % len(col):
                raise AirError(f"{air.name}: periodic column length {len(col)} does not divide {n}")

        self.lde_size = n * params.blowup
        self.main_width = air.main_width
        self.preprocessed_width = air.preprocessed_width
        if not 0 <= self.preprocessed_width < air.main_width:  # some column is the prover's
            raise AirError(f"{air.name}: {self.preprocessed_width} preprocessed columns of {air.main_width}")
        self.preprocessed_root = self._pinned_root() if self.preprocessed_width else None
        self.trace_width = air.main_width + 2 * self.aux_width  # base columns
        self.quotient_chunks = self._quotient_chunks()
        if self.quotient_chunks > params.blowup:
            raise AirError(f"{air.name}: degree {air.max_degree} needs {self.quotient_chunks} quotient chunks, "
                           f"more than the blowup {params.blowup}")
        self.randomizer_width = 2 if params.zero_knowledge else 0
        self.quotient_width = 2 * self.quotient_chunks + self.randomizer_width
        self.fri_layers, self.fri_final_degree = self._fri_schedule()

    def _public_values(self) -> list[int] | None:
        values = self.air.public_values()
        if values is not None and any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < P
                                      for v in values):
            raise AirError(f"{self.air.name}: a public value is not a canonical field element")
        read = {node.args[0] for node in topological_order([c.expr for c in self.symbolic_constraints])
                if node.op == PUBLIC}
        if read and (values is None or max(read) >= len(values)):
            raise AirError(f"{self.air.name}: a constraint reads a public value the AIR does not have")
        return values

    def _pinned_root(self) -> bytes:
        """The AIR's verifying key for these parameters: the root its fixed columns' openings must reach."""
        try:
            root = self.air.preprocessed_root(self.params)
        except NotImplementedError:
            raise AirError(f"{self.air.name}: preprocessed columns without a pinned root") from None
        if not isinstance(root, bytes) or len(root) != DIGEST_BYTES:
            raise AirError(f"{self.air.name}: pinned preprocessed root is not a {DIGEST_BYTES}-byte digest")
        try:
            self.commitment.check_digest(root)
        except ValueError as e:
            raise AirError(f"{self.air.name}: pinned preprocessed root: {e}") from None
        return root

    def boundary_row(self, c: Constraint) -> int:
        return c.row % self.active_rows

    def divisor_degree(self, c: Constraint) -> int:
        """Degree of the polynomial vanishing where constraint c must hold."""
        if c.kind == BOUNDARY:
            return 1
        excluded = self.trace_length - self.active_rows + (1 if c.kind == TRANSITION else 0)
        return self.trace_length - excluded

    def _quotient_chunks(self) -> int:
        n = self.trace_length
        top = max((c.expr.degree * (n - 1) - self.divisor_degree(c) for c in self.constraints), default=0)
        return max(1, -(-(top + 1) // n))

    def _fri_schedule(self) -> tuple[list[int], int]:
        """Domain sizes of the committed FRI layers, and the degree bound of the final polynomial."""
        arity = 1 << self.params.fri_log_arity
        final_bound = 1 << self.params.fri_log_final_degree
        degree, domain, layers = self.trace_length, self.lde_size, []
        while degree > final_bound and degree % arity == 0 and degree >= arity:
            layers.append(domain)
            degree //= arity
            domain //= arity
        return layers, degree

    @property
    def security(self) -> Security:
        interactions = [i for group in self.logup.groups for i in group]
        shape = Shape(self.trace_length, self.lde_size, len(self.constraints), self.air.max_degree,
                      len(interactions), sum(len(i.values) for i in interactions),
                      2 * self.trace_width + self.quotient_width, tuple(self.fri_layers))
        p = self.params
        return security(p.log_blowup, p.num_queries, p.grinding_bits, p.fri_log_arity, shape,
                        self.commitment.collision_bits)

    def new_transcript(self) -> Transcript:
        """A transcript that has absorbed everything the statement consists of, before any commitment."""
        t = self.transcript_prefix()
        if self.params.hash != BLAKE2S.name and self.public_values is not None:  # a circuit reads them as wires
            t.absorb_elements("public", self.public_values)
        else:
            t.absorb("public", self.air.public_inputs())
        self.absorb_verifying_key(t)
        return t

    def transcript_prefix(self) -> Transcript:
        """The statement's part fixed by the AIR's shape and the parameters (a constant for a verifier circuit):
        protocol tag, parameters, the AIR's identity and shape."""
        p = self.params
        t = new_transcript(p.hash)
        t.absorb("params", struct.pack("<BHBBBB", p.log_blowup, p.num_queries, p.grinding_bits, p.fri_log_arity,
                                       p.fri_log_final_degree, p.zero_knowledge))
        if p.hash != BLAKE2S.name:  # BLAKE2s transcripts predate the choice: their bytes stay as they were
            t.absorb("hash", p.hash.encode())
        t.absorb("air", self.air.name.encode())
        kinds = [sum(c.kind == k for c in self.constraints) for k in (TRANSITION, EVERY_ROW, BOUNDARY)]
        t.absorb_ints("shape", [self.trace_length, self.active_rows, self.main_width, self.aux_width,
                                self.air.max_degree, len(self.periodic), *kinds, self.quotient_chunks])
        return t

    def absorb_verifying_key(self, t: Transcript) -> None:
        """The pinned root of the preprocessed columns, after the public inputs (absent: transcripts as before)."""
        if self.preprocessed_width:
            t.absorb_ints("preprocessed", [self.preprocessed_width])
            t.absorb_digest("preprocessed root", self.preprocessed_root)

    @functools.cached_property
    def symbolic_program(self) -> Program:
        """The constraints with their public value leaves unresolved: what a verifier circuit evaluates, the
        child's public values being wires there."""
        return Program([c.expr for c in self.symbolic_constraints])
