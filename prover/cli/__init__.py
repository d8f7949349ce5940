"""`por`: the exchange-side command line. Each command lives in the module that the index below names, and is
imported only when run (verifier.cli.lazy_group), so `por generate` does not load the prover's kernels; before a
command that proves is imported, a cold kernel cache is announced and its background compilation started."""
import click

from prover.engine import kernel_cache
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
PROVING = {"prove", "demo", "research"}


class _ProverGroup(LazyGroup):
    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in PROVING:
            kernel_cache.announce_if_cold()
        return super().get_command(ctx, name)


@click.group(cls=_ProverGroup, commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="por-stark")
def main():
    """Proof of solvency, exchange side."""
