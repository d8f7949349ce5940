"""The staging directory of a round being proven: `<out>.partial`, beside the round directory it becomes.

It holds `manifest.json` (what the run was started with: round, preset, shard size, the SHA-256 of the users file
and of the master secret, and the seed of the leaf order and padding) and every shard proof as soon as it is
proven. A run that stops (killed, Ctrl-C, a crash) leaves it; `--resume` reuses it only for the same inputs, and
the round directory appears by one rename once everything is proven and written. It is private (0700): the seed
places users in the tree, as the inclusion store does.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from verifier.errors import InputError
from verifier.formats.atomic import atomic_output, fsync_path

MANIFEST = "manifest.json"
STAGING_FORMAT = "por-staging/1"
_CHECKED = (("round", "round name"), ("preset", "preset"), ("shard_leaves", "shard size"),
            ("users_sha256", "users file"), ("secret_sha256", "master secret"))


def staging_path(out_dir: Path) -> Path:
    return out_dir.with_name(out_dir.name + ".partial")


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
        staging = cls(path, {"format": STAGING_FORMAT, **manifest})
        with atomic_output(path / MANIFEST) as stream:
            stream.write(json.dumps(staging.manifest, indent=2) + "\n")
        fsync_path(path.parent)
        return staging

    @classmethod
    def resume(cls, out_dir: Path, expected: dict) -> "Staging":
        """The interrupted run's staging directory, refused (exit 2) unless it was started with `expected`."""
        path = staging_path(out_dir)
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"--resume: {path} holds no interrupted run of {out_dir.name} to resume") from None
        except (OSError, ValueError) as error:
            raise InputError(f"--resume: {path / MANIFEST}: unreadable: {error}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != STAGING_FORMAT:
            raise InputError(f"--resume: {path / MANIFEST} is not a {STAGING_FORMAT} manifest")
        for key, what in _CHECKED:
            if manifest.get(key) != expected[key]:
                raise InputError(f"--resume: the {what} differs from the interrupted run's "
                                 f"({manifest.get(key)!r}, now {expected[key]!r}); nothing was resumed")
        return cls(path, manifest)

    def has(self, file: str) -> bool:
        return (self.path / file).is_file()

    def read(self, file: str) -> bytes:
        return (self.path / file).read_bytes()

    def save(self, file: str, data: bytes) -> None:
        """A finished proof, durably: a kill after this keeps it."""
        (self.path / file).parent.mkdir(exist_ok=True)
        with atomic_output(self.path / file, mode="wb", permissions=0o644) as stream:
            stream.write(data)

    def discard(self, file: str) -> None:
        (self.path / file).unlink(missing_ok=True)

    def publish(self, out_dir: Path) -> None:
        """Rename the staging directory into the round directory, once it holds the whole round."""
        if out_dir.exists():  # rename() would silently replace an empty directory
            raise InputError(f"{out_dir} appeared while proving; not overwriting it")
        (self.path / MANIFEST).unlink()
        fsync_path(self.path)
        os.rename(self.path, out_dir)
        fsync_path(out_dir.parent)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
