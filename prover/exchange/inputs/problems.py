"""The one error a users or asset file raises, and the internal signal a reader turns into it.

Readers raise `Problem` for what is wrong with one line or record; the reader that knows where it is adds the
file and line, so every refusal reads `FILE:LINE: ...` and no reader formats locations on its own.
"""
from verifier.errors import InputError


class UsersFileError(InputError):
    """A users or asset file that cannot become a table; the message starts with 'FILE:LINE:'."""


class Problem(Exception):
    """What is wrong with one line or record; the reader adds the file and line."""


def at(name: str, line: int, problem: object) -> UsersFileError:
    return UsersFileError(f"{name}:{line}: {problem}")
