"""`por prove`, `por inclusion` and `por demo`: the liabilities round on the exchange's side.

Exit codes: 0 done, 1 a round that does not verify (never published), 2 malformed input or usage (the message
names the file, line or option).
"""
import time
from pathlib import Path

import click

from prover.exchange.bulk_export import INDEX_FILE, export_all
from prover.exchange.demo import run_demo
from prover.exchange.inclusion import export_inclusion
from prover.exchange.inclusion_store import StoreError, user_count
from prover.exchange.inputs import FORMATS
from prover.exchange.margin_round import EXCLUDED_FILE, prove_margin_round
from prover.exchange.pieces import MAX_SPLIT
from prover.exchange.progress import Progress
from prover.exchange.round import (
    DEFAULT_SECRET_FILE,
    DEFAULT_SHARD_LEAVES,
    MIN_SHARD_LEAVES,
    STORE_FILE,
    InputError,
    RoundInterrupted,
    UsersSource,
    prove_round,
)
from verifier.errors import CheckFailed
from verifier.formats.atomic import atomic_output
from verifier.formats.inclusion import inclusion_json
from verifier.stark.params import PRESETS

_PRESET = click.Choice(PRESETS)



def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(2)


@click.command()
@click.argument("users", type=click.Path(dir_okay=False))
@click.option("--round", "round_name", required=True, help="Round name, e.g. 2026-11.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Round directory to create.")
@click.option("--preset", type=_PRESET, default="standard", show_default=True, help="Proof parameters.")
@click.option("--secret-file", type=click.Path(dir_okay=False), default=DEFAULT_SECRET_FILE, show_default=True,
              help="Master secret the nonces derive from (created 0600 if absent).")
@click.option("--shard-leaves", type=int,
              help=f"Leaves per proof (a power of two): a larger tree is split into shards proven one by one "
                   f"[default: {DEFAULT_SHARD_LEAVES}; margin: the largest whose LogUp terms reach 100 bits, "
                   f"8192 at 22 assets and three collateral kinds].")
@click.option("--allow-small-shards", is_flag=True,
              help=f"Allow shards below {MIN_SHARD_LEAVES} leaves (their published totals reveal balances; tests only).")
@click.option("--workers", metavar="N|auto",
              help="Prove shards on a local Dask cluster of N workers (auto: as many as memory allows).")
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="Prove shards on an existing Dask cluster.")
@click.option("--resume", is_flag=True,
              help="Finish an interrupted run from OUT.partial (same users file, secret, round, preset, shard size).")
@click.option("--assets", "assets_file", type=click.Path(dir_okay=False),
              help="Asset list CSV written once and reused monthly: symbol,decimals[,...] (or Binance's "
                   "symbol,usdt_price,... form, at 8 decimals).")
@click.option("--format", "users_format", type=click.Choice(FORMATS),
              help="Users file layout; detected from the content when omitted.")
@click.option("--min-leaves", type=click.IntRange(min=0), default=0, show_default=True,
              help="Pad the tree to at least this many leaves, so the published leaf count bounds the user count "
                   "only as loosely as you choose (each leaf costs proving time as a user does).")
@click.option("--split", type=click.IntRange(1, MAX_SPLIT), default=1, show_default=True, metavar="K",
              help="Divide each user's balances over 1 to K leaves (random count and proportions, exact integers), "
                   "shuffled among all leaves: the leaf count then says less about the user count.")
@click.option("--floor-amounts", is_flag=True,
              help="Truncate digits beyond an asset's decimals instead of refusing them; public.json records what "
                   "was dropped.")
@click.option("--policy", type=click.Choice(["plain", "margin"]), default="plain", show_default=True,
              help="margin: per asset equity, debt and collateral, each user's debt covered by their collateral "
                   "under the asset list's prices and haircut tiers (--assets with a price and <kind>_tiers_ratio "
                   "columns).")
@click.option("--exclude-refused", is_flag=True,
              help=f"Margin policy: prove the users it accepts and list those it refuses in OUT/{EXCLUDED_FILE}, "
                   "instead of refusing the file.")
