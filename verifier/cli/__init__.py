"""`por-verify`: the standalone verifier's command line. Imports nothing from `prover`.

Exit codes: 0 valid, 1 invalid proof or failed check, 2 usage error or malformed input.
"""
import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="por-stark")
def main():
    """Verify proofs of solvency: liabilities proofs, inclusion proofs, reserves."""


def _register_subcommands():
    from verifier.cli import reserves, round

    reserves.register(main)
    round.register(main)


_register_subcommands()
