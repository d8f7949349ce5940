"""The private inclusion store of a round (`inclusion.sqlite`): everything needed to re-issue any user's
inclusion proof, and nothing the exchange could not recompute from its books and master secret.

Tables: `round` (key/value: round name, policy, published root, leaf count), `assets` (leaf order, symbol,
decimals), `users` (one row per leaf of a user: user id, piece number k (the position among the user's K rows
that the leaf's id commitment binds; proofs list entries in this order), leaf index, nonce hex, balances as a JSON
list of base-unit integer strings in asset order) and `tree`:
every level below the root as blobs of CHUNK consecutive digests (4 x u64 little-endian each). Chunked blobs
write 2^20 leaves in a few hundred rows yet let a path read one small blob per level.
"""
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from circuits.tree_hash import DIGEST_ELEMENTS, Digest
from verifier.errors import InputError

CHUNK = 1024  # digests per tree blob: 32 KiB
_DIGEST_BYTES = 8 * DIGEST_ELEMENTS

_SCHEMA = """
CREATE TABLE round (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE assets (position INTEGER PRIMARY KEY, symbol TEXT NOT NULL UNIQUE, decimals INTEGER NOT NULL);
CREATE TABLE users (user_id TEXT NOT NULL, piece INTEGER NOT NULL, leaf INTEGER NOT NULL UNIQUE,
                    nonce TEXT NOT NULL, balances TEXT NOT NULL, PRIMARY KEY (user_id, piece)) WITHOUT ROWID;
CREATE TABLE tree (level INTEGER NOT NULL, chunk INTEGER NOT NULL, digests BLOB NOT NULL,
                   PRIMARY KEY (level, chunk));
"""


class StoreError(InputError):
    """A missing or unreadable store, or a user it does not hold."""


class UserNotInRound(StoreError):
    """A user id the store does not hold."""


@dataclass(frozen=True)
class StoredLeaf:
    """One leaf of a user: where it is, its nonce and balances (base units, asset order)."""

    index: int
    nonce: bytes
    balances: list[int]


@dataclass(frozen=True)
class UserRecord:
    round: str
    policy: str
    root: str
    leaves: int
    assets: list[tuple[str, int]]  # (symbol, decimals) in leaf order
    user_id: str
    entries: list[StoredLeaf]  # one per leaf of the user (several when the round split balances), piece order
    siblings: list[list[Digest]]  # each entry's path, from the leaf level up

    @property
    def balances(self) -> list[int]:
        """The user's balances: the sum over their leaves."""
        return [sum(column) for column in zip(*(e.balances for e in self.entries))]


