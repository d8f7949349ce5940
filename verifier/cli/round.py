"""`por-verify proof`, `por-verify inclusion` and `por-verify page`: anyone's check of a liabilities round, of
one user's place in it, and the offline page on which users check themselves.

Exit codes (verifier.cli.outcomes): 0 valid, 1 invalid (one line saying what failed), 2 malformed input or usage.
"""
import click

from circuits.margin import MarginStatement
from circuits.tree_hash import digest_to_hex
from verifier.cli.outcomes import exit_codes
from verifier.cli.security_options import security_options
from verifier.errors import InputError
from verifier.formats.amounts import format_amount
from verifier.formats.fields import parse_digest
from verifier.formats.margin_public import policy_kinds, slots_as_books
from verifier.formats.strict_json import read_json_file
from verifier.solvency.inclusion import verify_inclusion
from verifier.solvency.round import load_public, verify_round
from verifier.stark.security import Security


@click.command()
@click.argument("round_dir", type=click.Path(file_okay=False))
@click.option("--root", help="The root as published elsewhere (64 hex characters).")
@click.option("--totals", "totals_path", type=click.Path(dir_okay=False),
              help='JSON object of published totals, e.g. {"BTC": "12.5"}; every asset must match exactly.')
@security_options
@click.option("--terms", is_flag=True, help="Show every term of the conjectured and proven security.")
@click.option("--keys", "keys_path", type=click.Path(dir_okay=False),
              help="An aggregated round: a JSON object of verifying keys you recomputed ({configuration: hex}), "
                   "trusted beside the ones this toolkit pins.")
@exit_codes
def proof(round_dir: str, root: str | None, totals_path: str | None, min_security: int,
          allow_no_zero_knowledge: bool, terms: bool, keys_path: str | None) -> None:
    """Check ROUND_DIR/proof.bin (or, for a sharded round, every ROUND_DIR/proofs/shard-XXXX.bin and how the shards
    add up) against ROUND_DIR/public.json."""
    totals = read_json_file(totals_path) if totals_path else None
    keys = _read_keys(keys_path) if keys_path else None
    result = verify_round(round_dir, root, totals, min_security, allow_no_zero_knowledge, keys)
    statement, public = result.statement, result.public
    margin = isinstance(statement, MarginStatement)
    shards = (f"shards     {result.shards} shards of {statement.leaves // result.shards} leaves, one proof each\n"
              if result.shards else "")
    if public.aggregation is not None:
        shards = (f"shards     {result.shards} shards of {statement.leaves // result.shards} leaves, aggregated into "
                  f"this one proof (tree of {len(public.aggregation.rows)} levels; {result.composed_bits:.1f} bits "
                  "composed over its proofs)\n")
    privacy = "zero knowledge" if result.params.zero_knowledge else "NO zero knowledge (allowed by the caller)"
    click.echo(f"round      {statement.round} ({public.policy} policy)\n"
               f"root       {digest_to_hex(public.root)}\n"
               f"leaves     {statement.leaves}\n"
               f"{shards}"
               f"proof      {result.proof_size} bytes (params {result.params.name}), {privacy}\n"
               f"{_security_lines(result.security, terms)}"
               + ("totals (equity, debt, collateral)" if margin else "totals"))
    width = max(len(symbol) for symbol, _ in statement.assets)
    for j, (symbol, decimals) in enumerate(statement.assets):
        amounts = ([statement.equity[j], statement.debt[j], sum(statement.collateral[j])] if margin
                   else [statement.totals[j]])
        click.echo(f"  {symbol.ljust(width)}  " + "  ".join(format_amount(a, decimals) for a in amounts))
    pinned = [what for what, given in (("root", root), ("totals", totals_path)) if given]
    click.echo("VALID: the proof proves these totals and this root"
               + (f" (matching the published {' and '.join(pinned)})" if pinned else ""))


def _read_keys(path: str) -> dict[str, bytes]:
    data = read_json_file(path)
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) and len(v) == 64
                                             for k, v in data.items()):
        raise InputError(f"{path}: expected a JSON object of configuration -> 64 hex digits")
    try:
        return {k: bytes.fromhex(v) for k, v in data.items()}
    except ValueError:
        raise InputError(f"{path}: a key is not hex") from None


def _security_lines(security: Security, every_term: bool) -> str:
    """Both figures, each with its weakest term (or every term): a proof is only as strong as its weakest."""
    lines = []
    for kind, figure, bits in (("conjectured", security.conjectured, security.conjectured_bits),
                               ("proven", security.proven, security.proven_bits)):
        weakest = min(figure, key=figure.get)
        label = "security" if kind == "conjectured" else ""
        note = " (Johnson bound, ethSTARK Thm 2)" if kind == "proven" else " (ethSTARK conjecture)"
        lines.append(f"{label:<11}{bits} bits {kind}{note}, weakest term: {weakest}")
        if every_term:
            lines += [f"{'':<13}{name:<28}{value:6.1f}" for name, value in sorted(figure.items(), key=lambda t: t[1])]
            if security.logup_combined is not None:
                lines.append(f"{'':<13}{'LogUp terms summed':<28}{security.logup_combined:6.1f}")
            if kind == "proven":
                lines.append(f"{'':<13}{'FRI and ALI terms summed':<28}{security.proven_combined:6.1f}")
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("inclusion_path", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--root", help="The round's published root (64 hex characters).")
@click.option("--public", "public_path", type=click.Path(dir_okay=False), metavar="public.json",
              help="The round's public.json (its root, round, assets and leaf count are compared too).")
@exit_codes
def inclusion(inclusion_path: str, root: str | None, public_path: str | None) -> None:
    """Check that the inclusion proof in FILE leads to the round's published root (give --root or --public)."""
    if bool(root) == bool(public_path):
        raise InputError("give the published root (--root HEX) or the round's public.json (--public), exactly one: "
                         "a proof checked only against the root written in it proves nothing")
    public = load_public(public_path) if public_path else None
    published = public.root if public else parse_digest(root.strip(), "--root")
    result = verify_inclusion(read_json_file(inclusion_path), published, public, inclusion_path)
    kinds = policy_kinds(result.policy)
    if kinds is not None:
        books = slots_as_books(result.balances, result.assets, kinds)
        balances = "; ".join(f"{symbol} equity {b['equity']} debt {b['debt']} collateral "
                             + " ".join(f"{kind} {amount}" for kind, amount in b["collateral"].items())
                             for symbol, b in books.items())
    else:
        balances = ", ".join(f"{symbol} {format_amount(amount, decimals)}"
                             for (symbol, decimals), amount in zip(result.assets, result.balances) if amount)
    leaves = ", ".join(str(e.index) for e in result.entries)
    click.echo(f"VALID: user {result.user_id!r} is in round {result.round!r} "
               f"(leaf {leaves} of {result.leaves}) with balances: {balances or 'none'}")


@click.command()
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), metavar="verify.html",
              help="Where to write the page.")
@exit_codes
def page(out_path: str) -> None:
    """Write the self-contained, offline HTML page on which a user checks their inclusion proof in the browser."""
    from verifier.page import write_page

    write_page(out_path)
    click.echo(f"written    {out_path} (open it from disk; it makes no network request)")
