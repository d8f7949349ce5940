"""The one exception for malformed reserves or liabilities input (exit code 2, never a traceback)."""


class ReservesInputError(ValueError):
    """Input that cannot be read at all; the message names the file, line and field."""

    def __init__(self, path: str, message: str, line: int | None = None):
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
