"""Each address counts once per asset and chain (SPEC §5).

Two rows repeat each other when their coins count toward the same asset (`base_asset`: `USDT` and
`USDT-ERC20`), their networks are spellings of one chain (`BTC` and `Bitcoin`, `ETH` and `ERC20`) and their
addresses are one address (`address_key`: EVM hex in any case, bech32 upper or lower case). Counting both would
count the same coins twice: an exchange holding half of its BTC could list every address under `BTC` and again
under `Bitcoin` and look fully backed. A repeat is therefore refused, naming both lines; or, when the caller asks
(`--dedupe-addresses`), only the first row is checked and counted, and each repeat is listed with a warning.
"""
from verifier.reserves import networks
from verifier.reserves.csvfile import ReserveRow, ReservesFile
from verifier.reserves.errors import ReservesInputError
from verifier.reserves.ownership import Verdict

DUPLICATE = "duplicate"
FLAG = "--dedupe-addresses"


def find_repeats(reserves: ReservesFile) -> dict[int, int]:
    """The line of every repeated row -> the line of the row it repeats. Raises ReservesInputError for a network
    name that is not a known spelling of a chain: its rows could not be matched with the chain's other rows."""
    first: dict[tuple[str, str, str], int] = {}
    repeats: dict[int, int] = {}
    for row in reserves.rows:
        if not row.network:
            continue  # the row is rejected for its empty field
        chain = networks.chain_for(row.network)
        if chain is None:
            raise ReservesInputError(reserves.path, f"field 'Network': unknown network {row.network!r} "
                                                    "(not a spelling of any chain this tool knows)", row.line)
        if row.problem:
            continue  # rejected, never counted
        key = (networks.base_asset(row.coin), chain.name, networks.address_key(row.address))
        earlier = first.setdefault(key, row.line)
        if earlier != row.line:
            repeats[row.line] = earlier
    return repeats


def once_per_address(reserves: ReservesFile, dedupe: bool) -> tuple[tuple[ReserveRow, ...], list[Verdict]]:
    """The rows to check, and a `duplicate` verdict (listed, not counted) for each repeat. Without `dedupe`, a
    repeat raises ReservesInputError naming its line and the line it repeats."""
    repeats = find_repeats(reserves)
    if repeats and not dedupe:
        line = min(repeats)
        row = next(row for row in reserves.rows if row.line == line)
        others = f" ({len(repeats)} repeated rows in all)" if len(repeats) > 1 else ""
        raise ReservesInputError(
            reserves.path, f"{row.coin} address {row.address} (network {row.network}) is already listed on line "
                           f"{repeats[line]} for the same asset and chain: each address counts once{others}; "
                           f"{FLAG} counts it once instead", line)
    kept = tuple(row for row in reserves.rows if row.line not in repeats)
    verdicts = [Verdict(line, DUPLICATE, f"repeats line {first} (same asset, chain and address): counted once")
                for line, first in repeats.items()]
    return kept, verdicts


def duplicates_warning(count: int) -> str:
    return (f"{count} row(s) repeat an address already listed for the same asset and chain (perhaps under another "
            f"network name); with {FLAG} each address is counted once, at its first row.")
