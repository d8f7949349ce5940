"""Tiny proven rounds at the test preset, for tests that need a round's liabilities: the reserves side reads them
only from a round whose proof verifies. The test preset gives 24 bits, so check these with `min_security=0`
(`TEST_FLOOR`) or `--min-security 0`; proving one takes about a second."""
from pathlib import Path

from prover.exchange.round import RoundResult, prove_round

TEST_FLOOR = 0


def prove_totals(directory: Path, round_name: str, assets: list[tuple[str, int, str]], holders: int = 1,
                 **options) -> RoundResult:
    """A round proven into `directory` (which must not exist yet) whose totals are `assets` (symbol, decimals,
    total as a decimal string): the first of `holders` users holds every total, the others hold nothing.
    `options` go to `prove_round` (e.g. shard_leaves, allow_small_shards)."""
    users = directory.parent / f"{directory.name}-users.csv"
    header = ",".join(f"{symbol}:{decimals}" for symbol, decimals, _ in assets)
    rows = ["holder0," + ",".join(total for _, _, total in assets)]
    rows += [f"holder{i}," + "," * (len(assets) - 1) for i in range(1, holders)]
    users.write_text(f"id,{header}\n" + "\n".join(rows) + "\n")
    return prove_round(users, round_name, directory, "test", directory.parent / f"{directory.name}.secret",
                       progress=False, **options)
