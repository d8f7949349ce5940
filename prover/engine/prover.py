"""The STARK prover: commit to the trace, the LogUp columns and the constraint quotient, open everything at an
out-of-domain point, and prove with FRI that the DEEP composition of all of it has low degree."""
from __future__ import annotations

import secrets
from contextlib import ExitStack
from typing import Callable

import numpy as np

from circuits.air import BOUNDARY, EVERY_ROW, TRANSITION, Air
from circuits.field import Ext, P, root_of_unity
from prover.engine import lde
from prover.engine.array_algebra import ARRAYS, periodic_rows, trace_leaf
from prover.engine.aux_trace import build_aux_trace
from prover.engine.coefficient_store import CoefficientArray, CoefficientFile, block_rows
from prover.engine.commitment import CommittedPolynomials, may_keep
from prover.engine.constraint_program import compile_constraints
from prover.engine.constraint_vm import evaluate_quotient
from prover.engine.deep import deep_composition
from prover.engine.fri import commit_layers
from prover.engine.grinding import grind
from prover.engine.quotient import (
    ConstraintViolation,
    divisor_groups,
    quotient_values,
    split_quotient,
)
from verifier.stark.params import StarkParams
from verifier.stark.proof_format import Opening, StarkProof, serialize
from verifier.stark.protocol import Protocol

Progress = Callable[[str], None]
CHECK_ROWS = 1 << 16  # trace rows per block when the honest prover checks its constraints


def random_field_elements(shape) -> np.ndarray:
    """Uniform field elements from the OS's CSPRNG (masking must be unpredictable, not merely random-looking)."""
    count = int(np.prod(shape))
    out = np.frombuffer(secrets.token_bytes(8 * count), dtype=np.uint64).copy()
    while True:
        high = out >= np.uint64(P)
        if not high.any():
            return out.reshape(shape)
        out[high] = np.frombuffer(secrets.token_bytes(8 * int(high.sum())), dtype=np.uint64)


def _with_random_rows(active: np.ndarray, trace_length: int) -> np.ndarray:
    """Active rows followed by random rows (zero knowledge); shape (columns, trace_length)."""
    width, rows = active.shape
    full = np.empty((width, trace_length), dtype=np.uint64)
    full[:, :rows] = active
    full[:, rows:] = random_field_elements((width, trace_length - rows))
    return full


def _interpolated(columns: np.ndarray, n: int, store: CoefficientArray | CoefficientFile):
    """`store`, given the coefficients of `columns` followed by random rows up to n (zero knowledge): computed a
    block of columns at a time, so that beside `columns` only one block is held (and the store, if in memory)."""
    rows = block_rows(n)
    for lo in range(0, columns.shape[0], rows):
        store.write(lo, lde.interpolate(_with_random_rows(columns[lo:lo + rows], n)))
    return store


def _ext_columns_as_base(aux: np.ndarray) -> np.ndarray:
    """(k, rows, 2) extension columns as (2k, rows) base columns: each column's two coordinates in turn."""
    return np.ascontiguousarray(aux.transpose(0, 2, 1).reshape(-1, aux.shape[1]))


def find_violations(protocol: Protocol, main: np.ndarray, aux: np.ndarray | None,
                    challenges: list[Ext]) -> list[tuple[str, int]]:
    """(constraint name, first failing row) of every constraint the trace violates, evaluated on its rows
    (a block of rows at a time, so that checking a large trace does not hold every intermediate column)."""
    n = protocol.trace_length
    first_bad: dict[int, int] = {}
    periodic = periodic_rows(protocol.periodic, n)
    for lo in range(0, n, CHECK_ROWS):
        hi = min(lo + CHECK_ROWS, n)
        rows = np.arange(lo, hi)

        def check(k: int, value, lo=lo, rows=rows) -> None:
            c = protocol.constraints[k]
            if k in first_bad:
                return
            if c.kind == BOUNDARY:
                must_hold = rows == protocol.boundary_row(c)
            else:
                must_hold = rows < protocol.active_rows - (1 if c.kind == TRANSITION else 0)
            if isinstance(value, np.ndarray):
                nonzero = value.reshape(rows.size, -1).any(axis=1)
            else:
                nonzero = np.full(rows.size, Ext.lift(value) != Ext(0))
            bad = np.flatnonzero(nonzero & must_hold)
            if bad.size:
                first_bad[k] = lo + int(bad[0])

        protocol.program.evaluate(ARRAYS, trace_leaf(main, aux, periodic, challenges, lo, hi), check)
    return [(protocol.constraints[k].name, row) for k, row in sorted(first_bad.items())]


def satisfies_constraints(protocol: Protocol, main: np.ndarray, aux: np.ndarray | None,
                          challenges: list[Ext]) -> bool:
    """Whether every constraint holds where it must, in one pass of the quotient's register machine: a random
    combination of the constraints, masked to each one's rows instead of divided by its vanishing polynomial
    (a violation escapes only with probability 1/|F_ext|; `find_violations` then names it)."""
    n = protocol.trace_length
    group_keys, group_of = divisor_groups(protocol)
    masks = np.zeros((max(1, len(group_keys)), n), dtype=np.uint64)
    for g, key in enumerate(group_keys):
        if key == EVERY_ROW:
            masks[g, :protocol.active_rows] = 1
        elif key == TRANSITION:
            masks[g, :protocol.active_rows - 1] = 1
        else:
            masks[g, key] = 1
    coefficients = [Ext(*(int(v) for v in random_field_elements(2))) for _ in group_of]
    program = compile_constraints([c.expr for c in protocol.constraints], group_of, coefficients, challenges)
    combined = np.empty((n, 2), dtype=np.uint64)
    periodic = np.stack(periodic_rows(protocol.periodic, n)) if protocol.periodic else np.zeros((0, n), np.uint64)
    evaluate_quotient(program, main, aux if aux is not None else np.zeros((0, n), np.uint64), periodic, masks,
                      combined)
    return not combined.any()


