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
