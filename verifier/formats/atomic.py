"""Writing files so that a crash leaves either the old file or the whole new one, never half of one."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


def fsync_path(path: str | os.PathLike) -> None:
    """Flush a file or a directory (its entries) to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def atomic_output(path: str | os.PathLike, mode: str = "w", permissions: int = 0o600, newline: str | None = None):
    """A stream to a temporary file beside `path`, moved over it (durably) when the block ends without error."""
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(descriptor, permissions)
        with os.fdopen(descriptor, mode, newline=newline, **({} if "b" in mode else {"encoding": "utf-8"})) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
        fsync_path(path.parent)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_files(out_dir: str | os.PathLike, writers: list) -> None:
    """Each (name, write) writes its file under a temporary name (`write(path)`), flushed to disk; all are renamed
    only once every one has been written, so a failure leaves the previous set of files or the new one, never a
    mix, and a crash leaves no half-written file."""
    os.makedirs(out_dir, exist_ok=True)
    staged = []
    try:
        for name, write in writers:
            descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            os.close(descriptor)
            staged.append((temporary, os.path.join(out_dir, name)))
            write(temporary)
            os.chmod(temporary, 0o644)
            fsync_path(temporary)
        for temporary, final in staged:
            os.replace(temporary, final)
        fsync_path(out_dir)
    finally:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
