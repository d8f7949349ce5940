"""LogUp's auxiliary columns, built after the main trace is committed and the challenges are drawn."""
from __future__ import annotations

import numba as nb
import numpy as np

from circuits.expr import Expr, const, main_columns, with_main_columns
from circuits.field import Ext
from circuits.logup import LogUpLayout, fingerprint, gamma_powers
from prover.engine import field_arrays as F
from prover.engine.array_algebra import periodic_rows
from prover.engine.constraint_program import compile_constraints, inverse
from prover.engine.constraint_vm import evaluate_columns


class UnbalancedInteractions(ValueError):
    """The trace sends and receives different multisets: a lookup misses its table, or a bus is unbalanced."""


@nb.njit(cache=True)
def _prefix_sum(x, out):
    s0, s1 = np.uint64(0), np.uint64(0)
    for i in range(x.shape[0]):
        s0, s1 = F.add64(s0, x[i, 0]), F.add64(s1, x[i, 1])
        out[i, 0], out[i, 1] = s0, s1


def helper_sums(layout: LogUpLayout) -> list[Expr]:
    """Each helper column's value, sum_k m_k / fingerprint_k over its group, as an expression for the
    interpreter (which inverts a block of points at a time: one exponentiation per block, not per point)."""
    gammas = gamma_powers(layout.max_tuple)
    sums = []
    for group in layout.groups:
        total = const(0)
        for interaction in group:
            total = total + inverse(fingerprint(interaction, gammas)) * interaction.multiplicity
        sums.append(total)
    return sums


def columns_read(layout: LogUpLayout) -> list[int]:
    """The main columns the LogUp columns are computed from (82 of the liabilities AIR's 204 at 22 assets): a
    prover may keep just these for `build_aux_trace` (`read=`) and drop the rest of the trace before committing."""
    return main_columns(helper_sums(layout))


def build_aux_trace(layout: LogUpLayout, main: np.ndarray, periodic: list, challenges: list[Ext],
                    check: bool = True, rows: int | None = None, read: list[int] | None = None) -> np.ndarray:
    """The (aux_width, rows, 2) extension columns for the active rows of `main` (width, >= rows; by default all
    its rows): the helper columns in one pass of the constraint interpreter, then the running sum. With `read`
    (`columns_read(layout)`), `main` holds only those columns, in that order."""
    rows = main.shape[1] if rows is None else rows
    main = np.ascontiguousarray(main, dtype=np.uint64)
    groups = len(layout.groups)
    sums = helper_sums(layout)
    if read is not None:
        sums = with_main_columns(sums, {column: k for k, column in enumerate(read)})
    program = compile_constraints(sums, list(range(groups)), [Ext(1)] * groups, challenges)
    aux = np.empty((layout.aux_width, rows, 2), dtype=np.uint64)
    columns = np.stack(periodic_rows(periodic, rows)) if periodic else np.zeros((0, rows), dtype=np.uint64)
    evaluate_columns(program, main, columns, rows, aux[:-1])
    _prefix_sum(_sum_ext(aux[:-1]), aux[-1])
    if check and aux[-1, -1].any():
        raise UnbalancedInteractions("LogUp sum is not zero: a looked-up value is missing from its table "
                                     "or a bus does not balance")
    return aux


def _sum_ext(columns: np.ndarray) -> np.ndarray:
    total = columns[0].copy()
    for column in columns[1:]:
        total = F.add(total, column)
    return total
