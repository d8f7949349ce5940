"""Commitment openings on wires: the leaf sponge equals the commitment's, full paths expanded from a real proof's
batched openings reach its roots natively and in the circuit, and a wrong sibling, index bit or row value fails."""
import pytest
from conftest import native_replay

from circuits.field import P
from prover.recursion.circuit import Circuit
from prover.recursion.merkle_gadget import COMMIT_FRAMING, check_opening, full_paths, row_digest
from verifier.stark.commitment import POSEIDON2, MerkleError, digest_elements


def _trees(protocol, proof):
    """Per committed tree of the child: (root, {position: row}, siblings, depth, position of each query), in the
    order and with the positions of verify.py's _check_openings (no preprocessed columns in this child)."""
    _, indices, _ = native_replay(protocol, proof)
    depth = protocol.lde_size.bit_length() - 1
    roots = [proof.main_root] + ([proof.aux_root] if proof.aux_root is not None else []) + [proof.quotient_root]
    trees = [(root, depth, list(indices)) for root in roots]
    positions = indices
    for size, root in zip(protocol.fri_layers, proof.fri_roots):
        leaves = size >> protocol.params.fri_log_arity
        positions = [j % leaves for j in positions]
        trees.append((root, leaves.bit_length() - 1, positions))
    out = []
    for (root, depth, positions), opening in zip(trees, proof.openings):
        rows = dict(zip(sorted(set(positions)), opening.rows))
        out.append((root, rows, opening.siblings, depth, positions))
    assert len(out) == len(proof.openings) >= 4
    return indices, out


def _wires(circuit, values):
    return [circuit.witness(x) for x in values]


def _path(circuit, siblings):
    return [_wires(circuit, digest_elements(s)) for s in siblings]


def test_row_digest_is_the_commitment_leaf():
    for width in (1, 7, 8, 9, 16, 17):
        row = [(31 * k + width) % P for k in range(width)]
        c = Circuit(framing=COMMIT_FRAMING)
        digest = row_digest(c, _wires(c, row))
        assert [c.values[w.id].a for w in digest] == digest_elements(POSEIDON2.hash_row(row))
        assert sum(op.kind == "poseidon2" for op in c.ops) == -(-width // 8)


def test_full_paths_reach_the_roots_of_every_opened_row(child):
    """Natively for every opened row of every tree, and in the circuit for every query's row in every tree."""
    protocol, proof = child
    indices, trees = _trees(protocol, proof)
    c = Circuit(framing=COMMIT_FRAMING)
    query_bits = [c.bits(c.witness(j)) for j in indices]
    for root, rows, siblings, depth, positions in trees:
        digests = {i: POSEIDON2.hash_row(row) for i, row in rows.items()}
        paths, computed = full_paths(POSEIDON2, digests, siblings, depth)
        assert computed == root and set(paths) == set(rows)
        for i, path in paths.items():
            node = digests[i]
            for h, sibling in enumerate(path):
                node = POSEIDON2.hash_children(*((sibling, node) if i >> h & 1 else (node, sibling)))
            assert node == root and len(path) == depth
        root_wires = _wires(c, digest_elements(root))
        for bits, position in zip(query_bits, positions):  # a FRI layer's position is the index's low bits
            check_opening(c, _wires(c, rows[position]), bits[:depth], _path(c, paths[position]), root_wires)
    assert sum(op.kind == "merkle" for op in c.ops) == len(indices) * sum(t[3] for t in trees)


def test_a_wrong_sibling_index_bit_or_row_value_fails_the_root(child):
    protocol, proof = child
    _, trees = _trees(protocol, proof)
    root, rows, siblings, depth, _ = trees[0]
    position, row = next(iter(rows.items()))
    paths, _ = full_paths(POSEIDON2, {i: POSEIDON2.hash_row(r) for i, r in rows.items()}, siblings, depth)
    path = [digest_elements(s) for s in paths[position]]

    def check(row, bits, path):
        c = Circuit(framing=COMMIT_FRAMING)
        check_opening(c, _wires(c, row), _wires(c, bits), [_wires(c, s) for s in path],
                      _wires(c, digest_elements(root)))

    bits = [position >> h & 1 for h in range(depth)]
    check(row, bits, path)
    bad_sibling = [list(s) for s in path]
    bad_sibling[depth // 2][1] = (bad_sibling[depth // 2][1] + 1) % P
    flipped = list(bits)
    flipped[0] ^= 1
    for args in ([(row[0] + 1) % P] + row[1:], bits, path), (row, flipped, path), (row, bits, bad_sibling):
        with pytest.raises(ValueError, match="assertion fails"):
            check(*args)


def test_paths_need_the_commitment_framing_and_a_bit_per_level():
    c = Circuit()  # the solvency tree's node framing
    leaf = _wires(c, [1, 2, 3, 4])
    with pytest.raises(ValueError, match="COMMIT_FRAMING"):
        check_opening(c, leaf, _wires(c, [0]), [_wires(c, [5, 6, 7, 8])], leaf)
    c = Circuit(framing=COMMIT_FRAMING)
    with pytest.raises(ValueError, match="index bits"):
        check_opening(c, _wires(c, [1]), _wires(c, [0, 1]), [_wires(c, [5, 6, 7, 8])], _wires(c, [0] * 4))


def test_full_paths_refuse_a_batch_that_does_not_fit(child):
    protocol, proof = child
    _, trees = _trees(protocol, proof)
    root, rows, siblings, depth, _ = trees[0]
    digests = {i: POSEIDON2.hash_row(r) for i, r in rows.items()}
    for bad, message in ((siblings[:-1], "too few"), (siblings + siblings[:1], "too many")):
        with pytest.raises(MerkleError, match=message):
            full_paths(POSEIDON2, digests, bad, depth)
    with pytest.raises(MerkleError):
        full_paths(POSEIDON2, {1 << depth: digests[min(digests)]}, siblings, depth)
