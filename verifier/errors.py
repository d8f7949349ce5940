"""The two ways a command can fail, kept apart because they mean different things to the person running it.

`InputError` (exit code 2): input that is not what its format says, or a bad usage; the message names the file,
line or field. `CheckFailed` (exit code 1): well-formed input that does not prove what it claims; the message
says which check failed. `verifier.cli.outcomes` maps them to exit codes, for `por` and `por-verify` alike.
"""


class InputError(ValueError):
    """Malformed input or usage (exit 2)."""


class CheckFailed(Exception):
    """Well-formed input that fails a check (exit 1)."""