def prove(air: Air, main_trace: np.ndarray, params: StarkParams, *, check: bool = True,
          progress: Progress | None = None) -> bytes:
    """A serialized proof that `main_trace`, the (main_width, active_rows) active rows, satisfies `air`.

    With `check` (the default) the prover refuses a trace that violates a constraint, naming it and the row;
    tests turn it off to play a cheating prover and watch the verifier reject. The trace is interpolated a
    block of columns at a time and dropped: a caller that keeps no reference to it (passes the builder's result
    directly) does not hold a second copy of it for the whole proof. A proof too large to keep its LDEs keeps
    its trace's coefficients in temporary files instead, deleted when it ends or fails.
    """
    report = progress or (lambda stage: None)
    protocol = Protocol(air, params)
    n, blowup = protocol.trace_length, params.blowup
    transcript = protocol.new_transcript()

    main_active = np.asarray(main_trace, dtype=np.uint64)
    if main_active.shape != (protocol.main_width, protocol.active_rows):
        raise ValueError(f"main trace has shape {main_active.shape}, expected "
                         f"{(protocol.main_width, protocol.active_rows)}")
    if (main_active >= np.uint64(P)).any():
        raise ValueError("main trace holds non-canonical field elements")
    keep = may_keep(protocol.trace_width * n * blowup * 8)  # both LDEs (main and LogUp), or stream both
    store = CoefficientArray if keep else CoefficientFile  # streamed: the trace's coefficients wait on disk
    with ExitStack() as stores:  # every coefficient file is deleted when the proof ends, or fails
        report("commit main trace")
        coefficients = _interpolated(main_active, n, stores.enter_context(store(protocol.main_width, n)))
        del main_active, main_trace  # from here on, its coefficients: one copy of a trace that can take gigabytes
        main_committed = CommittedPolynomials(coefficients, blowup, keep)
        transcript.absorb("main root", main_committed.root)
        main = main_committed.trace_values() if protocol.aux_width or check else None

        challenges = [transcript.challenge_ext(f"logup challenge {i}") for i in range(protocol.num_challenges)]
        aux = aux_committed = None
        if protocol.aux_width:
            report("commit LogUp columns")
            aux = _with_random_rows(_ext_columns_as_base(build_aux_trace(
                protocol.logup, main[:, :protocol.active_rows], protocol.periodic, challenges, check=check)), n)
        if check and not satisfies_constraints(protocol, main, aux, challenges):
            name, row = find_violations(protocol, main, aux, challenges)[0]
            raise ConstraintViolation(f"constraint {name!r} fails at row {row}")
        del main  # checked before the LogUp columns are committed: their commitment does not add to it
        if aux is not None:
            coefficients = _interpolated(aux, n, stores.enter_context(store(aux.shape[0], n)))
            del aux
            aux_committed = CommittedPolynomials(coefficients, blowup, keep)
            transcript.absorb("aux root", aux_committed.root)

        report("constraint quotient")
        alpha = transcript.challenge_ext("composition")
        quotient = split_quotient(protocol, quotient_values(protocol, main_committed, aux_committed, challenges,
                                                            alpha), check)
        randomizer_rows = 2 if params.zero_knowledge else 0  # the FRI randomizer polynomial's two base parts
        coefficients = CoefficientArray(len(quotient) + randomizer_rows, n)
        coefficients.write(0, quotient)
        if randomizer_rows:
            coefficients.write(len(quotient), random_field_elements((randomizer_rows, n)))
        del quotient
        quotient_committed = CommittedPolynomials(coefficients, blowup)  # read once: opened from coefficients
        transcript.absorb("quotient root", quotient_committed.root)

        report("out-of-domain openings")
        z = transcript.challenge_ext("ood point")
        trace = [main_committed] if aux_committed is None else [main_committed, aux_committed]
        g = root_of_unity(n)
        at_points = [c.evaluate_at([z, z * g]) for c in trace]
        ood_trace = [v for point in (0, 1) for values in at_points for v in values[point]]
        ood_quotient = quotient_committed.evaluate_at([z])[0][:2 * protocol.quotient_chunks]
        transcript.absorb_ext("ood values", ood_trace + ood_quotient)

        report("DEEP composition and FRI")
        gamma = transcript.challenge_ext("deep")
        deep = deep_composition(protocol, trace, quotient_committed, z, ood_trace, ood_quotient, gamma)
        fri_trees, fri_final = commit_layers(protocol, deep, transcript, check=check)
        del deep

        report("proof of work and queries")
        nonce = grind(transcript, params.grinding_bits)
        transcript.absorb_ints("pow nonce", [nonce])
        indices = transcript.challenge_indices("queries", params.num_queries, protocol.lde_size)

        openings = [Opening(*_as_lists(c.open(indices))) for c in [*trace, quotient_committed]]
    positions = indices
    for size, tree in zip(protocol.fri_layers, fri_trees):
        positions = [j % (size >> params.fri_log_arity) for j in positions]
        openings.append(Opening(*_as_lists(tree.open(positions))))

    proof = StarkProof(params, n.bit_length() - 1, main_committed.root,
                       aux_committed.root if aux_committed else None, quotient_committed.root, ood_trace,
                       ood_quotient, [t.root for t in fri_trees], fri_final, nonce, openings)
    return serialize(proof)


def _as_lists(opening: tuple[np.ndarray, list[bytes]]) -> tuple[list[list[int]], list[bytes]]:
    rows, siblings = opening
    return [[int(v) for v in row] for row in rows], siblings
