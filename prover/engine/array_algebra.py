"""Field arithmetic on whole columns, for evaluating constraint expressions over the LDE domain.

Values are base arrays (shape (n,)), extension arrays (shape (n, 2)), base scalars (int) or extension scalars
(`Ext`); the result type follows the operands, as in the field.
"""
from __future__ import annotations

import numpy as np

from circuits.expr import Algebra
from circuits.field import Ext, P
from prover.engine import field_arrays as F


def _is_ext_array(x) -> bool:
    return isinstance(x, np.ndarray) and x.ndim == 2


def _to_ext_array(x, n: int) -> np.ndarray:
    if _is_ext_array(x):
        return x
    if isinstance(x, np.ndarray):
        return F.ext_from_base(x)
    e = Ext.lift(x)
    out = np.empty((n, 2), dtype=np.uint64)
    out[:, 0], out[:, 1] = e.a, e.b
    return out


def add(a, b):
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        return (a + b) % P if isinstance(a, int) and isinstance(b, int) else Ext.lift(a) + b
    if not isinstance(a, np.ndarray):
        a, b = b, a
    if isinstance(b, int) or (isinstance(b, np.ndarray) and not _is_ext_array(b) and not _is_ext_array(a)):
        if isinstance(b, int):
            if _is_ext_array(a):
                out = a.copy()
                out[:, 0] = F.add_scalar(a[:, 0], b)
                return out
            return F.add_scalar(a, b)
        return F.add(a, b)
    n = a.shape[0]
    if isinstance(b, Ext):
        out = _to_ext_array(a, n).copy()
        out[:, 0] = F.add_scalar(out[:, 0], b.a)
        out[:, 1] = F.add_scalar(out[:, 1], b.b)
        return out
    return F.add(_to_ext_array(a, n), _to_ext_array(b, n))


def neg(a):
    if isinstance(a, np.ndarray):
        return F.neg(a)
    return (-a) % P if isinstance(a, int) else -a


def sub(a, b):
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.ndim == b.ndim:
        return F.sub(a, b)
    return add(a, neg(b))


def mul(a, b):
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        return a * b % P if isinstance(a, int) and isinstance(b, int) else Ext.lift(a) * b
    if not isinstance(a, np.ndarray):
        a, b = b, a
    if isinstance(b, int):
        return F.mul_scalar(a, b)
    if isinstance(b, Ext):
        return F.ext_mul_scalar(a, b) if _is_ext_array(a) else F.base_mul_ext_scalar(a, b)
    if _is_ext_array(a) and _is_ext_array(b):
        return F.ext_mul(a, b)
    if _is_ext_array(a):
        return F.ext_mul_base(a, b)
    if _is_ext_array(b):
        return F.ext_mul_base(b, a)
    return F.mul(a, b)


ARRAYS = Algebra(add=add, sub=sub, mul=mul, neg=neg)


def window(values: np.ndarray, lo: int, hi: int, offset: int) -> np.ndarray:
    """values[..., lo+offset : hi+offset] along the last axis, wrapping around (the last row's next is the first)."""
    n = values.shape[-1]
    if hi + offset <= n:
        return values[..., lo + offset:hi + offset]
    return np.concatenate([values[..., lo + offset:], values[..., :hi + offset - n]], axis=-1)


def periodic_rows(periodic: list, rows: int) -> list[np.ndarray]:
    """The periodic columns' values on trace rows 0 .. rows-1."""
    return [np.resize(F.from_ints(values), rows) for values in periodic]


def trace_leaf(main: np.ndarray, aux: np.ndarray | None, periodic: list[np.ndarray], challenges: list, lo: int = 0,
               hi: int | None = None):
    """Leaf values of constraint expressions at positions lo..hi-1 of aligned columns (trace rows, or the points
    of one LDE coset, where the next position is the next row): main (width, m) base columns, aux (2k, m) base
    parts of extension columns, periodic (m,) columns. The next row wraps around (callers mask the rows where a
    constraint need not hold)."""
    hi = main.shape[1] if hi is None else hi

    def leaf(node):
        op = node.op
        if op == "main":
            col, offset = node.args
            return window(main[col], lo, hi, offset)
        if op == "aux":
            col, offset = node.args
            return np.ascontiguousarray(window(aux[2 * col:2 * col + 2], lo, hi, offset).T)
        if op == "periodic":
            return periodic[node.args[0]][lo:hi]
        if op == "challenge":
            return challenges[node.args[0]]
        return node.args[0]

    return leaf
