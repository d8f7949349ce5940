"""Per-asset liabilities of a round, for the reserve ratios: read from its public.json through the one codec
(`verifier.formats.public`), so the reserves check accepts exactly the files `por-verify proof` accepts."""
from dataclasses import dataclass
from fractions import Fraction

from verifier.formats.public import Public, load_public, parse_public


@dataclass(frozen=True)
class Liability:
    symbol: str  # as OKX's reserves files name coins: upper case (case twins are refused in public.json)
    decimals: int
    total: Fraction


@dataclass(frozen=True)
class Liabilities:
    round: str
    assets: tuple[Liability, ...]


def read_liabilities(path: str) -> Liabilities:
    return _liabilities(load_public(path))


def liabilities_from_public(public: dict, path: str = "public.json") -> Liabilities:
    return _liabilities(parse_public(public, path))


def _liabilities(public: Public) -> Liabilities:
    statement = public.statement
    return Liabilities(statement.round, tuple(Liability(symbol.upper(), decimals, Fraction(total, 10**decimals))
                                              for (symbol, decimals), total in zip(statement.assets, statement.totals)))
