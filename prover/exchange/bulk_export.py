"""`por inclusion DIR --all --out FOLDER`: every user's inclusion proof, written in one pass over the store.

Layout of FOLDER (built under a temporary sibling and renamed into place, so it is whole or absent):

    index.csv                      user_id,path  (one row per user, RFC 4180 quoting)
    0000/<sha256(user_id)>.json    the first 10,000 users (in the store's order, by user id)
    0001/...                       the next 10,000, and so on

A file's name is the SHA-256 of the user id's UTF-8 bytes in lowercase hex: fixed length, safe on every
filesystem (no separators, no case folding, no reserved names), and collision-free in practice, whatever the
ids contain. Each folder holds at most FILES_PER_FOLDER files. Files are 0600: they carry the users' nonces.
"""
from __future__ import annotations

import csv
import hashlib
import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

from circuits.tree_hash import DIGEST_ELEMENTS, digest_from_hex
from prover.exchange.inclusion_store import StoredRound, read_round
from prover.exchange.round import STORE_FILE
from verifier.errors import InputError
from verifier.formats.atomic import fsync_path
from verifier.formats.inclusion import Entry, inclusion_document, inclusion_json

FILES_PER_FOLDER = 10_000
INDEX_FILE = "index.csv"


def proof_name(user_id: str) -> str:
    """The file name of a user's proof: collision-free and filesystem-safe whatever the id holds."""
    return hashlib.sha256(user_id.encode("utf-8")).hexdigest() + ".json"


def export_all(round_dir: str | os.PathLike, out_folder: str | os.PathLike,
               advance: Callable[[int], None] = lambda n: None, jobs: int | None = None) -> int:
    """Write every user's proof and the index under `out_folder` (a new folder); returns the number of users.
    `jobs` processes (default: one per core) each write whole subfolders; `advance(k)` is called as they finish."""
    out_folder = Path(out_folder)
    if out_folder.exists():
        raise InputError(f"{out_folder} already exists; an export folder is never overwritten")
    stored = read_round(Path(round_dir) / STORE_FILE)
    out_folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_folder.parent, prefix=f"{out_folder.name}.tmp-"))
    try:
        paths = _write_folders(stored, staging, advance, jobs or os.cpu_count() or 1)
        with open(staging / INDEX_FILE, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(("user_id", "path"))
            writer.writerows(zip(stored.user_ids, paths))
        os.sync()  # one flush for every file: fsync per file would cost more than writing them
        os.rename(staging, out_folder)
        fsync_path(out_folder.parent)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return len(stored.user_ids)


_job: tuple | None = None  # (stored round, staging folder, sibling hex table), inherited by forked workers


def _write_folders(stored: StoredRound, folder: Path, advance: Callable[[int], None], jobs: int) -> list[str]:
    """Every subfolder of proofs, on `jobs` forked processes (the work is CPU-bound Python); paths in store order."""
    global _job
    _job = (stored, folder, [_hex_digests(level) for level in stored.levels])
    buckets = range((len(stored.user_ids) + FILES_PER_FOLDER - 1) // FILES_PER_FOLDER)
    paths = []
    try:
        if jobs > 1 and len(buckets) > 1:
            with multiprocessing.get_context("fork").Pool(min(jobs, len(buckets))) as pool:
                _collect(pool.imap(_write_folder, buckets), paths, advance)
        else:
            _collect(map(_write_folder, buckets), paths, advance)
    finally:
        _job = None
    return paths


def _collect(folders, paths: list[str], advance: Callable[[int], None]) -> None:
    for written in folders:
        paths += written
        advance(len(written))


def _write_folder(bucket: int) -> list[str]:
    """Subfolder `bucket`: the proofs of users [bucket * FILES_PER_FOLDER, +FILES_PER_FOLDER).

    The codec (`inclusion_document`, `inclusion_json`) builds each file; only the siblings' hex is taken from a
    table computed once per tree node (digest_to_hex per user and level was most of the time)."""
    stored, folder, node_hex = _job
    root = digest_from_hex(stored.root)
    depth = stored.leaves.bit_length() - 1
    name = f"{bucket:04d}"
    (folder / name).mkdir()
    paths = []
    for k in range(bucket * FILES_PER_FOLDER, min((bucket + 1) * FILES_PER_FOLDER, len(stored.user_ids))):
        leaves = stored.entries[k]
        document = inclusion_document(stored.round, stored.policy, stored.assets, stored.leaves, root,
                                      stored.user_ids[k], [Entry(e.index, e.nonce, tuple(e.balances), ()) for e in leaves])
        for entry, leaf in zip(document["entries"], leaves):
            entry["siblings"] = [node_hex[level][leaf.index >> level ^ 1] for level in range(depth)]
        path = f"{name}/{proof_name(stored.user_ids[k])}"
        _write_new(folder / path, inclusion_json(document).encode("utf-8"))
        paths.append(path)
    return paths


def _hex_digests(level: np.ndarray) -> list[str]:
    """digest_to_hex of every row of an (n, 4) digest array (elements as 8 bytes little-endian), in one pass."""
    text = np.ascontiguousarray(level, dtype="<u8").tobytes().hex()
    width = 16 * DIGEST_ELEMENTS
    return [text[i:i + width] for i in range(0, len(text), width)]


def _write_new(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if os.write(descriptor, data) != len(data):
            raise OSError(f"{path}: short write (disk full?)")
    finally:
        os.close(descriptor)