@click.option("--aggregate", is_flag=True,
              help="Prove a sharded round as ONE proof.bin: Poseidon2 shard proofs verified by a tree of 2-to-1 "
                   "recursive layers (shard totals are then not published). Plain policy.")
@click.option("--keep-shard-proofs", is_flag=True,
              help="With --aggregate: keep the shard and layer proofs under OUT/layers/ for audit (not published).")
@click.option("--pledge-equity", metavar="KIND",
              help="Margin policy, for files that state no collateral (OKX v2): each user's whole equity counts as "
                   "collateral of KIND, so their net value at KIND's haircuts must cover their debt.")
def prove(users: str, round_name: str, out_dir: str, preset: str, secret_file: str, shard_leaves: int | None,
          allow_small_shards: bool, workers: str | None, scheduler: str | None, resume: bool,
          assets_file: str | None, users_format: str | None, min_leaves: int, split: int,
          floor_amounts: bool, policy: str, exclude_refused: bool, aggregate: bool, keep_shard_proofs: bool,
          pledge_equity: str | None) -> None:
    """Prove the liabilities in USERS (CSV, OKX-style JSON, OKX v2 JSON or Binance CSV) and write the round
    directory."""
    if workers is not None and scheduler is not None:
        _fail("give --workers or --scheduler, not both")
    if keep_shard_proofs and not aggregate:
        _fail("--keep-shard-proofs applies with --aggregate only")
    if policy == "margin" and aggregate:
        _fail("--aggregate: margin rounds do not aggregate yet")
    if policy != "margin" and (exclude_refused or pledge_equity):
        _fail(f"{'--exclude-refused' if exclude_refused else '--pledge-equity'} applies to the margin policy only")
    try:
        if policy == "margin":
            result = prove_margin_round(users, round_name, out_dir, preset, secret_file,
                                        source=UsersSource(assets_file, users_format, floor_amounts),
                                        min_leaves=min_leaves, exclude_refused=exclude_refused,
                                        pledge_equity=pledge_equity, shard_leaves=shard_leaves,
                                        allow_small_shards=allow_small_shards, resume=resume,
                                        workers=_worker_count(workers), scheduler=scheduler, split=split)
        else:
            shard_leaves = DEFAULT_SHARD_LEAVES if shard_leaves is None else shard_leaves
            result = prove_round(users, round_name, out_dir, preset, secret_file, shard_leaves=shard_leaves,
                             allow_small_shards=allow_small_shards, resume=resume,
                             workers=_worker_count(workers), scheduler=scheduler,
                             source=UsersSource(assets_file, users_format, floor_amounts), min_leaves=min_leaves,
                             split=split, aggregate=aggregate, keep_shard_proofs=keep_shard_proofs)
    except InputError as error:
        _fail(str(error))
    except CheckFailed as error:
        click.echo(f"failed: {error}", err=True)
        raise SystemExit(1)
    except RoundInterrupted as interrupted:
        click.echo(str(interrupted), err=True)
        raise SystemExit(130)
    except KeyboardInterrupt:
        click.echo("interrupted before any proof was started; nothing was written", err=True)
        raise SystemExit(130)
    public = result.public
    proofs = f"proofs/ ({result.shards} shards of {public['leaves'] // result.shards} leaves)" if result.shards \
        else "proof.bin"
    if "aggregation" in public:
        proofs = (f"proof.bin ({result.shards} shards aggregated; verifying key {public['aggregation']['key']}, "
                  "to pin)")
    click.echo(f"round      {public['round']}\n"
               f"users      {result.users} ({public['leaves']} leaves)\n"
               f"assets     {len(public['assets'])}: {', '.join(a['symbol'] for a in public['assets'])}\n"
               f"root       {public['root']}\n"
               f"proof      {result.proof_size} bytes, {result.security_bits} bits of security ({preset} preset)\n"
               f"time       {result.seconds:.1f} s"
               f"{f' ({result.resumed} proofs kept from the interrupted run)' if result.resumed else ''}\n"
               f"written    {result.out_dir}/ (publish public.json and {proofs}; keep {_private_files(result.out_dir)} "
               "private)")


