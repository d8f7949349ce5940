"""Prove a liabilities round (SPEC §1, §3): users file in, round directory out.

The directory is built under a temporary sibling name and renamed into place only once the proof has been
verified, so a crash or an error leaves no half round, and no round is ever published with a proof that fails.

A round of more than `shard_leaves` leaves is sharded: its tree's bottom levels are split into S subtrees of
`shard_leaves` leaves, proven one after another (so peak memory is that of one shard) as proofs/shard-XXXX.bin,
and public.json lists each shard's root and totals (see verifier/solvency/round.py, which defines the shard
statements).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from circuits.solvency import MAX_LEAVES, SolvencyAir, Statement
from circuits.tree_hash import DIGEST_ELEMENTS
from prover.engine.prover import prove, random_field_elements
from prover.exchange.id_commitments import commit_user_ids
from prover.exchange.inclusion_store import write_store
from prover.exchange.master_secret import (
    SecretFileError,
    load_or_create_master_secret,
    user_nonce,
)
from prover.exchange.solvency_trace import Witness, build_main_trace, exact_totals
from prover.exchange.tree import leaf_digests, tree_levels
from prover.exchange.users import UsersFileError, UserTable, read_users
from verifier.errors import InputError
from verifier.formats.atomic import fsync_path
from verifier.formats.public import Shard, public_document
from verifier.solvency.round import PUBLIC_FILE, SHARDS_DIR, proof_files
from verifier.stark.params import ParamsError, load_preset
from verifier.stark.verify import verify

STORE_FILE = "inclusion.sqlite"
POLICY = "plain"  # the margin policy is not built yet
DEFAULT_SECRET_FILE = "por-master.secret"
MAX_ROUND_NAME = 128
DEFAULT_SHARD_LEAVES = 1 << 16  # about 5 GB of peak memory per shard proof at 22 assets
MIN_SHARD_LEAVES = 1 << 12  # each shard's totals are published: a small shard would reveal a few users' balances
_PROVER_STAGES = 6  # progress reports from prover.engine.prover.prove
_SETUP_STAGES = ("reading users", "committing user ids", "building the tree")  # then per proof: 7 + "verifying"


@dataclass(frozen=True)
class RoundResult:
    out_dir: Path
    public: dict
    users: int
    proof_size: int  # bytes, over every proof file
    security_bits: int
    seconds: float
    shards: int = 0  # shard proofs written; 0 for a round proven by one proof.bin


def prove_round(users_path: str | os.PathLike, round_name: str, out_dir: str | os.PathLike, preset: str = "standard",
                secret_file: str | os.PathLike | None = None, progress: bool = True,
                shard_leaves: int = DEFAULT_SHARD_LEAVES, allow_small_shards: bool = False) -> RoundResult:
    """Read users, commit, prove, verify, and write `out_dir` atomically (public.json, inclusion.sqlite and
    proof.bin, or proofs/shard-XXXX.bin when the padded leaf count exceeds `shard_leaves`). A sharded round's
    shards must hold MIN_SHARD_LEAVES leaves or more unless `allow_small_shards`."""
    started = time.monotonic()
    out_dir = Path(out_dir)
    _check_round_name(round_name)
    if type(shard_leaves) is not int or shard_leaves < 2 or shard_leaves & (shard_leaves - 1):
        raise InputError(f"shard leaves {shard_leaves!r} must be a power of two, 2 or more")
    if out_dir.exists():
        raise InputError(f"{out_dir} already exists; a round directory is never overwritten")
    try:
        params = load_preset(preset)
    except ParamsError as error:
        raise InputError(str(error)) from None
    secret_file = Path(secret_file or DEFAULT_SECRET_FILE)

    # disable=None: the bar only draws on a terminal, so logs and pipes get the summary alone.
    with tqdm(total=len(_SETUP_STAGES) + _PROVER_STAGES + 2, disable=None if progress else True, file=sys.stderr,
              bar_format="{desc:<28}{bar}| {n_fmt}/{total_fmt} [{elapsed}]") as bar:
        begun = []

        def stage(name: str) -> None:
            """Mark the previous stage done and show the next one."""
            if begun:
                bar.update()
            begun.append(name)
            bar.set_description_str(name)

        stage("reading users")
        table = _read_users(users_path)
        _check_shard_privacy(_leaf_count(len(table.ids)), shard_leaves, allow_small_shards)
        master = _master_secret(secret_file)
        stage("committing user ids")
        nonces = [user_nonce(master, round_name, user_id) for user_id in table.ids]
        leaves = _shuffled_leaves(table, commit_user_ids(table.ids, nonces))
        stage("building the tree")
        levels = tree_levels(leaf_digests(leaves.idc, leaves.balances))
        root = tuple(int(x) for x in levels[-1][0])
        statement = Statement(round_name, tuple((a.symbol, a.decimals) for a in table.assets), len(levels[0]), root,
                              tuple(table.totals()))
        shards = _shards(leaves, levels, shard_leaves)
        parts = proof_files(statement, shards)
        bar.total = len(_SETUP_STAGES) + len(parts) * (_PROVER_STAGES + 1) + 1
        proofs, security_bits = _prove_parts(parts, leaves, levels, params, stage)
        stage("writing")
        public = public_document(statement, POLICY, params.to_json(), security_bits, shards)
        with _staged_directory(out_dir) as staging:
            _write_bytes(staging / PUBLIC_FILE, (json.dumps(public, indent=2) + "\n").encode(), 0o644)
            if shards:
                (staging / SHARDS_DIR).mkdir()
            for file, proof in proofs:
                _write_bytes(staging / file, proof, 0o644)
            if shards:
                fsync_path(staging / SHARDS_DIR)
            write_store(staging / STORE_FILE, round_name, POLICY, public["root"], list(statement.assets), table.ids,
                        leaves.leaf_of_user, nonces, table.balances, levels)
            fsync_path(staging / STORE_FILE)
        bar.update()
    return RoundResult(out_dir, public, len(table.ids), sum(len(proof) for _, proof in proofs), security_bits,
                       time.monotonic() - started, len(shards))


def _check_shard_privacy(leaves: int, shard_leaves: int, allow_small_shards: bool) -> None:
    """Per-shard totals are published, so a shard of a few leaves publishes a few users' exact balances."""
    if leaves > shard_leaves and shard_leaves < MIN_SHARD_LEAVES and not allow_small_shards:
        raise InputError(f"shards of {shard_leaves} leaves would publish the totals of so few users that they reveal "
                         f"balances; use --shard-leaves {MIN_SHARD_LEAVES} or more (or --allow-small-shards "
                         "for tests)")


