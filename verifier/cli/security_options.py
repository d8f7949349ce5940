"""The security floor of a liabilities proof, one pair of options for every command that verifies a round, so
`por-verify proof`, `por-verify reserves`, `por report` and `por history` accept exactly the same proofs."""
import click

from verifier.stark.verify import MIN_SECURITY


def security_options(command):
    """Adds --min-security BITS and --allow-no-zero-knowledge, passed as `min_security` and
    `allow_no_zero_knowledge`."""
    command = click.option("--allow-no-zero-knowledge", is_flag=True,
                           help="Accept proofs made without zero knowledge (their openings may reveal users' "
                                "balances).")(command)
    return click.option("--min-security", type=click.IntRange(0, 256), default=MIN_SECURITY, show_default=True,
                        help="Reject proofs below this many bits of conjectured security.")(command)
