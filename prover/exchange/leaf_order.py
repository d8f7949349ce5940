"""The round's leaf randomness, derived from one 32-byte seed: the shuffle (an index says nothing about a user)
and the padding leaves' random id commitments.

One recorded seed makes a resumed or distributed run build the same tree. The seed is fresh from the OS's CSPRNG,
and the streams are SHAKE-256 of it, so nobody without the seed can predict the order or tell padding from users.
POR_TEST_SEED (tests only, never a default) fixes it, so two runs of the same round give the same root.
"""
from __future__ import annotations

import hashlib
import os
import secrets

import numpy as np

from circuits.field import P
from circuits.tree_hash import DIGEST_ELEMENTS

SEED_BYTES = 32
TEST_SEED_VARIABLE = "POR_TEST_SEED"


def new_seed() -> tuple[bytes, bool]:
    """(seed, whether it is the predictable test seed)."""
    test_seed = os.environ.get(TEST_SEED_VARIABLE)
    if test_seed:
        return hashlib.sha256(b"por-test-seed/1:" + test_seed.encode("utf-8")).digest(), True
    return secrets.token_bytes(SEED_BYTES), False


def random_words(seed: bytes, label: bytes, count: int) -> np.ndarray:
    """`count` uniform 64-bit words of the stream `label` drawn from `seed`."""
    stream = hashlib.shake_256(b"por-leaves/1:" + label + b":" + seed).digest(8 * count)
    return np.frombuffer(stream, dtype="<u8").astype(np.uint64)


def leaf_order(seed: bytes, n: int) -> np.ndarray:
    """A uniformly random permutation of range(n): the order of n independent random 64-bit keys (a tie, which would
    favour the first of two rows, has probability below n^2 / 2^65)."""
    return np.argsort(random_words(seed, b"order", n), kind="stable").astype(np.int64)


def padding_commitments(seed: bytes, count: int) -> np.ndarray:
    """(count, 4) random field elements: 64-bit words reduced mod p (a bias of 2^-32, far below what matters
    for hiding which leaves are padding)."""
    return (random_words(seed, b"padding", count * DIGEST_ELEMENTS) % np.uint64(P)).reshape(count, DIGEST_ELEMENTS)
