"""Recompute and pin the verifying key of an aggregated round's configuration:

    python -m prover.exchange.pin_keys --assets 22 --shards 16 --shard-leaves 65536 --preset standard [--write]

The key is a function of the configuration alone (the circuits read no proven value to decide their wiring), so
anyone recomputes it by proving an aggregated round of random users of the same shape; it prints
{configuration: key} (what `por-verify proof --keys FILE` takes), and --write adds it to
params/recursion/keys.json, the keys this toolkit pins. Costs as much as proving such a round.
"""
from __future__ import annotations

import json
import random
import tempfile
from importlib import resources
from pathlib import Path

import click

from prover.exchange.round import prove_round
from verifier.formats.aggregation import KEYS_FORMAT, pinned_keys
from verifier.formats.atomic import atomic_output
from verifier.formats.public import parse_public


def configuration_key(assets: int, shards: int, shard_leaves: int, preset: str) -> tuple[str, str]:
    """(configuration, key hex) of an aggregated round of `shards` shards of `shard_leaves` leaves."""
    rng = random.Random(0)
    users = shards * shard_leaves - shards  # padded up to exactly shards * shard_leaves leaves
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        header = ",".join(f"A{j}:8" for j in range(assets))
        rows = [f"u{i}," + ",".join(str(rng.randrange(10 ** 6)) for _ in range(assets)) for i in range(users)]
        (work / "users.csv").write_text(f"id,{header}\n" + "\n".join(rows) + "\n")
        result = prove_round(work / "users.csv", "pin", work / "round", preset, work / "secret",
                             shard_leaves=shard_leaves, aggregate=True, progress=False,
                             min_leaves=shards * shard_leaves)
    public = parse_public(result.public)
    s = public.statement
    return public.aggregation.configuration(public.policy, s.leaves, s.assets, public.params), \
        public.aggregation.key.hex()


@click.command()
@click.option("--assets", type=click.IntRange(1), required=True)
@click.option("--shards", type=click.IntRange(2), required=True)
@click.option("--shard-leaves", type=click.IntRange(2), required=True)
@click.option("--preset", default="standard", show_default=True)
@click.option("--write", is_flag=True, help="Add the key to params/recursion/keys.json.")
def main(assets: int, shards: int, shard_leaves: int, preset: str, write: bool) -> None:
    configuration, key = configuration_key(assets, shards, shard_leaves, preset)
    click.echo(json.dumps({configuration: key}, indent=2))
    if write:
        path = Path(str(resources.files("params").joinpath("recursion", "keys.json")))
        keys = {k: v.hex() for k, v in pinned_keys().items()}
        keys[configuration] = key
        with atomic_output(path, permissions=0o644) as stream:
            stream.write(json.dumps({"format": KEYS_FORMAT, "keys": dict(sorted(keys.items()))}, indent=2) + "\n")


if __name__ == "__main__":
    main()
