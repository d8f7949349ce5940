"""The solvency tree's algebraic hashes over Poseidon2 (SPEC §1, §2): leaves, nodes, user ids and the round root.

One sponge over the width-12 permutation: rate 8 (lanes 0..7), capacity 4 (lanes 8..11), overwrite mode.
The capacity starts as [domain tag, message length, 0, 0] and the rate as zeros; each chunk of 8 message
elements (the last one zero-padded) overwrites lanes 0..7, then the state is permuted. The digest is lanes 0..3.
Binding the length in the capacity makes zero padding unambiguous; the tag separates the four hashes.

A user's id commitment also binds the leaf's position `(k, K)` among the user's `K` leaves (`--split`), so an
inclusion proof missing, repeating, reordering or borrowing a leaf cannot reach the root. It is computed by the
exchange outside the STARK (which absorbs `idc` as four opaque elements) and checked by the user.

The published root is not the tree's root but `round_root`: the tree root hashed with the round's header (its
name, policy, leaf count and ordered asset list with decimals), so a bare published root pins everything a user
reads off an inclusion proof. These scalar functions are the reference; `prover.exchange.tree` hashes whole trees.
"""
import re
import struct

from circuits.field import P
from circuits.poseidon2 import WIDTH, permute

RATE = 8
DIGEST_ELEMENTS = 4
DOMAIN_LEAF = 1
DOMAIN_NODE = 2
DOMAIN_ROUND = 4
DOMAIN_ID = 5  # the id hash over (user id, nonce, k, K); 3 was an earlier one without the leaf's position, retired
# The STARK's own Poseidon2 hashes (verifier.stark.commitment, verifier.stark.transcript) and the recursion's round
# digest (circuits.recursion.statement): tags kept here so no two hashes of the project share one.
DOMAIN_COMMIT_LEAF = 6
DOMAIN_COMMIT_NODE = 7
DOMAIN_TRANSCRIPT = 8
DOMAIN_ROUND_ID = 9
BYTES_PER_ELEMENT = 7  # 2^56 < p: any 7 bytes are a canonical field element

Digest = tuple[int, int, int, int]


def initial_state(domain: int, length: int) -> list[int]:
    if length == 0:
        raise ValueError("the sponge does not hash an empty message")
    return [0] * RATE + [domain, length] + [0] * (WIDTH - RATE - 2)


def sponge(domain: int, message: list[int]) -> Digest:
    state = initial_state(domain, len(message))
    for start in range(0, len(message), RATE):
        chunk = list(message[start : start + RATE])
        state = permute(chunk + [0] * (RATE - len(chunk)) + state[RATE:])
    return tuple(state[:DIGEST_ELEMENTS])


def bytes_to_elements(data: bytes) -> list[int]:
    """7-byte little-endian chunks (the last may be shorter): every chunk is a canonical element."""
    return [int.from_bytes(data[i : i + BYTES_PER_ELEMENT], "little") for i in range(0, len(data), BYTES_PER_ELEMENT)]


def _check_digest(d) -> None:
    if len(d) != DIGEST_ELEMENTS or any(not 0 <= x < P for x in d):
        raise ValueError(f"a digest is {DIGEST_ELEMENTS} canonical field elements")


def leaf_digest(idc: Digest, balances: list[int]) -> Digest:
    """H_leaf(idc, b): message idc || balances, ceil((4 + A) / 8) permutations."""
    _check_digest(idc)
    return sponge(DOMAIN_LEAF, list(idc) + list(balances))


def node_digest(left: Digest, right: Digest) -> Digest:
    """H_node(left, right): message left || right, exactly one permutation."""
    _check_digest(left)
    _check_digest(right)
    return sponge(DOMAIN_NODE, list(left) + list(right))


def _length_prefixed(data: bytes) -> bytes:
    if len(data) >= 1 << 32:
        raise ValueError("a string of the round header or user id is too long")
    return struct.pack("<I", len(data)) + data


def id_message(user_id: str, nonce: bytes, position: int, count: int) -> bytes:
    """len(uid) || uid (UTF-8) || len(nonce) || nonce || k || K, lengths, k and K as 4 bytes little-endian: the
    strings are length-prefixed and k, K fixed-width, so no two (id, nonce, k, K) share an encoding."""
    if not 0 <= position < count < 1 << 32:
        raise ValueError(f"a leaf's position {position!r} among {count!r} leaves must satisfy 0 <= k < K < 2^32")
    position_bytes = struct.pack("<II", position, count)
    return _length_prefixed(user_id.encode("utf-8")) + _length_prefixed(bytes(nonce)) + position_bytes


def id_commitment(user_id: str, nonce: bytes, position: int, count: int) -> Digest:
    """H_id: the salted commitment idc of the user's leaf `position` (k, from 0) of `count` (K), over `id_message`."""
    return sponge(DOMAIN_ID, bytes_to_elements(id_message(user_id, nonce, position, count)))


def round_header(round_name: str, policy: str, leaves: int, assets) -> bytes:
    """The round's identity as bytes: name, policy, leaf count and the ordered (symbol, decimals) list."""
    parts = [_length_prefixed(round_name.encode("utf-8")), _length_prefixed(policy.encode("utf-8")),
             struct.pack("<QI", leaves, len(assets))]
    for symbol, decimals in assets:
        parts += [_length_prefixed(symbol.encode("utf-8")), struct.pack("<I", decimals)]
    return b"".join(parts)


def round_root(tree_root: Digest, header: bytes) -> Digest:
    """The published root R = H_round(T || header): binds the tree root to what a user reads it with."""
    _check_digest(tree_root)
    return sponge(DOMAIN_ROUND, list(tree_root) + bytes_to_elements(header))


def path_root(leaf: Digest, index: int, siblings: list[Digest]) -> Digest:
    """The tree root reached from a leaf at `index` through its siblings, listed from the leaf level up."""
    if not 0 <= index < 1 << len(siblings):
        raise ValueError(f"leaf index {index} out of range for a path of {len(siblings)} siblings")
    node = tuple(leaf)
    for sibling in siblings:
        node = node_digest(sibling, node) if index & 1 else node_digest(node, sibling)
        index >>= 1
    return node


def digest_to_hex(d: Digest) -> str:
    """64 lowercase hex chars: each element as 8 bytes little-endian."""
    _check_digest(d)
    return b"".join(x.to_bytes(8, "little") for x in d).hex()


_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


def digest_from_hex(s: str) -> Digest:
    if not isinstance(s, str) or not _HEX_DIGEST.fullmatch(s):
        raise ValueError("a digest is 64 hex characters")
    raw = bytes.fromhex(s)
    d = tuple(int.from_bytes(raw[i : i + 8], "little") for i in range(0, 32, 8))
    if any(x >= P for x in d):
        raise ValueError("digest element is not a canonical field element (>= p)")
    return d