def _shards(leaves: Witness, levels: list[np.ndarray], shard_leaves: int) -> list[Shard]:
    """The round's shards, none if its tree fits one proof: shard i is leaves [i*L, (i+1)*L), whose subtree root
    is node i of tree level log2(L), with its exact per-asset totals."""
    n = len(levels[0])
    if n <= shard_leaves:
        return []
    depth = shard_leaves.bit_length() - 1
    return [Shard(tuple(int(x) for x in levels[depth][i]),
                  exact_totals(leaves.balances[i * shard_leaves:(i + 1) * shard_leaves]))
            for i in range(n // shard_leaves)]


def _prove_parts(parts: list[tuple[str, Statement]], leaves: Witness, levels: list[np.ndarray], params,
                 stage) -> tuple[list, int]:
    """Prove each part (the whole round, or each shard's contiguous leaves) in turn and verify it before going on;
    only one part's trace is in memory at a time. Returns [(file, proof bytes)] and the security in bits."""
    proofs, security_bits = [], 0
    for i, (file, part) in enumerate(parts):
        label = f"shard {i + 1}/{len(parts)}: " if len(parts) > 1 else ""
        rows = slice(i * part.leaves, (i + 1) * part.leaves)
        subtree = [level[i * len(level) // len(parts):(i + 1) * len(level) // len(parts)]
                   for level in levels[:part.leaves.bit_length()]]
        air = SolvencyAir(part, params.zk_rows)
        stage(f"{label}main trace")
        trace = build_main_trace(air, Witness(leaves.idc[rows], leaves.balances[rows]), subtree)
        proof = prove(air, trace, params, progress=lambda name: stage(label + name))
        del trace
        stage(f"{label}verifying the proof")
        security_bits = verify(air, proof, params, min_security=0).security_bits  # the same for every part: the round's params
        proofs.append((file, proof))
    return proofs, security_bits


@dataclass
class _Leaves(Witness):
    leaf_of_user: np.ndarray  # user i sits at leaf leaf_of_user[i]


def _shuffled_leaves(table: UserTable, idc: np.ndarray) -> _Leaves:
    """Users plus padding leaves (random idc, zero balances) up to a power of two, in a uniformly random order."""
    users = len(table.ids)
    n = _leaf_count(users)
    order = list(range(n))
    secrets.SystemRandom().shuffle(order)
    leaf_of_row = np.array(order, dtype=np.int64)  # row i of [users; padding] goes to leaf leaf_of_row[i]
    all_idc = np.vstack([idc, random_field_elements((n - users, DIGEST_ELEMENTS))])
    all_balances = np.vstack([table.balances, np.zeros((n - users, len(table.assets)), dtype=np.uint64)])
    tree_idc, tree_balances = np.empty_like(all_idc), np.empty_like(all_balances)
    tree_idc[leaf_of_row], tree_balances[leaf_of_row] = all_idc, all_balances
    return _Leaves(tree_idc, tree_balances, leaf_of_row[:users])


def _leaf_count(users: int) -> int:
    """The tree's leaf count: the users padded to a power of two."""
    n = max(2, 1 << (users - 1).bit_length())
    if n > MAX_LEAVES:
        raise InputError(f"{users} users exceed the {MAX_LEAVES} leaves a round can hold")
    return n


def _check_round_name(name: str) -> None:
    if not name or not name.isprintable() or name != name.strip() or len(name) > MAX_ROUND_NAME:
        raise InputError(f"round name {name!r} must be 1-{MAX_ROUND_NAME} printable characters, "
                              "without leading or trailing spaces")


def _read_users(path) -> UserTable:
    try:
        return read_users(path)
    except UsersFileError as error:
        raise InputError(str(error)) from None
    except OSError as error:
        raise InputError(f"{path}: {error.strerror or error}") from None


def _master_secret(path: Path) -> bytes:
    created = not path.exists()
    try:
        master = load_or_create_master_secret(path)
    except SecretFileError as error:
        raise InputError(str(error)) from None
    if created:
        tqdm.write(f"created master secret {path} (mode 0600): keep it private and keep it for later rounds",
                   file=sys.stderr)
    return master


class _staged_directory:
    """A temporary sibling of `target`, renamed to `target` on success and removed on any failure."""

    def __init__(self, target: Path):
        self.target = target

    def __enter__(self) -> Path:
        parent = self.target.parent
        parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(dir=parent, prefix=f"{self.target.name}.tmp-"))
        return self.path

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is None:
                if self.target.exists():  # rename() would silently replace an empty directory
                    raise InputError(f"{self.target} appeared while proving; not overwriting it")
                fsync_path(self.path)
                os.rename(self.path, self.target)
                fsync_path(self.target.parent)
        finally:
            if self.path.exists():
                shutil.rmtree(self.path, ignore_errors=True)


def _write_bytes(path: Path, data: bytes, mode: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
