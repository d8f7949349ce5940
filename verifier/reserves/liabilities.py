"""Per-asset liabilities of a round, for the reserve ratios: read from its public.json through the one codec
(`verifier.formats.public`), so the reserves check accepts exactly the files `por-verify proof` accepts.

A margin round's liability per asset is its net: equity minus debt (what users could withdraw once their loans
are repaid), at least zero; its equity, debt and total collateral are carried beside it for the report."""
from dataclasses import dataclass
from fractions import Fraction

from circuits.margin import MarginStatement
from verifier.formats.public import Public, load_public, parse_public


@dataclass(frozen=True)
class Liability:
    symbol: str  # as OKX's reserves files name coins: upper case (case twins are refused in public.json)
    decimals: int
    total: Fraction
    books: tuple[Fraction, Fraction, Fraction] | None = None  # margin: equity, debt, total collateral


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
    if isinstance(statement, MarginStatement):
        assets = []
        for (symbol, decimals), e, d, cs in zip(statement.assets, statement.equity, statement.debt,
                                                statement.collateral):
            unit = 10**decimals
            assets.append(Liability(symbol.upper(), decimals, Fraction(max(e - d, 0), unit),
                                    (Fraction(e, unit), Fraction(d, unit), Fraction(sum(cs), unit))))
        return Liabilities(statement.round, tuple(assets))
    return Liabilities(statement.round, tuple(Liability(symbol.upper(), decimals, Fraction(total, 10**decimals))
                                              for (symbol, decimals), total in zip(statement.assets, statement.totals)))