def write_store(path: Path, round_name: str, policy: str, root_hex: str, assets: list[tuple[str, int]],
                user_ids: list[str], pieces: np.ndarray, leaf_of_row: np.ndarray, nonces: list[bytes],
                balances: np.ndarray, levels: list[np.ndarray]) -> None:
    """Create the store at `path` (a new file); row i is the pieces[i]-th leaf of user_ids[i], at leaf
    leaf_of_row[i]. Durability comes from the caller's fsync and rename."""
    connection = sqlite3.connect(path)
    try:
        connection.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
        connection.executemany("INSERT INTO round VALUES (?, ?)",
                               [("round", round_name), ("policy", policy), ("root", root_hex),
                                ("leaves", str(len(levels[0])))])
        connection.executemany("INSERT INTO assets VALUES (?, ?, ?)",
                               [(j, symbol, decimals) for j, (symbol, decimals) in enumerate(assets)])
        rows = list(zip(user_ids, np.asarray(pieces).tolist(), leaf_of_row.tolist(), nonces, balances.tolist()))
        rows.sort(key=lambda r: (r[0], r[1]))  # in key order, the table (WITHOUT ROWID) grows at its end
        connection.executemany(
            "INSERT INTO users VALUES (?, ?, ?, ?, ?)",
            ((user_id, piece, leaf, nonce.hex(), json.dumps([str(b) for b in row]))
             for user_id, piece, leaf, nonce, row in rows),
        )
        connection.executemany(
            "INSERT INTO tree VALUES (?, ?, ?)",
            ((level, start // CHUNK, np.ascontiguousarray(digests[start:start + CHUNK], dtype="<u8").tobytes())
             for level, digests in enumerate(levels[:-1]) for start in range(0, len(digests), CHUNK)),
        )
        connection.commit()
    finally:
        connection.close()


@dataclass(frozen=True)
class StoredRound:
    """A whole store in memory, for exporting every user's proof in one pass (`bulk_export`)."""
    round: str
    policy: str
    root: str
    leaves: int
    assets: list[tuple[str, int]]
    user_ids: list[str]  # in the store's order (by user id)
    entries: list[list[StoredLeaf]]  # each user's leaves, piece order
    levels: list[np.ndarray]  # (n >> level, 4) uint64 digests, leaves first, the root's level excluded


def read_user(path: Path, user_id: str) -> UserRecord:
    """The user's leaf, balances, nonce and Merkle path, read from the store at `path` (opened read-only)."""
    with _opened(path) as connection:
        meta, assets = _header(connection)
        rows = connection.execute("SELECT leaf, nonce, balances FROM users WHERE user_id = ? ORDER BY piece",
                                   (user_id,)).fetchall()
        if not rows:
            raise UserNotInRound(f"user {user_id!r} is not in round {meta['round']!r}")
        entries = [_leaf(*row) for row in rows]
        depth = int(meta["leaves"]).bit_length() - 1
        siblings = [[_sibling(connection, level, e.index >> level ^ 1) for level in range(depth)] for e in entries]
    return UserRecord(meta["round"], meta["policy"], meta["root"], int(meta["leaves"]), assets, user_id, entries,
                      siblings)


def read_round(path: Path) -> StoredRound:
    """Every user and every tree level, read in two sequential scans (not one query per user)."""
    with _opened(path) as connection:
        meta, assets = _header(connection)
        leaves = int(meta["leaves"])
        rows = connection.execute("SELECT user_id, leaf, nonce, balances FROM users ORDER BY user_id, piece").fetchall()
        levels = [bytearray() for _ in range(leaves.bit_length() - 1)]
        for level, _, digests in connection.execute("SELECT level, chunk, digests FROM tree ORDER BY level, chunk"):
            levels[level] += digests
    arrays = [np.frombuffer(bytes(raw), dtype="<u8").reshape(-1, DIGEST_ELEMENTS) for raw in levels]
    if any(len(a) != leaves >> level for level, a in enumerate(arrays)):
        raise StoreError(f"{path}: unreadable inclusion store: a tree level is incomplete")
    user_ids, entries = [], []
    for user_id, *leaf in rows:
        if not user_ids or user_ids[-1] != user_id:
            user_ids.append(user_id)
            entries.append([])
        entries[-1].append(_leaf(*leaf))
    return StoredRound(meta["round"], meta["policy"], meta["root"], leaves, assets, user_ids, entries, arrays)


def user_count(path: Path) -> int:
    with _opened(path) as connection:
        return connection.execute("SELECT count(DISTINCT user_id) FROM users").fetchone()[0]


def _leaf(index: int, nonce: str, balances: str) -> StoredLeaf:
    return StoredLeaf(index, bytes.fromhex(nonce), [int(b) for b in json.loads(balances)])


class _opened:
    """The store opened read-only; sqlite and format errors become StoreError naming the file."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        if not self.path.is_file():
            raise StoreError(f"{self.path}: no inclusion store (is this a round directory written by 'por prove'?)")
        try:
            self.connection = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: cannot open: {error}") from None
        return self.connection

    def __exit__(self, kind, value, traceback) -> None:
        self.connection.close()
        if kind is not None and issubclass(kind, (sqlite3.Error, KeyError, ValueError)) \
                and not issubclass(kind, StoreError):
            raise StoreError(f"{self.path}: unreadable inclusion store: {value}") from None


def _header(connection: sqlite3.Connection) -> tuple[dict, list[tuple[str, int]]]:
    meta = dict(connection.execute("SELECT key, value FROM round"))
    assets = [tuple(a) for a in connection.execute("SELECT symbol, decimals FROM assets ORDER BY position")]
    return meta, assets


def _sibling(connection: sqlite3.Connection, level: int, position: int) -> Digest:
    chunk, offset = divmod(position, CHUNK)
    row = connection.execute("SELECT digests FROM tree WHERE level = ? AND chunk = ?", (level, chunk)).fetchone()
    raw = b"" if row is None else row[0][offset * _DIGEST_BYTES:(offset + 1) * _DIGEST_BYTES]
    if len(raw) != _DIGEST_BYTES:
        raise ValueError(f"tree level {level} has no node {position}")
    return tuple(int.from_bytes(raw[i:i + 8], "little") for i in range(0, _DIGEST_BYTES, 8))
