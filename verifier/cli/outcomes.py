"""Exit codes at the command-line boundary, in one place: 0 done or valid, 1 a check failed, 2 bad input/usage."""
import functools

import click

from verifier.errors import CheckFailed, InputError


def _mapped(command, failed: str, catch_all: bool):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as error:
            click.echo(f"error: {error}", err=True)
            raise SystemExit(2) from None
        except CheckFailed as error:
            click.echo(f"{failed}: {error}", err=True)
            raise SystemExit(1) from None
        except Exception as error:
            if not catch_all:
                raise
            click.echo(f"{failed}: could not complete the check: {type(error).__name__}: {error}", err=True)
            raise SystemExit(1) from None
    return wrapper


def exit_codes(command):
    """A verifier command: never a traceback, and never "valid" by accident; an unforeseen exception is INVALID."""
    return _mapped(command, "INVALID", catch_all=True)


def input_errors(command):
    """An exchange-side command: bad input is one line and exit 2; a failed check exit 1; bugs keep their trace."""
    return _mapped(command, "INVALID", catch_all=False)
