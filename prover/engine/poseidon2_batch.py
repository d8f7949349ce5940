"""Poseidon2 (circuits.poseidon2) on many states at once: the prover's numba kernels for the solvency tree and
trace (`prover.exchange`), and the sponge of `circuits.tree_hash` over many rows for Poseidon2 commitments
(`prover.engine.row_hashing`).

M_E is applied as the dense matrix derived from `external_linear_layer`, M_I by its defining formula over the
same diagonal; `tests/circuits/test_poseidon2.py` checks every output against the pure-Python `permute`, and
`tests/prover/engine/test_poseidon2_rows.py` the sponge against `circuits.tree_hash.sponge`.
"""
import numba as nb
import numpy as np

from circuits.field import P
from circuits.poseidon2 import (
    EXTERNAL_ROUND_CONSTANTS,
    FULL_ROUNDS,
    HALF_FULL_ROUNDS,
    INTERNAL_DIAG_M_1,
    INTERNAL_ROUND_CONSTANTS,
    PARTIAL_ROUNDS,
    WIDTH,
    external_linear_layer,
)
from circuits.tree_hash import DIGEST_ELEMENTS, RATE
from prover.engine import threads
from prover.engine.field_arrays import add64, mul64, reduce128

GATHER_ROWS = 1 << 10  # rows per contiguous copy of an input in any other layout (an LDE coset's transposed view)


def _external_matrix() -> np.ndarray:
    """M_E as a dense matrix: column j is the image of the j-th unit vector."""
    columns = [external_linear_layer([int(i == j) for i in range(WIDTH)]) for j in range(WIDTH)]
    matrix = np.array(columns, dtype=np.uint64).T.copy()
    if int(matrix.sum(axis=1).max()) >= 1 << 32:  # `_external64` sums coefficient * (32-bit limb) in a uint64
        raise ValueError("poseidon2 parameters: M_E coefficients too large for the lazy reduction")
    return matrix


EXTERNAL_MATRIX = _external_matrix()
_RC_EXTERNAL = np.array(EXTERNAL_ROUND_CONSTANTS, dtype=np.uint64)
_RC_INTERNAL = np.array(INTERNAL_ROUND_CONSTANTS, dtype=np.uint64)
_DIAG_M_1 = np.array(INTERNAL_DIAG_M_1, dtype=np.uint64)
_M32 = np.uint64(0xFFFF_FFFF)
_S32 = np.uint64(32)
_ZERO = np.uint64(0)
_ONE = np.uint64(1)


@nb.njit(inline="always", cache=True)
def _sbox64(x):
    x2 = mul64(x, x)
    return mul64(mul64(x2, x), mul64(x2, x2))


@nb.njit(inline="always", cache=True)
def _external64(s, limbs):
    """s <- M_E s, lazily: the small integer matrix is applied to 32-bit limbs, then each lane reduced once."""
    for j in range(WIDTH):
        limbs[0, j] = s[j] & _M32
        limbs[1, j] = s[j] >> _S32
    for i in range(WIDTH):
        acc_lo = _ZERO
        acc_hi = _ZERO
        for j in range(WIDTH):
            acc_lo += EXTERNAL_MATRIX[i, j] * limbs[0, j]
            acc_hi += EXTERNAL_MATRIX[i, j] * limbs[1, j]
        # value = acc_hi * 2^32 + acc_lo as a 128-bit (lo, hi) pair
        lo = (acc_hi << _S32) + acc_lo
        hi = (acc_hi >> _S32) + (_ONE if lo < acc_lo else _ZERO)
        s[i] = reduce128(lo, hi)


@nb.njit(inline="always", cache=True)
def _internal64(s):
    total = s[0]
    for i in range(1, WIDTH):
        total = add64(total, s[i])
    for i in range(WIDTH):
        s[i] = add64(mul64(s[i], _DIAG_M_1[i]), total)


SBOX_COLUMNS = WIDTH + FULL_ROUNDS * WIDTH + PARTIAL_ROUNDS  # a recorded permutation: input, then every S-box


@nb.njit(inline="always", cache=True)
def _full_round64(s, r, limbs, columns, row, record):
    for i in range(WIDTH):
        s[i] = _sbox64(add64(s[i], _RC_EXTERNAL[r, i]))
        if record:
            columns[WIDTH * (1 + r) + i, row] = s[i]
    _external64(s, limbs)


@nb.njit(inline="always", cache=True)
def _permute_state(s, limbs, columns, column, record):
    """Permute the state s (12) in place; if `record`, column `column` of `columns` gets its input and S-box
    outputs."""
    first_partial = WIDTH * (1 + FULL_ROUNDS)
    if record:
        for i in range(WIDTH):
            columns[i, column] = s[i]
    _external64(s, limbs)
    for r in range(HALF_FULL_ROUNDS):
        _full_round64(s, r, limbs, columns, column, record)
    for r in range(PARTIAL_ROUNDS):
        s[0] = _sbox64(add64(s[0], _RC_INTERNAL[r]))
        if record:
            columns[first_partial + r, column] = s[0]
        _internal64(s)
    for r in range(HALF_FULL_ROUNDS, FULL_ROUNDS):
        _full_round64(s, r, limbs, columns, column, record)


