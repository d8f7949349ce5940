"""Small AIRs that exercise the engine (tests and the engine benchmark): each builds its own trace."""
from __future__ import annotations

import struct

import numba as nb
import numpy as np

from circuits.air import BOUNDARY, Air, Constraint, Interaction, trace_layout
from circuits.expr import main_col, periodic
from circuits.field import P
from circuits.logup import RangeTable, range_check
from prover.engine.field_arrays import add64, mul64
from prover.engine.range_table import fill_range_table


class FibonacciAir(Air):
    """(a, b) -> (b, a + b) from (1, 1); public: the value of b after `steps` rows."""

    max_degree = 1
    main_width = 2

    def __init__(self, steps: int, output: int, zk_rows: int):
        self.name = "toy/fibonacci/1"
        self.steps, self.output = steps, output % P
        self.trace_length, self.active_rows = trace_layout(steps, zk_rows)

    def constraints(self):
        a, b, a1, b1 = main_col(0), main_col(1), main_col(0, 1), main_col(1, 1)
        return [
            Constraint("a' = b", a1 - b),
            Constraint("b' = a + b", b1 - a - b),
            Constraint("a starts at 1", a - 1, BOUNDARY, 0),
            Constraint("b starts at 1", b - 1, BOUNDARY, 0),
            Constraint("b ends at the output", b - self.output, BOUNDARY, self.steps - 1),
        ]

    def public_inputs(self) -> bytes:
        return struct.pack("<QQ", self.steps, self.output)

    def build_main_trace(self, witness=None):
        trace = np.zeros((2, self.active_rows), dtype=np.uint64)
        a, b = 1, 1
        for i in range(self.active_rows):
            trace[0, i], trace[1, i] = a, b
            a, b = b, (a + b) % P
        return trace


def fibonacci_output(steps: int) -> int:
    a, b = 1, 1
    for _ in range(steps - 1):
        a, b = b, (a + b) % P
    return b


class RangeCheckAir(Air):
    """Private 16-bit values (one per row, in column 0), each looked up in the range table."""

    max_degree = 3
    name = "toy/range-check/1"

    def __init__(self, rows: int, zk_rows: int):
        self.rows = rows
        self.trace_length, self.active_rows = trace_layout(max(rows, RangeTable.MIN_ROWS), zk_rows)
        segments = RangeTable.segments_for(self.active_rows)
        self.table = RangeTable(1, tuple(range(2, 2 + segments)))
        self.main_width = 2 + segments

    def constraints(self):
        return self.table.constraints()

    def interactions(self):
        return [range_check(main_col(0))] + self.table.interactions()

    def public_inputs(self) -> bytes:
        return struct.pack("<Q", self.rows)

    def build_main_trace(self, values):
        trace = np.zeros((self.main_width, self.active_rows), dtype=np.uint64)
        trace[0, : len(values)] = values
        fill_range_table(trace, self.table, trace[0])
        return trace


class BusAir(Air):
    """A permutation argument on a bus: column 1 must be a rearrangement of column 0 (rows flagged by the
    periodic selector send column 0 and receive column 1). Public: the sum of column 0."""

    max_degree = 3
    main_width = 3
    name = "toy/bus/1"

    def __init__(self, rows: int, total: int, zk_rows: int):
        self.rows, self.total = rows, total % P
        self.trace_length, self.active_rows = trace_layout(rows, zk_rows)

    def constraints(self):
        s, s1, v1 = main_col(2), main_col(2, 1), main_col(0, 1)
        return [
            Constraint("running sum starts", s - main_col(0), BOUNDARY, 0),
            Constraint("running sum accumulates", s1 - s - v1),
            Constraint("running sum ends at the total", s - self.total, BOUNDARY, -1),
        ]

    def interactions(self):
        return [Interaction(1, periodic(0), (main_col(0),)), Interaction(1, -periodic(0), (main_col(1),))]

    def periodic_columns(self):
        return [[1, 1, 1, 1]]

    def public_inputs(self) -> bytes:
        return struct.pack("<QQ", self.rows, self.total)

    def build_main_trace(self, pairs):
        sent, received = pairs
        trace = np.zeros((3, self.active_rows), dtype=np.uint64)
        trace[0, : len(sent)] = sent
        trace[1, : len(received)] = received
        trace[2] = np.cumsum(trace[0].astype(object)) % P
        return trace


