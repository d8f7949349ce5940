"""Prove a liabilities round (SPEC §1, §3): users file in, round directory out.

The round is built in a staging directory (`<out>.partial`, see staging.py) and renamed into place only once the
whole round verifies as `por-verify proof` checks it, so no half round and no round with a failing proof is ever
published. A run that stops keeps its finished proofs there, and `resume=True` (`por prove --resume`) finishes it,
for the same inputs and only from the files the run wrote.

A round of more than `shard_leaves` leaves is sharded: its tree's bottom levels are split into S subtrees of
`shard_leaves` leaves, each proven on its own as proofs/shard-XXXX.bin, and public.json lists each shard's root
and totals (see verifier/solvency/round.py, which defines the shard statements). Subtrees and proofs are tasks
(shard_tasks.py) run here one after another (peak memory: one shard) or on Dask workers (distributed.py).

The pipeline serves both policies: a `Book` says what a policy's users are (plain: balances, read here; margin:
slots, read by margin_round.py), and everything from the leaves on is this module's.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from circuits.margin import MarginStatement
from circuits.solvency import MAX_LEAVES, Statement
from circuits.tree_hash import digest_to_hex
from prover.exchange import aggregation
from prover.exchange.aggregation import shard_parts
from prover.exchange.distributed import InProcess, OnDask, dask_client, default_workers
from prover.exchange.id_commitments import commit_user_ids
from prover.exchange.inclusion_store import write_store
from prover.exchange.inputs import read_asset_list, read_users
from prover.exchange.leaf_order import (
    TEST_SEED_VARIABLE,
    leaf_order,
    new_seed,
    padding_commitments,
)
from prover.exchange.master_secret import (
    SecretFileError,
    load_or_create_master_secret,
    piece_nonce,
)
from prover.exchange.pieces import Pieces, split_balances
from prover.exchange.progress import Progress
from prover.exchange.shard_tasks import prove_shard, shard_air, subtree
from prover.exchange.solvency_trace import Witness, exact_totals
from prover.exchange.staging import Staging, file_sha256
from prover.exchange.tree import tree_levels
from prover.exchange.users import UsersFileError, UserTable
from verifier.errors import InputError
from verifier.formats.public import Shard, public_document
from verifier.solvency.aggregated import tree_bits
from verifier.solvency.round import PROOF_FILE, PUBLIC_FILE, proof_files
from verifier.stark.params import ParamsError, StarkParams, load_preset, with_hash
from verifier.stark.protocol import Protocol

STORE_FILE = "inclusion.sqlite"
POLICY = "plain"  # margin rounds: margin_round.py
DEFAULT_SECRET_FILE = "por-master.secret"
MAX_ROUND_NAME = 128
DEFAULT_SHARD_LEAVES = 1 << 16  # about 2.4 GiB of peak memory per shard proof at 22 assets
MIN_SHARD_LEAVES = 1 << 12  # each shard's totals are published: a small shard would reveal a few users' balances


@dataclass(frozen=True)
class RoundResult:
    out_dir: Path
    public: dict
    users: int
    proof_size: int  # bytes, over every proof file
    security_bits: int
    seconds: float
    shards: int = 0  # shard proofs written; 0 for a round proven by one proof.bin
    resumed: int = 0  # proofs kept from an interrupted run


class RoundInterrupted(KeyboardInterrupt):
    """Ctrl-C while proving: the staging directory keeps the finished proofs for --resume."""

    def __init__(self, staging: Path, kept: int, total: int):
        super().__init__(f"interrupted: {staging} keeps {kept} of {total} finished proofs; run the same command "
                         "with --resume to finish the round")
        self.staging = staging


@dataclass(frozen=True)
class UsersSource:
    """How to read the users file: the asset list (`--assets`), its layout (`--format`, None to detect it) and
    whether finer precision than an asset's decimals is floored (recorded in public.json) instead of refused."""

    assets_file: str | os.PathLike | None = None
    file_format: str | None = None
    floor: bool = False

    def fingerprint(self) -> dict:
        """What a resumed run must read the same way (the asset list by its digest)."""
        assets = file_sha256(self.assets_file) if self.assets_file else None
        return {"assets_sha256": assets, "users_format": self.file_format, "floor": self.floor}


