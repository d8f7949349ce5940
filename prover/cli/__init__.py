"""`por`: the exchange-side command line. Each command lives in the module that the index below names, and is
imported only when run (verifier.cli.lazy_group), so `por generate` does not load the prover's kernels."""
import click

from verifier.cli.lazy_group import LazyGroup

COMMANDS = {
    "generate": "prover.cli.inputs:generate",
    "prove": "prover.cli.round:prove",
    "inclusion": "prover.cli.round:inclusion",
    "demo": "prover.cli.round:demo",
    "report": "prover.cli.reserves:report",
    "generate-reserves": "prover.cli.reserves:generate_reserves_command",
    "history": "prover.cli.history:history",
    "research": "prover.cli.research:research",
}


@click.group(cls=LazyGroup, commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="por-stark")
def main():
    """Proof of solvency, exchange side."""
