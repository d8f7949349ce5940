"""FRI, prover side: commit to each layer (one Merkle leaf per folding coset), fold, send the final polynomial."""
from __future__ import annotations

import numpy as np

from circuits.field import GENERATOR, Ext, P, inv, root_of_unity
from prover.engine import field_arrays as F
from prover.engine import ntt
from prover.engine.merkle_tree import MerkleTree
from verifier.stark.protocol import Protocol
from verifier.stark.transcript import Transcript


def layer_leaf_rows(values: np.ndarray, arity: int) -> np.ndarray:
    """An (N, 2) extension column as Merkle rows: leaf t = its coset, 2*arity base elements."""
    size = values.shape[0]
    return np.ascontiguousarray(values.reshape(arity, size // arity, 2).transpose(1, 0, 2).reshape(size // arity, -1))


class FriDegreeError(ValueError):
    pass


def fold(values: np.ndarray, arity: int, shift: int, beta: Ext) -> np.ndarray:
    """One FRI fold of an (N, 2) extension column on the coset shift*<w_N>, into N/arity values on its
    arity-th power: f_next(y) = sum_r beta^r f_r(y) where f(x) = sum_r x^r f_r(x^arity)."""
    size = values.shape[0]
    m = size // arity
    cosets = values.reshape(arity, m, 2)  # cosets[k, t] = f(x_t * zeta^k), zeta = w_N^m
    zeta_inv = inv(root_of_unity(arity))
    arity_inv = inv(arity)
    # u_r(t) = x_t^r f_r(x_t^arity) = (1/arity) sum_k f(x_t zeta^k) zeta^(-kr)
    parts = []
    for r in range(arity):
        acc = np.zeros((m, 2), dtype=np.uint64)
        for k in range(arity):
            acc = F.add(acc, F.mul_scalar(cosets[k], pow(zeta_inv, k * r, P) * arity_inv))
        parts.append(acc)
    # f_next(x_t^arity) = sum_r (beta / x_t)^r u_r(t), by Horner
    x_inv = F.powers(inv(root_of_unity(size)), m, inv(shift))
    w = F.base_mul_ext_scalar(x_inv, beta)
    acc = parts[-1]
    for r in range(arity - 2, -1, -1):
        acc = F.add(F.ext_mul(acc, w), parts[r])
    return acc


def commit_layers(protocol: Protocol, values: np.ndarray, transcript: Transcript, check: bool = True):
    """Commit and fold every layer; returns the layer trees and the final polynomial's coefficients."""
    arity = 1 << protocol.params.fri_log_arity
    shift = GENERATOR
    trees = []
    for size in protocol.fri_layers:
        tree = MerkleTree(layer_leaf_rows(values, arity), scheme=protocol.commitment)
        trees.append(tree)
        transcript.absorb_digest("fri layer", tree.root)
        beta = transcript.challenge_ext("fri fold")
        values = fold(values, arity, shift, beta)
        shift = pow(shift, arity, P)
    coeffs = ntt.coset_intt(np.ascontiguousarray(values.T), shift)  # (2, size)
    bound = protocol.fri_final_degree
    if check and coeffs[:, bound:].any():
        raise FriDegreeError("FRI final layer exceeds its degree bound")
    final = [Ext(int(a), int(b)) for a, b in coeffs[:, :bound].T]
    transcript.absorb_ext("fri final", final)
    return trees, final