@dataclass(frozen=True)
class Book:
    """A policy's users as the round pipeline (`prove_round`) proves them: each user's leaf values (plain:
    balances; margin: slots), the policy the round header binds, the statement of a tree over them, how a user's
    values are split over leaves, and what else the round directory keeps (private files, notes shown)."""

    ids: list[str]
    values: np.ndarray  # (U, W) uint64
    policy: str
    statement: Callable[[int, tuple], Statement | MarginStatement]  # (leaf count, tree root) -> the statement
    shard_leaves: int  # the policy's default shard size
    split: Callable[[np.ndarray, int, bytes], Pieces] = split_balances
    floored: list = ()  # (symbol, amounts floored, dropped sum), for public.json
    fingerprint: dict = field(default_factory=dict)  # policy options a resumed run must share
    private_files: dict = field(default_factory=dict)  # name -> bytes, written 0600 beside the inclusion store
    notes: tuple[str, ...] = ()


def prove_round(users_path: str | os.PathLike, round_name: str, out_dir: str | os.PathLike, preset: str = "standard",
                secret_file: str | os.PathLike | None = None, progress: bool = True,
                shard_leaves: int | None = DEFAULT_SHARD_LEAVES, allow_small_shards: bool = False,
                resume: bool = False, workers: int | str | None = None, scheduler: str | None = None,
                processes: bool = True, source: UsersSource = UsersSource(), min_leaves: int = 0,
                split: int = 1, hash_name: str = "blake2s", aggregate: bool = False, keep_shard_proofs: bool = False,
                read_book: Callable[[Progress, StarkParams], Book] | None = None) -> RoundResult:
    """Read users, commit, prove, verify, and write `out_dir` atomically (public.json, inclusion.sqlite and
    proof.bin, or proofs/shard-XXXX.bin when the padded leaf count exceeds `shard_leaves`, None for the policy's
    default). A sharded round's shards must hold MIN_SHARD_LEAVES leaves or more unless `allow_small_shards`.

    `workers` (a count, or "auto": as many as memory allows) runs the tasks on a LocalCluster (of processes, or
    threads with processes=False); `scheduler` on an existing Dask cluster; neither, here in turn. `source` says
    how to read the users file (asset list, layout, flooring). `min_leaves` pads the tree to at least that many
    leaves, so the published leaf count bounds the user count only as loosely as the exchange chooses; `split`
    divides each user's balances over 1 to `split` leaves (prover/exchange/pieces.py). `hash_name` is the proofs'
    commitment hash and transcript (StarkParams.hash: "poseidon2" for proofs another proof will verify).
    `aggregate`: a sharded round is proven as one proof.bin (prover/exchange/aggregation.py; its shard totals are
    not published, so the small-shard guard does not apply); `keep_shard_proofs` keeps the tree's intermediate
    proofs under layers/ for audit.
    `read_book` reads the users under another policy than the plain one (margin_round.py)."""
    started = time.monotonic()
    out_dir = Path(out_dir)
    _check_round_name(round_name)
    if shard_leaves is not None:
        _check_shard_leaves(shard_leaves)
    if out_dir.exists():
        raise InputError(f"{out_dir} already exists; a round directory is never overwritten")
    try:
        params = with_hash(load_preset(preset), hash_name)
    except ParamsError as error:
        raise InputError(str(error)) from None
    if aggregate and hash_name != "blake2s":
        raise InputError("--aggregate chooses the hashes itself (Poseidon2 below the last layer, BLAKE2s for it)")
    top_params, allow_small_shards = params, allow_small_shards or aggregate
    if not resume:
        Staging.check_absent(out_dir)
    secret_file = Path(secret_file or DEFAULT_SECRET_FILE)

    with Progress(unit="proofs", enabled=progress) as shown:
        book = (read_book or _plain_book(users_path, round_name, source))(shown, params)
        if shard_leaves is None:
            shard_leaves = book.shard_leaves
            _check_shard_leaves(shard_leaves)
        _check_shard_privacy(_leaf_count(len(book.ids), min_leaves), shard_leaves, allow_small_shards)  # at least
        master = _master_secret(secret_file, shown)
        inputs = {"round": round_name, "preset": preset, "shard_leaves": shard_leaves,
                  "users_sha256": file_sha256(users_path), "secret_sha256": hashlib.sha256(master).hexdigest(),
                  "min_leaves": min_leaves, "split": split, **source.fingerprint(), **book.fingerprint,
                  **({"hash": hash_name} if hash_name != "blake2s" else {})}  # older stagings still resume
        staging = Staging.resume(out_dir, inputs) if resume else None
        seed = bytes.fromhex(staging.manifest["seed"]) if staging else _fresh_seed(shown)
        try:
            pieces = book.split(book.values, split, seed)
        except ValueError as error:
            raise InputError(f"--split: {error}") from None
        n = _leaf_count(len(pieces.owner), min_leaves)
        _check_shard_privacy(n, shard_leaves, allow_small_shards)
        shown.stage("committing user ids")
        owners = [book.ids[i] for i in pieces.owner.tolist()]
        nonces = [piece_nonce(master, round_name, user_id, k) for user_id, k in zip(owners, pieces.number.tolist())]
        idc = commit_user_ids(owners, nonces, pieces.number.tolist(), pieces.count.tolist())
        leaves = _shuffled_leaves(pieces.balances, idc, seed, n)
        with _runner(workers, scheduler, processes, shard_leaves, shown) as runner:
            shown.stage("building the tree")
            levels = _tree(runner, leaves, min(n, shard_leaves))
            root = tuple(int(x) for x in levels[-1][0])
            statement = book.statement(n, root)
            if staging is None:
                staging = Staging.create(out_dir, {**inputs, "seed": seed.hex(), "tree_root": digest_to_hex(root)})
            elif staging.manifest.get("tree_root") != digest_to_hex(root):
                raise InputError(f"--resume: the tree differs from the one recorded in {staging.path}; nothing "
                                 "was resumed")
            shards = _shards(leaves, levels, shard_leaves)
            aggregated = aggregate and bool(shards)
            if aggregated and not isinstance(statement, Statement):
                raise InputError("--aggregate: margin rounds do not aggregate yet")
            if aggregated:
                parts, params = shard_parts(statement, shards), with_hash(top_params, "poseidon2")
            else:
                parts = proof_files(statement, shards)
            shown.set_total(len(parts))
            try:
                proofs, security_bits, resumed = _prove_parts(runner, staging, parts, leaves, levels, params, shown)
                keys = None
                if aggregated:
                    top, rows = aggregation.aggregate(runner, staging, parts, proofs, params, top_params, shown)
                    block = aggregation.aggregation_block(top, parts, params, rows)
                    staging.save(PROOF_FILE, top.proof)
                    if not keep_shard_proofs:
                        staging.discard(aggregation.LAYERS_DIR)
                    security_bits = min(tree_bits(block, statement, top_params))
                    keys = {block.configuration(book.policy, statement.leaves, statement.assets, top_params): block.key}
                    proofs, shards, params = [top.proof], (), top_params
                shown.stage("writing")
                public = public_document(statement, book.policy, params.to_json(), security_bits, shards,
                                         book.floored, block if aggregated else None)
                _write_round(staging, public, statement, book.policy, owners, pieces, leaves, nonces, levels)
                for name, data in book.private_files.items():
                    staging.save(name, data, permissions=0o600)
                for note in book.notes:
                    shown.note(note)
                shown.stage("verifying the round before publishing it")
                staging.publish(out_dir, preset, keys)
            except KeyboardInterrupt:
                raise RoundInterrupted(staging.path, sum(staging.has(file) for file, _ in parts), len(parts)) from None
    return RoundResult(out_dir, public, len(book.ids), sum(len(proof) for proof in proofs), security_bits,
                       time.monotonic() - started, len(parts) if len(parts) > 1 else 0, resumed)


