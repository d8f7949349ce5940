"""`por research`: proof size, time and security across users, assets and STARK parameters (docs/research/).

Exit codes: 0 written, 2 bad options.
"""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from circuits.solvency import MAX_LEAVES
from prover.research import points, sweep
from prover.research.measure import MAX_ASSETS
from verifier.stark.params import (
    _LIMITS as PARAM_LIMITS,  # the ranges StarkParams accepts
)

MAX_RESEARCH_ASSETS = 1024



def _int_list(lo: int, hi: int, power_of_two: bool = False):
    """A click callback: comma-separated integers (2^k allowed) within [lo, hi]."""

    def parse(ctx, param, value):
        if value is None:
            return None
        out = []
        for item in value.split(","):
            text = item.strip()
            try:
                n = 2 ** int(text[2:]) if text.startswith("2^") else int(text)
            except ValueError:
                raise click.BadParameter(f"{text!r} is not an integer (or 2^k)") from None
            if not lo <= n <= hi:
                raise click.BadParameter(f"{n} is outside [{lo}, {hi}]")
            if power_of_two and n & (n - 1):
                raise click.BadParameter(f"{n} is not a power of two")
            out.append(n)
        if not out:
            raise click.BadParameter("give at least one value")
        return tuple(sorted(set(out)))

    return parse


@click.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for research.csv, research.md and the PNG plots.")
@click.option("--users", callback=_int_list(2, MAX_LEAVES), default=",".join(map(str, sweep.DEFAULT_USERS)),
              show_default=True, help="Round sizes, comma-separated (2^k accepted).")
@click.option("--assets", callback=_int_list(1, MAX_RESEARCH_ASSETS), show_default=True,
              default=",".join(map(str, sweep.DEFAULT_ASSETS)), help="Asset counts, comma-separated.")
@click.option("--target-bits", type=click.IntRange(1, 128), default=100, show_default=True,
              help="Conjectured security every parameter point must reach (its queries are chosen for it).")
@click.option("--log-blowups", callback=_int_list(*PARAM_LIMITS["log_blowup"]), default="3,4,5,6",
              show_default=True)
@click.option("--fri-log-arities", callback=_int_list(*PARAM_LIMITS["fri_log_arity"]), default="1,2,3,4",
              show_default=True)
@click.option("--fri-log-final-degrees", callback=_int_list(*PARAM_LIMITS["fri_log_final_degree"]),
              default="0,3,5,7,9", show_default=True)
@click.option("--grinding-bits", callback=_int_list(*PARAM_LIMITS["grinding_bits"]), default="0,16,20,24",
              show_default=True)
@click.option("--reference", default="65536x22", show_default=True, metavar="USERSxASSETS",
              help="The round the parameter grid is swept at.")
@click.option("--shard-leaves", callback=_int_list(2, MAX_LEAVES, power_of_two=True), default="65536",
              show_default=True, help="Leaves per proof; larger rounds are sharded, as `por prove` does.")
@click.option("--trials", type=click.IntRange(1, 1000), default=8, show_default=True,
              help="Simulated query sets per size estimate.")
@click.option("--measure", is_flag=True,
              help=f"Also prove and verify every round size (slow; at most {MAX_ASSETS} assets).")
def research(out_dir, users, assets, target_bits, log_blowups, fri_log_arities, fri_log_final_degrees,
             grinding_bits, reference, shard_leaves, trials, measure):
    """Sweep users, assets and STARK parameters at a fixed security target; write a CSV, a Markdown report and
    plots of proof size, prove and verify time and security, with other systems' published figures marked.

    Sizes are estimated from the proof format without proving (seconds to minutes); --measure proves too."""
    from prover.research.plots import write_plots
    from prover.research.tables import write_csv, write_markdown

    if measure and max(assets) > MAX_ASSETS:
        raise click.BadParameter(f"--measure draws synthetic users from {MAX_ASSETS} assets; got {max(assets)}",
                                 param_hint="--assets")
    config = sweep.Config(users, assets, points.Grid(log_blowups, fri_log_arities, fri_log_final_degrees,
                                                     grinding_bits),
                          _reference(reference, shard_leaves[0]), target_bits, shard_leaves[0], trials, measure)
    rows = sweep.run(config)
    if not any(r["part"] == sweep.PARAMETERS for r in rows):
        click.echo(f"error: no parameter point reaches {target_bits} bits at {reference}", err=True)
        raise SystemExit(2)
    out_dir.mkdir(parents=True, exist_ok=True)
    args = sys.argv[sys.argv.index("research") + 1:] if "research" in sys.argv else sys.argv[1:]
    command = " ".join(["por research", shlex.join(args)]).strip()
    write_csv(rows, out_dir / "research.csv")
    write_markdown(rows, config, command, out_dir / "research.md")
    write_plots(rows, target_bits, out_dir)
    click.echo(f"{len(rows)} rows written to {out_dir} (research.csv, research.md, plots)")


def _reference(text: str, shard_leaves: int) -> points.RoundShape:
    try:
        users, assets = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not USERSxASSETS, e.g. 65536x22", param_hint="--reference") from None
    if not (2 <= users <= MAX_LEAVES and 1 <= assets <= MAX_RESEARCH_ASSETS):
        raise click.BadParameter(f"{text!r}: users in [2, 2^31], assets in [1, {MAX_RESEARCH_ASSETS}]",
                                 param_hint="--reference")
    return points.RoundShape(users, assets, shard_leaves)