def _private_files(round_dir: Path) -> str:
    """What the round directory holds that must not be published: the inclusion store (both policies) and, for a
    margin round that left users out, the list of them."""
    return STORE_FILE + (f" and {EXCLUDED_FILE}" if (round_dir / EXCLUDED_FILE).exists() else "")


@click.command()
@click.argument("round_dir", type=click.Path(file_okay=False))
@click.option("--user-id", help="The user whose inclusion proof to export.")
@click.option("--all", "every_user", is_flag=True, help="Export every user's proof into the folder --out.")
@click.option("--out", "out_path", type=click.Path(),
              help="File to write [stdout]; with --all, the folder to create (required).")
def inclusion(round_dir: str, user_id: str | None, every_user: bool, out_path: str | None) -> None:
    """Export one user's inclusion proof (JSON) from ROUND_DIR, or every user's (--all --out FOLDER)."""
    if (user_id is None) == (not every_user):
        _fail("give exactly one of --user-id ID and --all")
    if every_user:
        _export_all(round_dir, out_path)
        return
    try:
        text = inclusion_json(export_inclusion(round_dir, user_id))
    except StoreError as error:
        _fail(str(error))
    if out_path is None:
        click.echo(text, nl=False)
        return
    try:
        with atomic_output(out_path, permissions=0o644) as stream:
            stream.write(text)
    except OSError as error:
        _fail(f"{out_path}: {error.strerror or error}")
    click.echo(f"wrote {out_path}", err=True)


def _worker_count(workers: str | None) -> int | str | None:
    if workers is None or workers == "auto":
        return workers
    if not workers.isdigit() or int(workers) < 1:
        _fail(f"--workers {workers!r}: expected a positive count or 'auto'")
    return int(workers)


def _export_all(round_dir: str, out_folder: str | None) -> None:
    if out_folder is None:
        _fail("--all needs --out FOLDER")
    started = time.monotonic()
    try:
        with Progress(unit="inclusion proofs") as shown:
            shown.set_total(user_count(Path(round_dir) / STORE_FILE))
            shown.stage("exporting inclusion proofs")
            count = export_all(round_dir, out_folder, advance=shown.advance)
    except InputError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"{out_folder}: {error.strerror or error}")
    seconds = time.monotonic() - started
    click.echo(f"wrote {count} inclusion proofs to {out_folder}/ ({INDEX_FILE} maps user ids to files) in "
               f"{seconds:.1f} s, {count / max(seconds, 1e-9):,.0f} per second", err=True)


@click.command()
@click.option("--users", "n_users", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Synthetic users (22 assets).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="New directory [./por-demo-<time>].")
@click.option("--preset", type=_PRESET, default="standard", show_default=True, help="Proof parameters.")
def demo(n_users: int, out_dir: str | None, preset: str) -> None:
    """Run the whole job on synthetic data: users, proof, verification, inclusion proof, reserves report."""
    out = Path(out_dir or f"por-demo-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        result = run_demo(n_users, out, preset, echo=lambda line: click.echo(line, err=True))
    except InputError as error:
        _fail(str(error))
    rows = [("asset", "liabilities", "reserves", "ratio")]
    rows += [(a["symbol"], a["liabilities"] or "-", a["reserves"], a["ratio_percent"] or "-")
             for a in result.report["assets"]]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))))
    click.echo(f"\nliabilities proof  valid, {result.security_bits} bits of security, {result.proof_size} bytes\n"
               f"total time         {sum(seconds for _, seconds in result.timings):.1f} s\n"
               f"round              {result.round_dir}/ (public.json, proof.bin, inclusion.sqlite)\n"
               f"inclusion proof    {result.inclusion_path}\n"
               f"report             {result.report_dir}/ (report.md, report.json, reserve_ratios.png)\n"
               f"check it yourself  por-verify proof {result.round_dir}\n"
               f"                   por-verify inclusion {result.inclusion_path} "
               f"--public {result.round_dir}/public.json")
