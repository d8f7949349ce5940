"""The prover's Poseidon2 row sponge and Merkle levels against the verifier's definitions, and a liabilities
round proven with hash=poseidon2 verifying through verify_round."""
import numpy as np
import pytest

from circuits.field import P
from circuits.tree_hash import DOMAIN_COMMIT_LEAF, sponge
from prover.engine import ntt, poseidon2_batch, row_hashing
from prover.engine.commitment import CommittedPolynomials, coset_shift
from prover.engine.coefficient_store import CoefficientArray
from prover.engine.merkle_tree import MerkleTree
from verifier.stark.commitment import POSEIDON2, digest_elements


@pytest.mark.parametrize("width", [1, 3, 7, 8, 9, 16, 17, 100])
@pytest.mark.parametrize("layout", ["rows", "transposed", "strided"])
def test_sponge_kernel_matches_the_reference(width, layout):
    """Widths on and off the rate of 8; contiguous rows, an LDE's transposed view and any other (gathered)."""
    lde = np.random.default_rng(width).integers(0, P, (width, 40), dtype=np.uint64)
    lde[:, 0] = P - 1  # the largest element
    rows = {"rows": np.ascontiguousarray(lde.T), "transposed": lde.T, "strided": lde.T[::3]}[layout]
    out = poseidon2_batch.sponge_rows(DOMAIN_COMMIT_LEAF, rows)
    assert [tuple(map(int, d)) for d in out] == [sponge(DOMAIN_COMMIT_LEAF, r.tolist()) for r in rows]
    leaves = row_hashing.hash_leaves(POSEIDON2, rows)
    assert [bytes(d) for d in leaves] == [POSEIDON2.hash_row(r.tolist()) for r in rows]


def test_sponge_kernel_over_many_threads_and_gathers():
    lde = np.random.default_rng(1).integers(0, P, (3, 2500), dtype=np.uint64)  # more than one gather of rows
    out = poseidon2_batch.sponge_rows(DOMAIN_COMMIT_LEAF, lde.T)
    for i in (0, 1023, 1024, 2047, 2048, 2499):
        assert tuple(map(int, out[i])) == sponge(DOMAIN_COMMIT_LEAF, lde[:, i].tolist())
    with pytest.raises(TypeError):
        poseidon2_batch.sponge_rows(DOMAIN_COMMIT_LEAF, np.zeros((4, 0), dtype=np.uint64))


def test_node_level_matches_hash_children():
    leaves = row_hashing.hash_leaves(POSEIDON2, np.arange(16 * 3, dtype=np.uint64).reshape(16, 3))
    parents = row_hashing.hash_nodes(POSEIDON2, leaves)
    assert [bytes(d) for d in parents] == [POSEIDON2.hash_children(bytes(leaves[2 * i]), bytes(leaves[2 * i + 1]))
                                           for i in range(8)]
    assert all(x < P for d in parents for x in digest_elements(bytes(d)))


def test_a_committed_lde_matches_a_tree_over_its_rows():
    """The commitment's coset-by-coset leaves are the Poseidon2 tree of the LDE's rows (point j: coset j mod
    blowup, position j div blowup)."""
    coeffs = np.random.default_rng(2).integers(0, P, (5, 16), dtype=np.uint64)
    store = CoefficientArray(5, 16)
    store.write(0, coeffs.copy())
    committed = CommittedPolynomials(store, 4, POSEIDON2)
    lde = np.concatenate([ntt.coset_ntt(coeffs, coset_shift(k, 16, 4))[:, :, None] for k in range(4)], axis=2)
    tree = MerkleTree(np.ascontiguousarray(lde.reshape(5, -1).T), scheme=POSEIDON2)
    assert committed.root == tree.root != MerkleTree(np.ascontiguousarray(lde.reshape(5, -1).T)).root
    assert committed.tree.siblings([1, 9]) == tree.siblings([1, 9])


def test_a_liabilities_round_proven_with_poseidon2_verifies(tmp_path):
    import json

    from prover.exchange.round import prove_round
    from verifier.solvency.round import CheckFailed, verify_round

    users = tmp_path / "users.csv"
    users.write_text("id,BTC,ETH\nalice,0.5,1.25\nbob,0.00000001,\ncarol,,3\n")
    result = prove_round(users, "2026-12", tmp_path / "round", "test", tmp_path / "master.secret", progress=False,
                         hash_name="poseidon2")
    public = json.loads((result.out_dir / "public.json").read_text())
    assert public["params"]["hash"] == "poseidon2"
    verified = verify_round(result.out_dir, min_security=0)
    assert verified.params.hash == "poseidon2"
    public["params"]["hash"] = "blake2s"  # the published hash must be the proof's
    (result.out_dir / "public.json").write_text(json.dumps(public))
    with pytest.raises(CheckFailed):
        verify_round(result.out_dir, min_security=0)
    del public["params"]["hash"]  # absent means blake2s
    (result.out_dir / "public.json").write_text(json.dumps(public))
    with pytest.raises(CheckFailed):
        verify_round(result.out_dir, min_security=0)