def _plain_book(users_path, round_name: str, source: UsersSource) -> Callable[[Progress, StarkParams], Book]:
    """The plain policy's users: balances, totalled exactly."""
    def read(shown: Progress, params: StarkParams) -> Book:
        shown.stage("reading users")
        table = _read_users(users_path, source)
        assets = tuple((a.symbol, a.decimals) for a in table.assets)
        totals = tuple(table.totals())
        return Book(table.ids, table.balances, POLICY,
                    lambda n, root: Statement(round_name, assets, n, root, totals), DEFAULT_SHARD_LEAVES,
                    floored=[(f.symbol, f.amounts, f.dropped) for f in table.floored])
    return read


def _check_shard_leaves(shard_leaves) -> None:
    if type(shard_leaves) is not int or shard_leaves < 2 or shard_leaves & (shard_leaves - 1):
        raise InputError(f"shard leaves {shard_leaves!r} must be a power of two, 2 or more")


@contextmanager
def _runner(workers, scheduler, processes: bool, shard_leaves: int, shown: Progress):
    """Where tasks run: here (neither option), or on Dask."""
    if workers is None and scheduler is None:
        yield InProcess(shown.stage)
        return
    if workers == "auto":
        workers = default_workers(shard_leaves)
    shown.stage(f"starting Dask ({scheduler or f'{workers} local workers'})")
    with dask_client(workers, scheduler, processes) as client:
        yield OnDask(client, shown.stage)


