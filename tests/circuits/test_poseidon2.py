"""Poseidon2 (Goldilocks, width 12): known answer, embedded constants, batch kernels against the reference.

Known-answer vector and constants: Plonky3/Plonky3 @ 5dc50e51 goldilocks/src/poseidon2.rs
(test_default_goldilocks_poseidon2_width_12), via /work/shared/vectors/poseidon2_goldilocks.json.
"""
import json

import numpy as np
import pytest
from paths import VECTORS as SHARED_VECTORS

from circuits import poseidon2
from circuits.field import P
from prover.engine import poseidon2_batch

VECTORS = SHARED_VECTORS / "poseidon2_goldilocks.json"

KAT_INPUT = list(range(12))
KAT_OUTPUT = [
    17479221565885336323, 734915442301621324, 377283858163603678, 216052820910632955,
    6347663762129472178, 12730007117582221560, 16792819048661925028, 17643437800019671490,
    2573527637616151148, 15146684802819669848, 5692450944251311406, 769909420564152678,
]


def random_states(rows: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    states = rng.integers(0, P, size=(rows, 12), dtype=np.uint64)
    states[0] = 0
    states[1] = P - 1
    return states


def test_known_answer_scalar():
    assert poseidon2.permute(KAT_INPUT) == KAT_OUTPUT


def test_known_answer_batch():
    assert poseidon2_batch.permute_batch(np.array([KAT_INPUT], dtype=np.uint64)).tolist() == [KAT_OUTPUT]


@pytest.mark.skipif(not VECTORS.exists(), reason="shared vectors not available")
def test_embedded_constants_match_shared_vectors():
    instance = json.loads(VECTORS.read_text())["instances"]["plonky3_default_w12"]
    assert [list(r) for r in poseidon2.EXTERNAL_ROUND_CONSTANTS] == instance["external_round_constants"]
    assert list(poseidon2.INTERNAL_ROUND_CONSTANTS) == instance["internal_round_constants"]
    assert list(poseidon2.INTERNAL_DIAG_M_1) == instance["mat_internal_diag_m_1"]
    assert [list(r) for r in poseidon2.M4] == instance["external_linear_layer"]["m4"]
    assert poseidon2_batch.EXTERNAL_MATRIX.tolist() == instance["external_matrix_full"]
    assert (poseidon2.HALF_FULL_ROUNDS, poseidon2.PARTIAL_ROUNDS) == (instance["rounds_f_beginning"], instance["RP"])
    vector = instance["test_vectors"][0]
    assert (vector["input"], vector["output"]) == (KAT_INPUT, KAT_OUTPUT)


def test_linear_layers_are_generic():
    # numpy object arrays (lane-wise columns) give the same as the per-state Python-int evaluation
    states = random_states(5).tolist()
    columns = [np.array([s[i] for s in states], dtype=object) for i in range(12)]
    for layer in (poseidon2.external_linear_layer, poseidon2.internal_linear_layer):
        by_column = [c % P for c in layer(columns)]
        for row, state in enumerate(states):
            assert [int(c[row]) for c in by_column] == [x % P for x in layer(state)]


def test_batch_matches_scalar():
    states = random_states(64)
    out = poseidon2_batch.permute_batch(states)
    assert out.dtype == np.uint64
    assert [poseidon2.permute(s) for s in states.tolist()] == out.tolist()


def test_sbox_outputs_replay_the_permutation():
    """Recompute each permutation from the recorded S-box outputs with only the linear layers."""
    states = random_states(16)
    out, columns = poseidon2_batch.permute_batch_with_sboxes(states)
    assert columns.shape == (12 + 8 * 12 + 22, 16)
    assert np.array_equal(out, poseidon2_batch.permute_batch(states))
    assert np.array_equal(columns[:12], states.T)  # the inputs first
    full = columns[12:108].T.reshape(16, 8, 12)
    partial = columns[108:].T

    def mod_p(values):
        return [v % P for v in values]

    half = poseidon2.HALF_FULL_ROUNDS
    for row, state in enumerate(states.tolist()):
        state = mod_p(poseidon2.external_linear_layer(state))
        for r in range(8):
            if r == half:
                for k, c in enumerate(poseidon2.INTERNAL_ROUND_CONSTANTS):
                    assert int(partial[row, k]) == pow(state[0] + c, 7, P)
                    state = mod_p(poseidon2.internal_linear_layer([int(partial[row, k])] + state[1:]))
            sboxes = [int(x) for x in full[row, r]]
            assert sboxes == [pow(x + c, 7, P) for x, c in zip(state, poseidon2.EXTERNAL_ROUND_CONSTANTS[r])]
            state = mod_p(poseidon2.external_linear_layer(sboxes))
        assert state == out[row].tolist()


@pytest.mark.parametrize("bad", [[0] * 11, [0] * 13, [P] + [0] * 11, [-1] + [0] * 11])
def test_permute_rejects_malformed_state(bad):
    with pytest.raises(ValueError):
        poseidon2.permute(bad)


@pytest.mark.parametrize("bad", [np.zeros((1, 11)), np.zeros(12), np.full((2, 12), P)])
def test_permute_batch_rejects_malformed_states(bad):
    with pytest.raises(ValueError):
        poseidon2_batch.permute_batch(bad.astype(np.uint64))


def test_sbox_columns_are_written_where_asked():
    states = random_states(8)
    trace = np.zeros((200, 8), dtype=np.uint64)
    out, columns = poseidon2_batch.permute_batch_with_sboxes(states, trace[:poseidon2_batch.SBOX_COLUMNS])
    assert np.shares_memory(columns, trace)
    assert np.array_equal(trace[:130], poseidon2_batch.permute_batch_with_sboxes(states)[1])
    assert not trace[130:].any()
    with pytest.raises(ValueError):
        poseidon2_batch.permute_batch_with_sboxes(states, trace[:129])
