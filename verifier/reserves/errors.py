"""Malformed reserves input (exit code 2, never a traceback): the bad-input error, located by file and line."""
from verifier.errors import InputError


class ReservesInputError(InputError):
    """Input that cannot be read at all; the message names the file, line and field."""

    def __init__(self, path: str, message: str, line: int | None = None):
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