def _tree(runner, leaves: Witness, chunk: int) -> list[np.ndarray]:
    """The tree's levels, leaves first: each chunk's subtree as a task, then the levels above the chunks' roots."""
    n = len(leaves.idc)
    parts = [None] * (n // chunk)
    for i, levels in runner.map(subtree, [(leaves.idc[i * chunk:(i + 1) * chunk],
                                           leaves.balances[i * chunk:(i + 1) * chunk]) for i in range(len(parts))]):
        parts[i] = levels
    below = [np.concatenate([p[level] for p in parts]) for level in range(len(parts[0]))]
    return below + tree_levels(below[-1])[1:]


def _prove_parts(runner, staging: Staging, parts: list[tuple[str, Statement]], leaves: Witness,
                 levels: list[np.ndarray], params, shown: Progress) -> tuple[list[bytes], int, int]:
    """Every part's proof: those the interrupted run kept in staging (each verified when it was made, and unchanged
    since: Staging.resume checked their digests; the whole round is verified again before it is published), the
    others proven (as tasks), verified and saved to staging as each finishes. Returns the proofs in order, the
    security in bits (the same for every part: the round's params) and how many were kept."""
    proofs = {i: staging.read(file) for i, (file, _) in enumerate(parts) if staging.has(file)}
    security_bits = Protocol(shard_air(parts[0][1], params.zk_rows), params).security.conjectured_bits
    resumed = len(proofs)
    shown.advance(resumed)
    missing = [i for i in range(len(parts)) if i not in proofs]
    labels = [f"shard {i + 1}/{len(parts)}: " if len(parts) > 1 else "" for i in missing]
    argsets = []
    for i in missing:
        part = parts[i][1]
        rows = slice(i * part.leaves, (i + 1) * part.leaves)
        subtree_levels = [level[i * len(level) // len(parts):(i + 1) * len(level) // len(parts)]
                          for level in levels[:part.leaves.bit_length()]]
        argsets.append((part, leaves.idc[rows], leaves.balances[rows], subtree_levels, params))
    for k, (proof, _) in runner.map(prove_shard, argsets, labels):
        staging.save(parts[missing[k]][0], proof)
        proofs[missing[k]] = proof
        shown.advance()
    return [proofs[i] for i in range(len(parts))], security_bits, resumed


def _write_round(staging: Staging, public: dict, statement: Statement | MarginStatement, policy: str,
                 owners: list[str], pieces: Pieces, leaves: "_Leaves", nonces: list[bytes],
                 levels: list[np.ndarray]) -> None:
    """public.json and the inclusion store beside the proofs (replacing those of a run stopped while writing)."""
    staging.save(PUBLIC_FILE, (json.dumps(public, indent=2) + "\n").encode())
    staging.write(STORE_FILE, lambda path: write_store(
        path, statement.round, policy, public["root"], list(statement.assets), owners, pieces.number,
        leaves.leaf_of_row, nonces, pieces.balances, levels), permissions=0o600)


def _fresh_seed(shown: Progress) -> bytes:
    seed, for_tests = new_seed()
    if for_tests:
        shown.note(f"{TEST_SEED_VARIABLE} is set: the leaf order and padding are predictable (for tests only)")
    return seed


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


@dataclass
class _Leaves(Witness):
    leaf_of_row: np.ndarray  # the users' leaf (piece) i sits at leaf leaf_of_row[i]


def _shuffled_leaves(balances: np.ndarray, idc: np.ndarray, seed: bytes, n: int) -> _Leaves:
    """The users' leaves plus padding leaves (random idc, zero balances) up to n, in a random order; both drawn
    from `seed` (leaf_order.py)."""
    rows = len(idc)
    leaf_of_row = leaf_order(seed, n)  # row i of [users' leaves; padding] goes to leaf leaf_of_row[i]
    all_idc = np.vstack([idc, padding_commitments(seed, n - rows)])
    all_balances = np.vstack([balances, np.zeros((n - rows, balances.shape[1]), dtype=np.uint64)])
    tree_idc, tree_balances = np.empty_like(all_idc), np.empty_like(all_balances)
    tree_idc[leaf_of_row], tree_balances[leaf_of_row] = all_idc, all_balances
    return _Leaves(tree_idc, tree_balances, leaf_of_row[:rows])



def _leaf_count(users: int, min_leaves: int = 0) -> int:
    """The tree's leaf count: the users, or `min_leaves` if more, padded to a power of two."""
    if type(min_leaves) is not int or min_leaves < 0:
        raise InputError(f"minimum leaf count {min_leaves!r} must be a non-negative integer")
    wanted = max(users, min_leaves, 2)
    n = 1 << (wanted - 1).bit_length()
    if n > MAX_LEAVES:
        raise InputError(f"{wanted} leaves exceed the {MAX_LEAVES} a round can hold")
    return n


def _check_round_name(name: str) -> None:
    if not name or not name.isprintable() or name != name.strip() or len(name) > MAX_ROUND_NAME:
        raise InputError(f"round name {name!r} must be 1-{MAX_ROUND_NAME} printable characters, "
                              "without leading or trailing spaces")


def _read_users(path, source: UsersSource) -> UserTable:
    try:
        assets = read_asset_list(source.assets_file) if source.assets_file else None
        return read_users(path, assets=assets, file_format=source.file_format, floor=source.floor)
    except UsersFileError as error:
        raise InputError(str(error)) from None
    except OSError as error:
        raise InputError(f"{error.filename or path}: {error.strerror or error}") from None
    except ValueError as error:  # a usage the reader refuses (floor on JSON, an unknown format)
        raise InputError(str(error)) from None


def _master_secret(path: Path, shown: Progress) -> bytes:
    created = not path.exists()
    try:
        master = load_or_create_master_secret(path)
    except SecretFileError as error:
        raise InputError(str(error)) from None
    if created:
        shown.note(f"created master secret {path} (mode 0600): keep it private and keep it for later rounds")
    return master
