"""The solvency tree's hashes (SPEC §1) over Poseidon2 (instance plonky3_default_w12, Plonky3/Plonky3 @ 5dc50e51)."""
import numpy as np
import pytest

from circuits import tree_hash as hashing
from circuits.field import P
from circuits.poseidon2 import permute
from prover.exchange import tree


def random_elements(rng, shape, bound=P):
    return rng.integers(0, bound, size=shape, dtype=np.uint64)


def test_sponge_layout_is_overwrite_with_length_in_capacity():
    message = list(range(1, 11))  # two chunks, the second zero-padded
    state = permute(message[:8] + [hashing.DOMAIN_LEAF, 10, 0, 0])
    state = permute(message[8:] + [0] * 6 + state[8:])
    assert hashing.sponge(hashing.DOMAIN_LEAF, message) == tuple(state[:4])


def test_empty_message_is_rejected():
    with pytest.raises(ValueError):
        hashing.sponge(hashing.DOMAIN_LEAF, [])


@pytest.mark.parametrize("assets", [1, 4, 22])
def test_hash_leaves_matches_scalar(assets):
    rng = np.random.default_rng(assets)
    idc = random_elements(rng, (5, 4))
    balances = random_elements(rng, (5, assets), bound=1 << 63)
    digests = tree.leaf_digests(idc, balances)
    assert digests.shape == (5, 4)
    for row in range(5):
        expected = hashing.leaf_digest(tuple(idc[row].tolist()), balances[row].tolist())
        assert tuple(digests[row].tolist()) == expected


def test_hash_nodes_matches_scalar():
    rng = np.random.default_rng(1)
    left, right = random_elements(rng, (6, 4)), random_elements(rng, (6, 4))
    digests = tree.node_digests(left, right)
    for row in range(6):
        assert tuple(digests[row].tolist()) == hashing.node_digest(tuple(left[row].tolist()), tuple(right[row].tolist()))


def test_domain_separation():
    a, b = (1, 2, 3, 4), (5, 6, 7, 8)
    node = hashing.node_digest(a, b)
    assert node != hashing.leaf_digest(a, list(b))
    assert node != hashing.sponge(hashing.DOMAIN_ID, list(a + b))
    assert hashing.node_digest(a, b) != hashing.node_digest(b, a)


def test_leaf_length_is_bound():
    idc = (1, 2, 3, 4)
    assert hashing.leaf_digest(idc, [5]) != hashing.leaf_digest(idc, [5, 0])


def test_hash_id():
    nonce = bytes(range(32))
    idc = hashing.id_commitment("alice", nonce, 0, 1)
    assert len(idc) == 4 and all(0 <= x < P for x in idc)
    assert idc == hashing.id_commitment("alice", nonce, 0, 1)
    assert idc != hashing.id_commitment("alice", bytes(32), 0, 1)
    assert idc != hashing.id_commitment("alicf", nonce, 0, 1)
    # the length prefix keeps the id/nonce boundary: ("ab", "c...") differs from ("abc", "...")
    assert hashing.id_commitment("ab", b"c" + nonce, 0, 1) != hashing.id_commitment("abc", nonce, 0, 1)
    assert hashing.id_commitment("ü", nonce, 0, 1) != hashing.id_commitment("u", nonce, 0, 1)


def test_hash_id_binds_the_leafs_position_among_the_users_leaves():
    """(k, K) are part of the commitment: the same id and nonce at another position, or of another count, differ,
    and the position-bound hash is separated from the retired one over (id, nonce) alone (domain 3)."""
    nonce = bytes(range(32))
    positions = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3), (2**32 - 2, 2**32 - 1)]
    assert len({hashing.id_commitment("alice", nonce, k, count) for k, count in positions}) == len(positions)
    retired = hashing.sponge(3, hashing.bytes_to_elements(hashing.id_message("alice", nonce, 0, 1)[:-8]))
    assert hashing.DOMAIN_ID != 3 and retired != hashing.id_commitment("alice", nonce, 0, 1)
    for k, count in [(1, 1), (-1, 2), (0, 0), (3, 2), (0, 2**32)]:
        with pytest.raises(ValueError, match="position"):
            hashing.id_commitment("alice", nonce, k, count)


def test_merkle_levels_and_paths():
    rng = np.random.default_rng(3)
    leaves = random_elements(rng, (8, 4))
    levels = tree.tree_levels(leaves)
    assert [lvl.shape for lvl in levels] == [(8, 4), (4, 4), (2, 4), (1, 4)]
    assert tuple(levels[1][2].tolist()) == hashing.node_digest(tuple(leaves[4].tolist()), tuple(leaves[5].tolist()))
    root = tuple(levels[-1][0].tolist())
    for index in range(8):
        siblings = [tuple(levels[k][(index >> k) ^ 1].tolist()) for k in range(3)]
        leaf = tuple(leaves[index].tolist())
        assert hashing.path_root(leaf, index, siblings) == root
        assert hashing.path_root(leaf, index ^ 1, siblings) != root
    with pytest.raises(ValueError):
        hashing.path_root(leaf, 8, siblings)


def test_single_leaf_tree_is_its_own_root():
    leaf = np.array([[1, 2, 3, 4]], dtype=np.uint64)
    levels = tree.tree_levels(leaf)
    assert len(levels) == 1 and hashing.path_root((1, 2, 3, 4), 0, []) == (1, 2, 3, 4)


@pytest.mark.parametrize("n", [0, 3, 6])
def test_merkle_levels_rejects_non_power_of_two(n):
    with pytest.raises(ValueError):
        tree.tree_levels(np.zeros((n, 4), dtype=np.uint64))


def test_hex_round_trip():
    d = (0, 1, P - 1, 0x0123456789ABCDEF)
    s = hashing.digest_to_hex(d)
    assert len(s) == 64 and s == s.lower()
    assert s[:16] == "00" * 8 and s[16:32] == "01" + "00" * 7  # little-endian elements
    assert hashing.digest_from_hex(s) == d
    assert hashing.digest_from_hex(s.upper()) == d


@pytest.mark.parametrize(
    "bad",
    [
        "00" * 31,
        "00" * 33,
        "0" * 63 + "g",
        " " + "0" * 63,
        "0" * 62 + "\n",
        "ff" * 8 + "00" * 24,  # first element 2^64 - 1 >= p
        (P).to_bytes(8, "little").hex() + "00" * 24,  # exactly p
        b"00" * 32,
    ],
)
def test_hex_rejects_malformed(bad):
    with pytest.raises(ValueError):
        hashing.digest_from_hex(bad)


def test_hashes_reject_non_canonical_input():
    with pytest.raises(ValueError):
        hashing.node_digest((P, 0, 0, 0), (0, 0, 0, 0))
    with pytest.raises(ValueError):
        hashing.leaf_digest((0, 0, 0, 0), [P])
    with pytest.raises(ValueError):
        tree.leaf_digests(np.zeros((2, 4), dtype=np.uint64), np.full((2, 1), P, dtype=np.uint64))


def test_every_hash_of_the_project_has_its_own_domain_tag():
    tags = {name: value for name, value in vars(hashing).items() if name.startswith("DOMAIN_")}
    assert len(set(tags.values())) == len(tags) and 3 not in tags.values(), tags