@nb.njit(cache=True)
def _wide_recurrence(trace):
    width, rows = trace.shape
    for i in range(width):
        trace[i, 0] = i + 1
    for r in range(rows - 1):
        for i in range(width):
            trace[i, r + 1] = add64(mul64(trace[i, r], trace[(i + 1) % width, r]), np.uint64(i + 1))


class WideRecurrenceAir(Air):
    """Sixteen interacting degree-2 recurrences x_i' = x_i * x_(i+1 mod 16) + (i + 1) from x_i = i + 1; public:
    x_0 on row `rows - 1`. Wide and long enough to stand in for a real circuit in the engine benchmark."""

    max_degree = 2
    main_width = 16
    name = "toy/wide-recurrence/1"

    def __init__(self, rows: int, output: int, zk_rows: int):
        self.rows, self.output = rows, output % P
        self.trace_length, self.active_rows = trace_layout(rows, zk_rows)

    def constraints(self):
        w = self.main_width
        out = [Constraint(f"x{i}' = x{i} * x{(i + 1) % w} + {i + 1}",
                          main_col(i, 1) - main_col(i) * main_col((i + 1) % w) - (i + 1)) for i in range(w)]
        out += [Constraint(f"x{i} starts at {i + 1}", main_col(i) - (i + 1), BOUNDARY, 0) for i in range(w)]
        out.append(Constraint("x0 ends at the output", main_col(0) - self.output, BOUNDARY, self.rows - 1))
        return out

    def public_inputs(self) -> bytes:
        return struct.pack("<QQ", self.rows, self.output)

    def build_main_trace(self, witness=None):
        trace = np.empty((self.main_width, self.active_rows), dtype=np.uint64)
        _wide_recurrence(trace)
        return trace


def wide_recurrence_output(rows: int) -> int:
    """x_0 on row `rows - 1`: the public output of a WideRecurrenceAir of `rows` rows."""
    trace = np.empty((WideRecurrenceAir.main_width, rows), dtype=np.uint64)
    _wide_recurrence(trace)
    return int(trace[0, -1])


class SelectorAir(Air):
    """Two preprocessed columns, a selector s (1 every third row) and a constant c (row + 1), and an accumulator
    acc' = acc + s * c from 0; public: acc on the last active row. `root`: the pinned verifying key."""

    max_degree = 2
    main_width = 3
    preprocessed_width = 2
    name = "toy/selector/1"

    def __init__(self, rows: int, output: int, zk_rows: int, root: bytes | None = None):
        self.output, self.root = output % P, root
        self.trace_length, self.active_rows = trace_layout(rows, zk_rows)

    def preprocessed_columns(self):
        rows = range(self.active_rows)
        return [[int(i % 3 == 0) for i in rows], [i + 1 for i in rows]]

    def preprocessed_root(self, params) -> bytes:
        if self.root is None:
            raise NotImplementedError
        return self.root

    def constraints(self):
        s, c, acc = main_col(0), main_col(1), main_col(2)
        return [Constraint("acc' = acc + s c", main_col(2, 1) - acc - s * c),
                Constraint("acc starts at 0", acc, BOUNDARY, 0),
                Constraint("acc ends at the output", acc - self.output, BOUNDARY, -1)]

    def public_inputs(self) -> bytes:
        return struct.pack("<QQ", self.active_rows, self.output)

    def build_main_trace(self, fixed=None):
        """The trace over `fixed` (default the AIR's own preprocessed columns: another is a cheating prover's)."""
        s, c = np.asarray(self.preprocessed_columns() if fixed is None else fixed, dtype=np.uint64)
        acc = np.concatenate([[0], np.cumsum((s * c)[:-1])]).astype(np.uint64) % np.uint64(P)
        return np.stack([s, c, acc])


def selector_output(active_rows: int) -> int:
    return sum(i + 1 for i in range(active_rows - 1) if i % 3 == 0) % P
