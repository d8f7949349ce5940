"""`por generate`: the click command for the exchange's inputs, attached to `por` by prover/cli.py."""
from pathlib import Path

import click

from prover.exchange.generate import DEFAULT_MARKET, generate_users, write_users_csv


@click.command()
@click.option("--users", "n_users", type=click.IntRange(min=1), required=True, help="Number of users.")
@click.option(
    "--assets",
    "n_assets",
    type=click.IntRange(1, len(DEFAULT_MARKET)),
    default=len(DEFAULT_MARKET),
    show_default=True,
    help="Use the first K of the default assets (BTC, ETH, USDT, ...).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same users.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV file to write.")
def generate(n_users: int, n_assets: int, seed: int, out: Path) -> None:
    """Write realistic synthetic users: most hold 1-3 assets, amounts are heavy-tailed."""
    table = generate_users(n_users, n_assets, seed=seed)
    try:
        write_users_csv(table, out)
    except OSError as error:
        raise click.BadParameter(f"cannot write {out}: {error.strerror or error}", param_hint="--out") from None
    click.echo(f"wrote {n_users} users x {n_assets} assets to {out}")
