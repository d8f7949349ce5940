"""`por`: the exchange-side command line (generate users, prove a round, export inclusion proofs, report)."""
import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="por-stark")
def main():
    """Proof of solvency, exchange side."""


def _register_subcommands():
    # Each feature module defines its own click command(s); they are attached here so this file stays an index.
    from prover.cli import history, inputs, research, reserves, round

    history.register(main)
    inputs.register(main)
    research.register(main)
    reserves.register(main)
    round.register(main)


_register_subcommands()
