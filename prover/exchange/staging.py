"""The staging directory of a round being proven: `<out>.partial`, beside the round directory it becomes.

It holds `manifest.json` (what the run was started with: round, preset, shard size, the SHA-256 of the users file
and of the master secret, the seed of the leaf order and padding, and `files`: the SHA-256 of every file the run
wrote) and every shard proof as soon as it is proven. A run that stops (killed, Ctrl-C, a crash) leaves it;
`--resume` reuses it only for the same inputs and only if it holds nothing but the files the run wrote, unchanged
(anything else is refused, naming the file, and the directory is left as it is for inspection; a changed file is
refused, not proven again: it means someone wrote into a private directory, which the exchange should look at).
A file's digest is recorded before the file is renamed into place, so a kill between the two leaves a recorded
file that is missing (proven again), never an unrecorded one. The round directory appears by one rename once
everything is written, `verify_round` (what `por-verify proof` runs) has accepted it, and the directory still
holds only the run's files. It is private (0700): the seed places users in the tree, as the inclusion store does.

The manifest guards against stray and damaged files, not against someone who can also rewrite it: the check
before publishing is what keeps a failing round from ever being published.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Callable

from verifier.errors import CheckFailed, InputError
from verifier.formats.atomic import atomic_output, fsync_path
from verifier.solvency.round import verify_round
from verifier.stark.verify import MIN_SECURITY

MANIFEST = "manifest.json"
STAGING_FORMAT = "por-staging/2"  # /1 recorded no file digests: its directories are refused, not trusted
_CHECKED = (("round", "round name"), ("preset", "preset"), ("shard_leaves", "shard size"),
            ("users_sha256", "users file"), ("secret_sha256", "master secret"))
_UNFINISHED = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")  # a temporary file of a write a kill cut short (mkstemp)


def staging_path(out_dir: Path) -> Path:
    return out_dir.with_name(out_dir.name + ".partial")


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def security_floor(preset: str) -> int:
    """The conjectured security a round of this preset must reach to be published: SPEC's 100 bits, except the
    `test` preset, plainly labelled insecure, whose rounds are checked for validity only."""
    return 0 if preset == "test" else MIN_SECURITY


class Staging:
    def __init__(self, path: Path, manifest: dict):
        self.path, self.manifest = path, manifest

    @classmethod
    def check_absent(cls, out_dir: Path) -> None:
        """A fresh run must not silently mix with an interrupted one."""
        path = staging_path(out_dir)
        if path.exists():
            raise InputError(f"{path} holds an interrupted run of this round: finish it with --resume "
                             "(same users file, secret, round, preset and shard size), or remove it to start over")

    @classmethod
    def create(cls, out_dir: Path, manifest: dict) -> "Staging":
        cls.check_absent(out_dir)
        path = staging_path(out_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700)
        staging = cls(path, {"format": STAGING_FORMAT, **manifest, "files": {}})
        staging._write_manifest()
        fsync_path(path.parent)
        return staging

    @classmethod
    def resume(cls, out_dir: Path, expected: dict) -> "Staging":
        """The interrupted run's staging directory, refused (exit 2) unless it was started with `expected` (every
        key: the policy and its options too) and holds only files it wrote, unchanged."""
        path = staging_path(out_dir)
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"--resume: {path} holds no interrupted run of {out_dir.name} to resume") from None
        except (OSError, ValueError) as error:
            raise InputError(f"--resume: {path / MANIFEST}: unreadable: {error}") from None
        if (not isinstance(manifest, dict) or manifest.get("format") != STAGING_FORMAT
                or not isinstance(manifest.get("files"), dict)):
            raise InputError(f"--resume: {path / MANIFEST} is not a {STAGING_FORMAT} manifest; remove {path} to "
                             "start over")
        named = dict(_CHECKED)
        for key in [key for key, _ in _CHECKED] + sorted(set(expected) - set(named)):
            if manifest.get(key) != expected[key]:
                raise InputError(f"--resume: the {named.get(key, key.replace('_', ' '))} differs from the "
                                 f"interrupted run's ({manifest.get(key)!r}, now {expected[key]!r}); nothing was "
                                 "resumed")
        staging = cls(path, manifest)
        staging.check_contents("--resume: ")
        return staging

    def check_contents(self, context: str = "") -> None:
        """Refuse (exit 2) anything in the directory but the manifest and the files it records with their digest,
        naming the first such entry; then drop the temporary files of writes a kill cut short."""
        recorded: dict = self.manifest["files"]
        folders = {parent.as_posix() for name in recorded for parent in Path(name).parents} - {"."}
        unfinished = []
        for entry in sorted(self._entries()):
            name = entry.relative_to(self.path).as_posix()
            if name in folders and entry.is_dir() and not entry.is_symlink():
                continue
            if _UNFINISHED.fullmatch(entry.name) and entry.is_file() and not entry.is_symlink():
                unfinished.append(entry)
                continue
            if name == MANIFEST:
                continue
            kept = (f"nothing was published and {self.path} is left as it is (remove that entry to go on without "
                    "it, or the directory to start over)")
            if name not in recorded or entry.is_symlink() or not entry.is_file():
                raise InputError(f"{context}{entry}: not a file this run wrote (not in {self.path / MANIFEST}); "
                                 f"{kept}")
            actual = file_sha256(entry)
            if actual != recorded[name]:
                raise InputError(f"{context}{entry}: changed since this run wrote it (SHA-256 {actual}, recorded "
                                 f"{recorded[name]}); {kept}")
        for entry in unfinished:
            entry.unlink()

    def _entries(self):
        for folder, directories, files in os.walk(self.path):
            for name in directories + files:
                yield Path(folder) / name

    def has(self, file: str) -> bool:
        return (self.path / file).is_file()

    def read(self, file: str) -> bytes:
        return (self.path / file).read_bytes()

    def save(self, file: str, data: bytes, permissions: int = 0o644) -> None:
        """A finished file, durably: a kill after this keeps it."""
        def write(path: Path) -> None:
            path.write_bytes(data)
        self.write(file, write, permissions)

    def write(self, file: str, writer: Callable[[Path], None], permissions: int = 0o644) -> None:
        """`writer(path)` writes the file under a temporary name; its digest is recorded in the manifest, then it
        is renamed into place."""
        target = self.path / file
        # at the top (the same file system), so that a folder such as proofs/ appears only once a file in it is
        # recorded
        descriptor, temporary = tempfile.mkstemp(dir=self.path, prefix=f".{target.name}.", suffix=".tmp")
        os.close(descriptor)
        try:
            writer(Path(temporary))
            os.chmod(temporary, permissions)
            fsync_path(temporary)
            self.manifest["files"][file] = file_sha256(temporary)
            self._write_manifest()
            target.parent.mkdir(exist_ok=True)
            os.replace(temporary, target)
            fsync_path(target.parent)
        finally:
            Path(temporary).unlink(missing_ok=True)

    def discard(self, folder: str) -> None:
        """Delete a folder of recorded files (intermediate proofs that are not published) and their records."""
        for name in [n for n in self.manifest["files"] if n.startswith(folder + "/")]:
            (self.path / name).unlink(missing_ok=True)
            del self.manifest["files"][name]
        self._write_manifest()
        if (self.path / folder).is_dir():
            (self.path / folder).rmdir()

    def _write_manifest(self) -> None:
        with atomic_output(self.path / MANIFEST) as stream:
            stream.write(json.dumps(self.manifest, indent=2) + "\n")

    def publish(self, out_dir: Path, preset: str, keys: dict[str, bytes] | None = None) -> None:
        """Rename the staging directory into the round directory, once it holds only the run's files and the round
        they make verifies as `por-verify proof` checks it (at the preset's security floor); a round that fails is
        never published (exit 1), and the directory is kept for inspection. `keys`: the verifying key of an
        aggregated round's configuration, as the prover computed it from its own circuits."""
        if out_dir.exists():  # rename() would silently replace an empty directory
            raise InputError(f"{out_dir} appeared while proving; not overwriting it")
        self.check_contents()
        try:
            verify_round(self.path, min_security=security_floor(preset), keys=keys)
        except (CheckFailed, InputError) as error:
            raise CheckFailed(f"the round does not verify, so it was not published ({self.path} is kept for "
                              f"inspection): {error}") from None
        (self.path / MANIFEST).unlink()
        fsync_path(self.path)
        os.rename(self.path, out_dir)
        fsync_path(out_dir.parent)