@nb.njit(nb.void(nb.uint64[:, ::1], nb.uint64[:, ::1], nb.int64, nb.boolean, nb.int64, nb.int64),
         nogil=True, cache=True)
def _permute_rows(states, columns, first, record, lo, hi):
    """Permute rows [lo, hi) of `states` in place; if `record`, column first + i of `columns` (SBOX_COLUMNS, *)
    gets row i's input and S-box outputs: written straight into the trace's column layout, not transposed after."""
    limbs = np.empty((2, WIDTH), dtype=np.uint64)
    for row in range(lo, hi):
        _permute_state(states[row], limbs, columns, first + row, record)


@nb.njit(nb.void(nb.uint64[:, ::1], nb.uint64, nb.uint64[:, ::1], nb.int64, nb.int64), nogil=True, cache=True)
def _sponge_rows(rows, domain, out, lo, hi):
    """out[i] = circuits.tree_hash.sponge(domain, rows[i]) for i in [lo, hi): capacity [domain, width, 0, 0],
    each chunk of RATE elements (the last zero-padded) overwriting lanes 0..7, then a permutation."""
    width = rows.shape[1]
    s = np.empty(WIDTH, dtype=np.uint64)
    limbs = np.empty((2, WIDTH), dtype=np.uint64)
    no_columns = np.empty((0, 0), dtype=np.uint64)
    for i in range(lo, hi):
        for k in range(WIDTH):
            s[k] = _ZERO
        s[RATE] = domain
        s[RATE + 1] = np.uint64(width)
        for start in range(0, width, RATE):
            for k in range(RATE):
                s[k] = rows[i, start + k] if start + k < width else _ZERO
            _permute_state(s, limbs, no_columns, 0, False)
        for k in range(DIGEST_ELEMENTS):
            out[i, k] = s[k]


def _sponge_range(rows, domain, out, lo, hi) -> None:
    if rows.flags.c_contiguous:
        _sponge_rows(rows, domain, out, lo, hi)
        return
    for a in range(lo, hi, GATHER_ROWS):
        b = min(hi, a + GATHER_ROWS)
        _sponge_rows(np.ascontiguousarray(rows[a:b]), domain, out[a:b], 0, b - a)


def sponge_rows(domain: int, rows: np.ndarray) -> np.ndarray:
    """(n, 4) uint64: row i's digest is circuits.tree_hash.sponge(domain, rows[i]), for an (n, w) uint64 array
    of canonical elements, w >= 1, in any layout (an LDE coset's transposed view is gathered a block at a time),
    rows split across threads."""
    if rows.dtype != np.uint64 or rows.ndim != 2 or rows.shape[1] == 0:
        raise TypeError(f"cannot hash rows of {rows.dtype} with shape {rows.shape}")
    out = np.empty((rows.shape[0], DIGEST_ELEMENTS), dtype=np.uint64)
    threads.run_ranges(_sponge_range, rows.shape[0], rows, np.uint64(domain), out, min_per_thread=64)
    return out


def _permute(states, columns, first, record) -> None:
    threads.run_ranges(_permute_rows, states.shape[0], states, columns, first, record, min_per_thread=64)


def _as_states(states) -> np.ndarray:
    out = np.array(states, dtype=np.uint64, copy=True, order="C")
    if out.ndim != 2 or out.shape[1] != WIDTH:
        raise ValueError(f"states must have shape (M, {WIDTH}), got {out.shape}")
    if (out >= np.uint64(P)).any():
        raise ValueError("states must hold canonical field elements (< p)")
    return out


def permute_batch(states: np.ndarray) -> np.ndarray:
    """Permute each row of an (M, 12) uint64 array (rows split across threads)."""
    out = _as_states(states)
    _permute(out, np.empty((0, 0), dtype=np.uint64), 0, False)
    return out


def permute_batch_with_sboxes(states: np.ndarray, columns: np.ndarray | None = None, first: int = 0
                              ) -> tuple[np.ndarray, np.ndarray]:
    """Permute each row and return (outputs (M, 12), columns (SBOX_COLUMNS, *)): column first + i holds row i's
    input (12), its full rounds' S-box outputs (8 x 12, round by round) and its partial rounds' (22).

    The S-box outputs (state_i + c)^7 are what the AIR stores as trace columns, one permutation per row; pass
    `columns` (a C-contiguous uint64 array of SBOX_COLUMNS rows, e.g. the trace's first rows) and the column of
    the first state to have them written there; by default a new (SBOX_COLUMNS, M) array.
    """
    out = _as_states(states)
    if columns is None:
        columns = np.empty((SBOX_COLUMNS, out.shape[0]), dtype=np.uint64)
    if (columns.ndim != 2 or columns.shape[0] != SBOX_COLUMNS or not 0 <= first <= columns.shape[1] - out.shape[0]
            or columns.dtype != np.uint64 or not columns.flags.c_contiguous):
        raise ValueError(f"columns must be a C-contiguous uint64 array of {SBOX_COLUMNS} rows with room for "
                         f"{out.shape[0]} columns from column {first}")
    _permute(out, columns, first, True)
    return out, columns
