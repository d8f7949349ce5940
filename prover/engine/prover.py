"""The STARK prover: commit to the trace, the LogUp columns and the constraint quotient, open everything at an
out-of-domain point, and prove with FRI that the DEEP composition of all of it has low degree."""
from __future__ import annotations

import secrets
from contextlib import ExitStack
from typing import Callable

import numpy as np

from circuits.air import BOUNDARY, TRANSITION, Air
from circuits.field import Ext, P, root_of_unity
from prover.engine import kernel_cache, lde, threads
from prover.engine.array_algebra import ARRAYS, periodic_rows, trace_leaf
from prover.engine.aux_trace import build_aux_trace, columns_read
from prover.engine.coefficient_store import CoefficientArray, CoefficientFile, block_rows
from prover.engine.commitment import CommittedPolynomials, in_memory
from prover.engine.deep import deep_composition
from prover.engine.fri import commit_layers
from prover.engine.grinding import grind_queries
from prover.engine.quotient import ConstraintViolation, quotient_values, split_quotient
from verifier.stark.commitment import scheme_for
from verifier.stark.params import StarkParams
from verifier.stark.proof_format import Opening, StarkProof, serialize
from verifier.stark.protocol import Protocol

Progress = Callable[[str], None]
CHECK_ROWS = 1 << 16  # trace rows per block when naming a violated constraint


def random_field_elements(shape) -> np.ndarray:
    """Uniform field elements from the OS's CSPRNG (masking must be unpredictable, not merely random-looking)."""
    count = int(np.prod(shape))
    out = np.frombuffer(secrets.token_bytes(8 * count), dtype=np.uint64).copy()
    while True:
        high = out >= np.uint64(P)
        if not high.any():
            return out.reshape(shape)
        out[high] = np.frombuffer(secrets.token_bytes(8 * int(high.sum())), dtype=np.uint64)


def _with_random_rows(active: np.ndarray, trace_length: int, out: np.ndarray | None = None,
                      fixed: int = 0) -> np.ndarray:
    """Active rows followed by random rows (zero knowledge); shape (columns, trace_length), in `out` if given.
    The first `fixed` columns (preprocessed: public, and committed to a pinned root) get zero rows instead."""
    width, rows = active.shape
    full = np.empty((width, trace_length), dtype=np.uint64) if out is None else out

    def copy(lo: int, hi: int) -> None:
        full[lo:hi, :rows] = active[lo:hi]

    # numpy copies without the GIL: on every thread, as the first write to fresh memory costs about half as much
    # per GB on two threads as on one here (scripts/bench_page_faults.py)
    threads.run_ranges(copy, width)
    full[:fixed, rows:] = 0
    full[fixed:, rows:] = random_field_elements((width - min(fixed, width), trace_length - rows))
    return full


def _rows_of(array: np.ndarray, rows: list[int]) -> np.ndarray:
    """array[rows], copied on every thread (numpy's take releases the GIL; the copy is a first write)."""
    out = np.empty((len(rows), array.shape[1]), dtype=array.dtype)
    indices = np.asarray(rows, dtype=np.int64)

    def take(lo: int, hi: int) -> None:
        np.take(array, indices[lo:hi], axis=0, out=out[lo:hi])

    threads.run_ranges(take, len(rows))
    return out


def _interpolated(columns: np.ndarray, n: int, store: CoefficientArray | CoefficientFile, fixed: int = 0):
    """`store`, given the coefficients of `columns` followed by random rows up to n (zero knowledge; zero rows for
    the first `fixed`, `_with_random_rows`): computed a
    block of columns at a time in the store's own rows (or a reused buffer, for a file), so that beside `columns`
    nothing is held but the store (copying a 2^16-leaf trace's coefficients into it took 2.4-2.7 s, on memory
    written for the first time)."""
    rows = block_rows(n)
    for lo in range(0, columns.shape[0], rows):
        block = columns[lo:lo + rows]
        out = store.scratch(lo, block.shape[0])
        store.write(lo, lde.interpolate(_with_random_rows(block, n, out, max(0, fixed - lo)), overwrite=True))
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


def _named_violation(protocol: Protocol, main: CommittedPolynomials, aux: CommittedPolynomials | None,
                     challenges: list[Ext]) -> ConstraintViolation:
    """The error for a trace whose constraint quotient is not a polynomial (split_quotient's degree check, which
    a violated constraint fails but with probability ~1/|F_ext|): the first failing constraint and row, found on
    the trace recomputed from its coefficients (only when proving fails)."""
    found = find_violations(protocol, main.trace_values(), aux.trace_values() if aux is not None else None,
                            challenges)
    if not found:
        return ConstraintViolation("the constraint quotient is not a polynomial of the expected degree")
    name, row = found[0]
    return ConstraintViolation(f"constraint {name!r} fails at row {row}")


