"""`por-verify proof` and `por-verify inclusion`: anyone's check of a liabilities round and of one user's place in it.

Exit codes: 0 valid, 1 invalid (one line saying what failed), 2 malformed input or usage. Never a traceback:
every exception is caught here and becomes one line.
"""
import functools

import click

from circuits.tree_hash import digest_to_hex
from verifier.formats.amounts import format_amount
from verifier.formats.strict_json import JsonInputError, read_json_file
from verifier.solvency.round import (
    CheckFailed,
    RoundInputError,
    load_public,
    verify_inclusion,
    verify_round,
)


def register(group: click.Group) -> None:
    group.add_command(proof)
    group.add_command(inclusion)


def _exit_codes(command):
    """Map the verifier's outcomes onto exit codes at the command-line boundary."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            command(*args, **kwargs)
        except (RoundInputError, JsonInputError) as error:
            click.echo(f"error: {error}", err=True)
            raise SystemExit(2) from None
        except CheckFailed as error:
            click.echo(f"INVALID: {error}", err=True)
            raise SystemExit(1) from None
        except Exception as error:  # a bug, or input nobody foresaw: still one line, and never "valid"
            click.echo(f"INVALID: could not complete the check: {type(error).__name__}: {error}", err=True)
            raise SystemExit(1) from None
    return wrapper


@click.command()
@click.argument("round_dir", type=click.Path(file_okay=False))
@click.option("--root", help="The root as published elsewhere (64 hex characters).")
@click.option("--totals", "totals_path", type=click.Path(dir_okay=False),
              help='JSON object of published totals, e.g. {"BTC": "12.5"}; every asset must match exactly.')
@click.option("--min-security", type=click.IntRange(0, 256), default=100, show_default=True,
              help="Reject proofs below this many bits of conjectured security.")
@_exit_codes
def proof(round_dir: str, root: str | None, totals_path: str | None, min_security: int) -> None:
    """Check ROUND_DIR/proof.bin (or, for a sharded round, every ROUND_DIR/proofs/shard-XXXX.bin and how the shards
    add up) against ROUND_DIR/public.json."""
    totals = read_json_file(totals_path) if totals_path else None
    result = verify_round(round_dir, root, totals, min_security)
    statement = result.statement
    shards = (f"shards     {result.shards} shards of {statement.leaves // result.shards} leaves, one proof each\n"
              if result.shards else "")
    click.echo(f"round      {statement.round}\n"
               f"root       {digest_to_hex(statement.root)}\n"
               f"leaves     {statement.leaves}\n"
               f"{shards}"
               f"proof      {result.proof_size} bytes, {result.security_bits} bits of security "
               f"(params {result.params.name})\n"
               "totals")
    width = max(len(symbol) for symbol, _ in statement.assets)
    for (symbol, decimals), total in zip(statement.assets, statement.totals):
        click.echo(f"  {symbol.ljust(width)}  {format_amount(total, decimals)}")
    pinned = [what for what, given in (("root", root), ("totals", totals_path)) if given]
    click.echo("VALID: the proof proves these totals and this root"
               + (f" (matching the published {' and '.join(pinned)})" if pinned else ""))


@click.command()
@click.argument("inclusion_path", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--root", help="The round's published root (64 hex characters).")
@click.option("--public", "public_path", type=click.Path(dir_okay=False), metavar="public.json",
              help="The round's public.json (root, assets and decimals come from it).")
@_exit_codes
def inclusion(inclusion_path: str, root: str | None, public_path: str | None) -> None:
    """Check that the inclusion proof in FILE leads to the round's root."""
    if root and public_path:
        raise RoundInputError("give --root or --public, not both")
    public = load_public(public_path)[0] if public_path else None
    result = verify_inclusion(read_json_file(inclusion_path), root, public, inclusion_path)
    balances = ", ".join(f"{symbol} {amount}" for symbol, amount in result.balances.items() if amount != "0")
    click.echo(f"VALID: user {result.user_id!r} is in round {result.round!r} at leaf {result.index} "
               f"with balances: {balances or 'none'}")
    if not root and not public_path:
        click.echo("note: checked against the root written in the file only; pass --root or --public to compare "
                   "it with the exchange's published root", err=True)
