"""LogUp's auxiliary columns, built after the main trace is committed and the challenges are drawn."""
from __future__ import annotations

import numba as nb
import numpy as np

from circuits.expr import Program
from circuits.field import Ext
from circuits.logup import LogUpLayout, fingerprint, gamma_powers
from prover.engine import field_arrays as F
from prover.engine.array_algebra import ARRAYS, periodic_rows, trace_leaf


class UnbalancedInteractions(ValueError):
    """The trace sends and receives different multisets: a lookup misses its table, or a bus is unbalanced."""


@nb.njit(cache=True)
def _prefix_sum(x, out):
    s0, s1 = np.uint64(0), np.uint64(0)
    for i in range(x.shape[0]):
        s0, s1 = F.add64(s0, x[i, 0]), F.add64(s1, x[i, 1])
        out[i, 0], out[i, 1] = s0, s1


def build_aux_trace(layout: LogUpLayout, main: np.ndarray, periodic: list, challenges: list[Ext],
                    check: bool = True) -> np.ndarray:
    """The (aux_width, rows, 2) extension columns for the active rows of `main` (shape (width, rows))."""
    rows = main.shape[1]
    gammas = gamma_powers(layout.max_tuple)
    leaf = trace_leaf(main, None, periodic_rows(periodic, rows), challenges)
    aux = np.empty((layout.aux_width, rows, 2), dtype=np.uint64)
    for j, group in enumerate(layout.groups):  # a helper column at a time: only its fractions are ever held
        exprs = [e for interaction in group for e in (fingerprint(interaction, gammas), interaction.multiplicity)]
        values = Program(exprs).evaluate(ARRAYS, leaf)
        total = np.zeros((rows, 2), dtype=np.uint64)
        for fp, mult in zip(values[0::2], values[1::2]):
            fp = fp if isinstance(fp, np.ndarray) else ARRAYS.add(np.zeros(rows, dtype=np.uint64), fp)
            total = ARRAYS.add(total, ARRAYS.mul(F.ext_batch_inverse(fp), mult))
        aux[j] = total
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
