"""Exit codes at the command-line boundary, in one place: 0 done or valid, 1 a check failed, 2 bad input/usage."""
import functools

import click

from verifier.errors import CheckFailed, InputError


def _fail(prefix: str, error: Exception, code: int):
    click.echo(f"{prefix}: {error}", err=True)
    raise SystemExit(code) from None


def exit_codes(command):
    """A verifier command: never a traceback, and never "valid" by accident; an unforeseen exception is INVALID."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as error:
            _fail("error", error, 2)
        except CheckFailed as error:
            _fail("INVALID", error, 1)
        except Exception as error:  # a bug, or input nobody foresaw: still one line
            _fail("INVALID", f"could not complete the check: {type(error).__name__}: {error}", 1)
    return wrapper


def input_errors(command):
    """An exchange-side command: bad input is one line and exit 2; a failed check exit 1; bugs keep their trace."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as error:
            _fail("error", error, 2)
        except CheckFailed as error:
            _fail("failed", error, 1)
    return wrapper
