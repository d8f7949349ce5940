"""`por-verify`: the standalone verifier's command line. Imports nothing from `prover`.

Exit codes (verifier.cli.outcomes): 0 valid, 1 invalid proof or failed check, 2 usage error or malformed input.
"""
import click

from verifier.cli.lazy_group import LazyGroup

COMMANDS = {
    "proof": "verifier.cli.round:proof",
    "inclusion": "verifier.cli.round:inclusion",
    "page": "verifier.cli.round:page",
    "reserves": "verifier.cli.reserves:reserves",
}


@click.group(cls=LazyGroup, commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="por-stark")
def main():
    """Verify proofs of solvency: liabilities proofs, inclusion proofs, reserves."""
