"""Poseidon2 over Goldilocks, width 12: Plonky3's default instance (x^7 S-box, 4 + 22 + 4 rounds).

Order of operations: M_E; 4 full rounds; 22 partial rounds; 4 full rounds, where
- a full round adds a constant to every lane, applies x^7 to every lane, then M_E;
- a partial round adds a constant to lane 0, applies x^7 to lane 0, then M_I.
Constants live in `params/poseidon2_goldilocks_w12.json` (copied from Plonky3, see its `source`).

The linear layers are defined once, generically, by `external_linear_layer` and `internal_linear_layer`; the
pure-Python `permute` (the verifier's reference) and the AIR's constraints use them directly, and the prover's
batch kernel (`prover.engine.poseidon2_batch`) derives its dense M_E from them.
"""
import json
from importlib import resources

from circuits.field import P

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


def _m4(x: list) -> list:
    """M4 = circ(2, 3, 1, 1) times a chunk of 4 lanes by additions only: 7 additions and 2 doublings, where the
    products by M4's entries cost the constraint quotient 8 multiplications a chunk (24 a layer, nine layers a
    row). Checked against the parameters' M4 at import."""
    t01, t23 = x[0] + x[1], x[2] + x[3]
    t0123 = t01 + t23
    t01123, t01233 = t0123 + x[1], t0123 + x[3]
    return [t01123 + t01, t01123 + x[2] + x[2], t01233 + t23, t01233 + x[0] + x[0]]


if [_m4([int(i == j) for i in range(4)]) for j in range(4)] != [list(column) for column in zip(*M4)]:
    raise ValueError("poseidon2 parameters: m4 is not circ(2, 3, 1, 1), the matrix _m4 computes by additions")


def external_linear_layer(state: list) -> list:
    """M_E = circ(2*M4, M4, M4): M4 on every chunk of 4 lanes, then add to each lane the sum of its column."""
    mixed = []
    for k in range(0, WIDTH, 4):
        mixed += _m4(state[k : k + 4])
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
