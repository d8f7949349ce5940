"""Poseidon2 over Goldilocks, width 12: Plonky3's default instance (x^7 S-box, 4 + 22 + 4 rounds).

Order of operations: M_E; 4 full rounds; 22 partial rounds; 4 full rounds, where
- a full round adds a constant to every lane, applies x^7 to every lane, then M_E;
- a partial round adds a constant to lane 0, applies x^7 to lane 0, then M_I.
Constants live in `params/poseidon2_goldilocks_w12.json` (copied from Plonky3, see its `source`).

The linear layers are defined once, generically, by `external_linear_layer` and `internal_linear_layer`; the
pure-Python `permute` (the verifier's reference) and the AIR's constraints use them directly. The numba kernel
behind `permute_batch` (the prover's hot loop) applies M_E as the dense matrix derived from
`external_linear_layer`, and M_I by its defining formula over the same diagonal.
"""
import json
from importlib import resources

import numba as nb
import numpy as np

from circuits.field import P, add64, mul64, reduce128

WIDTH = 12


def _load_params() -> dict:
    params = json.loads(resources.files("params").joinpath("poseidon2_goldilocks_w12.json").read_text())
    if params["width"] != WIDTH or params["sbox_exponent"] != 7:
        raise ValueError("poseidon2 parameters: expected width 12 and the x^7 S-box")
    return params


_PARAMS = _load_params()
HALF_FULL_ROUNDS: int = _PARAMS["half_full_rounds"]
PARTIAL_ROUNDS: int = _PARAMS["partial_rounds"]
EXTERNAL_ROUND_CONSTANTS: tuple[tuple[int, ...], ...] = tuple(map(tuple, _PARAMS["external_round_constants"]))
INTERNAL_ROUND_CONSTANTS: tuple[int, ...] = tuple(_PARAMS["internal_round_constants"])
INTERNAL_DIAG_M_1: tuple[int, ...] = tuple(_PARAMS["mat_internal_diag_m_1"])
M4: tuple[tuple[int, ...], ...] = tuple(map(tuple, _PARAMS["m4"]))
FULL_ROUNDS = 2 * HALF_FULL_ROUNDS


# ---------------------------------------------------------------------------------------------------------------
# Linear layers, generic over the values they mix.
#
# Contract: `state` is a list of WIDTH values supporting `v + w` and `v * c` for a Python int c, in exact (or
# mod-p) arithmetic: Python ints, numpy object arrays of ints, or field-valued constraint expressions. Nothing is
# reduced here; callers working with Python ints reduce the outputs mod p. (Fixed-width uint64 arrays would wrap
# mod 2^64, so they are not valid inputs.)


def _sum(values):
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def external_linear_layer(state: list) -> list:
    """M_E = circ(2*M4, M4, M4): M4 on every chunk of 4 lanes, then add to each lane the sum of its column."""
    mixed = []
    for k in range(0, WIDTH, 4):
        chunk = state[k : k + 4]
        mixed += [_sum([x * m for x, m in zip(chunk, row)]) for row in M4]
    column_sums = [_sum(mixed[lane::4]) for lane in range(4)]
    return [y + column_sums[i % 4] for i, y in enumerate(mixed)]


def internal_linear_layer(state: list) -> list:
    """M_I = J + diag(V): out[i] = V[i] * x[i] + sum(x)."""
    total = _sum(state)
    return [x * v + total for x, v in zip(state, INTERNAL_DIAG_M_1)]


# ---------------------------------------------------------------------------------------------------------------
# Pure-Python permutation (the verifier's reference; clarity first)


def _check_state(state) -> None:
    if len(state) != WIDTH or any(not 0 <= x < P for x in state):
        raise ValueError(f"poseidon2 state must be {WIDTH} canonical field elements")


def _sbox(x: int) -> int:
    return pow(x, 7, P)


def _full_round(state: list[int], constants: tuple[int, ...]) -> list[int]:
    state = [_sbox((x + c) % P) for x, c in zip(state, constants)]
    return [x % P for x in external_linear_layer(state)]


def _partial_round(state: list[int], constant: int) -> list[int]:
    state = [_sbox((state[0] + constant) % P)] + state[1:]
    return [x % P for x in internal_linear_layer(state)]


def permute(state: list[int]) -> list[int]:
    _check_state(state)
    state = [x % P for x in external_linear_layer(list(state))]
    for constants in EXTERNAL_ROUND_CONSTANTS[:HALF_FULL_ROUNDS]:
        state = _full_round(state, constants)
    for constant in INTERNAL_ROUND_CONSTANTS:
        state = _partial_round(state, constant)
    for constants in EXTERNAL_ROUND_CONSTANTS[HALF_FULL_ROUNDS:]:
        state = _full_round(state, constants)
    return state


# ---------------------------------------------------------------------------------------------------------------
# numba kernels (uint64, canonical values)


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


@nb.njit(inline="always", cache=True)
def _full_round64(s, r, limbs, sbox_out, record):
    for i in range(WIDTH):
        s[i] = _sbox64(add64(s[i], _RC_EXTERNAL[r, i]))
        if record:
            sbox_out[i] = s[i]
    _external64(s, limbs)


@nb.njit(parallel=True, cache=True)
def _permute_rows(states, full_sbox_out, partial_sbox_out, record):
    """Permute every row of `states` in place; if `record`, store the S-box outputs of row i at index i."""
    for row in nb.prange(states.shape[0]):
        s = states[row]
        limbs = np.empty((2, WIDTH), dtype=np.uint64)
        out_row = np.int64(row) if record else 0
        _external64(s, limbs)
        for r in range(HALF_FULL_ROUNDS):
            _full_round64(s, r, limbs, full_sbox_out[out_row, r], record)
        for r in range(PARTIAL_ROUNDS):
            s[0] = _sbox64(add64(s[0], _RC_INTERNAL[r]))
            if record:
                partial_sbox_out[out_row, r] = s[0]
            _internal64(s)
        for r in range(HALF_FULL_ROUNDS, FULL_ROUNDS):
            _full_round64(s, r, limbs, full_sbox_out[out_row, r], record)


def _as_states(states) -> np.ndarray:
    out = np.array(states, dtype=np.uint64, copy=True, order="C")
    if out.ndim != 2 or out.shape[1] != WIDTH:
        raise ValueError(f"states must have shape (M, {WIDTH}), got {out.shape}")
    if (out >= np.uint64(P)).any():
        raise ValueError("states must hold canonical field elements (< p)")
    return out


def _sbox_outputs(rows: int) -> tuple[np.ndarray, np.ndarray]:
    return np.empty((rows, FULL_ROUNDS, WIDTH), dtype=np.uint64), np.empty((rows, PARTIAL_ROUNDS), dtype=np.uint64)


def permute_batch(states: np.ndarray) -> np.ndarray:
    """Permute each row of an (M, 12) uint64 array (parallel over rows)."""
    out = _as_states(states)
    _permute_rows(out, *_sbox_outputs(1), False)  # one unused row: the kernel's record target when not recording
    return out


def permute_batch_with_sboxes(states: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Permute each row and return (outputs (M, 12), full-round S-box outputs (M, 8, 12), partial (M, 22)).

    The S-box outputs (state_i + c)^7 are what the AIR stores as trace columns, one permutation per row.
    """
    out = _as_states(states)
    full, partial = _sbox_outputs(out.shape[0])
    _permute_rows(out, full, partial, True)
    return out, full, partial