def prove(air: Air, main_trace: np.ndarray, params: StarkParams, *, check: bool = True,
          progress: Progress | None = None) -> bytes:
    """A serialized proof that `main_trace`, the (main_width, active_rows) active rows, satisfies `air`.

    With `check` (the default) the prover refuses a trace that violates a constraint, naming it and the row;
    tests turn it off to play a cheating prover and watch the verifier reject. The trace is interpolated a
    block of columns at a time and dropped: a caller that keeps no reference to it (passes the builder's result
    directly) does not hold a second copy of it for the whole proof. A proof too large to hold its trace's
    coefficients in memory keeps them in temporary files instead, deleted when it ends or fails.
    """
    kernel_cache.announce_if_cold()  # for library callers; `por` has announced already
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
    fixed = protocol.preprocessed_width
    if check and fixed and not np.array_equal(main_active[:fixed], preprocessed_columns(air)):
        raise ValueError(f"main trace's first {fixed} columns are not the AIR's preprocessed columns")
    coefficient_bytes = protocol.trace_width * n * 8
    held = in_memory(coefficient_bytes)  # the coefficients of both (main and LogUp), or stream both
    store = CoefficientArray if held else CoefficientFile  # streamed: the coefficients wait on disk
    with ExitStack() as stores:  # every coefficient file is deleted when the proof ends, or fails
        where = f"coefficients in memory, {coefficient_bytes / 1e9:.1f} GB" if held else "streamed"
        report(f"commit main trace ({where})")
        coefficients = _interpolated(main_active, n, stores.enter_context(store(protocol.main_width, n)), fixed)
        # If memory allows, the columns LogUp reads are kept for it (else recomputed from the coefficients), and the
        # trace is dropped before the commitment's coset array is allocated, which then takes the memory just freed
        # rather than fresh pages (cheaper to write first here: scripts/bench_page_faults.py).
        read = columns_read(protocol.logup) if held and protocol.aux_width else None
        main = _rows_of(main_active, read) if read is not None else None
        del main_active, main_trace  # from here on its coefficients: one copy of a trace of gigabytes
        main_committed = CommittedPolynomials(coefficients, blowup, protocol.commitment, fixed)
        if check and fixed and main_committed.fixed_tree.root != protocol.preprocessed_root:
            raise ValueError(f"{air.name}: pinned preprocessed root is stale for these parameters "
                             "(recompute it with prover.engine.prover.preprocessed_root)")
        transcript.absorb_digest("main root", main_committed.root)

        challenges = [transcript.challenge_ext(f"logup challenge {i}") for i in range(protocol.num_challenges)]
        aux_committed = None
        if protocol.aux_width:
            report("commit LogUp columns")
            if main is None:  # streamed: recomputed from the coefficients, one pass of coset transforms
                main = main_committed.trace_values()
            aux = _ext_columns_as_base(build_aux_trace(protocol.logup, main, protocol.periodic, challenges,
                                                       check=check, rows=protocol.active_rows, read=read))
            del main
            coefficients = _interpolated(aux, n, stores.enter_context(store(aux.shape[0], n)))
            del aux
            aux_committed = CommittedPolynomials(coefficients, blowup, protocol.commitment)
            transcript.absorb_digest("aux root", aux_committed.root)

        report("constraint quotient")
        alpha = transcript.challenge_ext("composition")
        try:
            quotient = split_quotient(protocol, quotient_values(protocol, main_committed, aux_committed, challenges,
                                                                alpha), check)
        except ConstraintViolation:
            raise _named_violation(protocol, main_committed, aux_committed, challenges) from None
        randomizer_rows = 2 if params.zero_knowledge else 0  # the FRI randomizer polynomial's two base parts
        coefficients = CoefficientArray(len(quotient) + randomizer_rows, n)
        coefficients.write(0, quotient)
        if randomizer_rows:
            coefficients.write(len(quotient), random_field_elements((randomizer_rows, n)))
        del quotient
        quotient_committed = CommittedPolynomials(coefficients, blowup, protocol.commitment)
        transcript.absorb_digest("quotient root", quotient_committed.root)
        trace = [main_committed] if aux_committed is None else [main_committed, aux_committed]
        for committed in (*trace, quotient_committed):
            committed.release()  # no more passes over cosets: the rest reads coefficients

        report("out-of-domain openings")
        z = transcript.challenge_ext("ood point")
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
        nonce, indices = grind_queries(transcript, params.grinding_bits, params.num_queries, protocol.lde_size)
        queried = sorted(set(indices))
        powers = main_committed.point_powers(queried)  # every commitment's LDE has the same points
        openings = [Opening(*_as_lists(tree)) for c in [*trace, quotient_committed] for tree in c.open(queried, powers)]
        del powers
    positions = indices
    for size, tree in zip(protocol.fri_layers, fri_trees):
        positions = [j % (size >> params.fri_log_arity) for j in positions]
        openings.append(Opening(*_as_lists(tree.open(positions))))

    proof = StarkProof(params, n.bit_length() - 1, main_committed.root,
                       aux_committed.root if aux_committed else None, quotient_committed.root, ood_trace,
                       ood_quotient, [t.root for t in fri_trees], fri_final, nonce, openings, fixed)
    return serialize(proof)


def preprocessed_columns(air: Air) -> np.ndarray:
    """The AIR's fixed columns over the active rows, checked: (preprocessed_width, active_rows), canonical."""
    columns = np.asarray(air.preprocessed_columns(), dtype=np.uint64)
    if columns.shape != (air.preprocessed_width, air.active_rows):
        raise ValueError(f"{air.name}: preprocessed columns have shape {columns.shape}, expected "
                         f"{(air.preprocessed_width, air.active_rows)}")
    if (columns >= np.uint64(P)).any():
        raise ValueError(f"{air.name}: preprocessed columns hold non-canonical field elements")
    return columns


def preprocessed_root(air: Air, params: StarkParams) -> bytes:
    """The root a proof's fixed-columns tree has under `params` (the AIR's verifying key, to pin in the AIR):
    committed exactly as `prove` commits them, zero on the random rows."""
    n, columns = air.trace_length, preprocessed_columns(air)
    with CoefficientArray(columns.shape[0], n) as coefficients:
        committed = CommittedPolynomials(_interpolated(columns, n, coefficients, columns.shape[0]), params.blowup,
                                         scheme_for(params.hash))
        return committed.root


def _as_lists(opening: tuple[np.ndarray, list[bytes]]) -> tuple[list[list[int]], list[bytes]]:
    rows, siblings = opening
    return [[int(v) for v in row] for row in rows], siblings
