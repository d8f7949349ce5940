"""The assets of a round: their symbols and decimals, from the exchange's asset list and the users file.

The asset list (`--assets FILE`) is written once and reused every month, so it is the place that fixes each
asset's decimals: `symbol,decimals[,...]`, or Binance's `symbol,usdt_price,<kind>_tiers_ratio...` form (no
decimals column; Binance states every amount at 8). Symbols are case-sensitive, but two that differ only in case
are refused wherever they meet (asset list, users header, JSON keys): `BTC` and `btc` would otherwise become two
liabilities that a reserves check matches to one coin.
"""
import csv
import io
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from prover.exchange.inputs.problems import Problem, at
from prover.exchange.inputs.source import read_text

DEFAULT_DECIMALS = 8
MAX_DECIMALS = 18  # at 18 decimals 2^63 base units is only 9.2 units; more would leave no usable range
BINANCE_DECIMALS = 8
_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_LISTED = 12  # symbols shown in an "unknown asset" message
_COLUMN_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


@dataclass(frozen=True)
class Asset:
    symbol: str
    decimals: int = DEFAULT_DECIMALS

    def __post_init__(self):
        if not isinstance(self.symbol, str) or not _SYMBOL.fullmatch(self.symbol):
            raise ValueError(f"invalid asset symbol {self.symbol!r}")
        if type(self.decimals) is not int or not 0 <= self.decimals <= MAX_DECIMALS:
            raise ValueError(f"{self.symbol}: decimals must be an integer in 0..{MAX_DECIMALS}, got {self.decimals!r}")


@dataclass(frozen=True)
class AssetList:
    """The declared assets in the round's order; `source` names the file they came from (for messages)."""

    assets: tuple[Asset, ...]
    source: str = "asset list"

    def __post_init__(self):
        symbols = [asset.symbol for asset in self.assets]
        if not symbols:
            raise ValueError("an asset list needs at least one asset")
        clash = case_clash(symbols)
        if clash:
            raise ValueError(_clash_message(*clash))


def read_asset_list(path: str | os.PathLike) -> AssetList:
    """Read `symbol,decimals[,...]` or Binance's `symbol,usdt_price,...`; other columns must be named well (prices
    and haircut tiers are read by `margin_assets` for the margin policy)."""
    name = os.fspath(path)
    rows = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    try:
        header = next(rows)
        decimals_column = _asset_list_header(header)
        assets: list[Asset] = []
        seen: dict[str, tuple[str, int]] = {}  # folded symbol -> (symbol, line)
        for row in rows:
            if len(row) != len(header):
                raise Problem(f"expected {len(header)} columns, found {len(row)}")
            symbol = row[0]
            places = _decimals(symbol, row[decimals_column]) if decimals_column else BINANCE_DECIMALS
            assets.append(_asset(symbol, places))
            other, line = seen.setdefault(symbol.casefold(), (symbol, rows.line_num))
            if line != rows.line_num:
                how = "is listed twice" if other == symbol else f"differs only in case from {other!r}"
                raise Problem(f"asset {symbol!r} {how} (line {line})")
        if not assets:
            raise Problem("no assets")
        return AssetList(tuple(assets), name)
    except Problem as problem:
        raise at(name, rows.line_num, problem) from None
    except csv.Error as error:
        raise at(name, rows.line_num, f"malformed CSV: {error}") from None


def _asset_list_header(header: list[str]) -> int | None:
    """The decimals column's index, or None for Binance's form (every asset at 8 decimals)."""
    if header[:1] != ["symbol"]:
        raise Problem(f"header must start with 'symbol', found {header[:1]}")
    for column in header:
        if not _COLUMN_NAME.fullmatch(column):
            raise Problem(f"column name {column!r} is not lower-case letters, digits and '_'")
        if header.count(column) > 1:
            raise Problem(f"column {column!r} appears twice")
    if "decimals" in header:
        return header.index("decimals")
    if "usdt_price" in header:
        return None
    raise Problem("no 'decimals' column (only Binance's 'symbol,usdt_price,...' form implies 8 decimals)")


def _decimals(symbol: str, text: str) -> int:
    if not (text.isdigit() and text.isascii()) or len(text) > 2:
        raise Problem(f"{symbol}: decimals must be a whole number 0..{MAX_DECIMALS}, found {text!r}")
    return int(text)


def _asset(symbol: str, places: int) -> Asset:
    try:
        return Asset(symbol, places)
    except ValueError as error:
        raise Problem(str(error)) from None


def case_clash(symbols: Sequence[str]) -> tuple[str, str] | None:
    """The first two symbols equal after case folding (a repeat included), or None."""
    seen: dict[str, str] = {}
    for symbol in symbols:
        folded = symbol.casefold()
        if folded in seen:
            return seen[folded], symbol
        seen[folded] = symbol
    return None


def _clash_message(first: str, second: str) -> str:
    if first == second:
        return f"asset {first!r} is named twice"
    return f"assets {first!r} and {second!r} differ only in case"


class Declared:
    """What the caller fixed before the file is read: an optional asset order and per-asset decimals.

    Built from an `AssetList` (order and decimals), or from a bare symbol sequence and a decimals mapping; caller
    mistakes (a symbol twice, two differing only in case, bad decimals) are ValueError, not the file's fault.
    """

    def __init__(self, assets: "AssetList | Sequence[str] | None", decimals: Mapping[str, int] | None):
        decimals = dict(decimals or {})
        for symbol, places in decimals.items():
            Asset(symbol, places)
        if isinstance(assets, AssetList):
            for asset in assets.assets:
                stated = decimals.get(asset.symbol, asset.decimals)
                if stated != asset.decimals:
                    raise ValueError(f"{asset.symbol}: {stated} decimals given but {assets.source} declares "
                                     f"{asset.decimals}")
            decimals.update((asset.symbol, asset.decimals) for asset in assets.assets)
            self.source = assets.source
            assets = [asset.symbol for asset in assets.assets]
        else:
            self.source = "configuration"
        if isinstance(assets, str):
            raise TypeError("assets must be a sequence of symbols, not a string")
        if assets is not None:
            symbols = [Asset(symbol).symbol for symbol in assets]
            clash = case_clash(symbols)
            if clash:
                raise ValueError(_clash_message(*clash))
            assets = symbols
        self.order: list[str] | None = assets
        self.decimals = decimals


class Columns:
    """The table's assets as one file names them, each symbol resolved to its column once.

    With a declared order the table has exactly those assets (one the file never mentions is all zeros) and any
    other symbol is refused; without one, the file's first-seen order. `require_declared` is for files of base
    units (JSON), where an undeclared scale would silently mis-state every amount.
    """

    def __init__(self, declared: Declared, require_declared: bool = False):
        self._declared = declared
        self._require_declared = require_declared
        self.assets: list[Asset] = []
        self._column: dict[str, int] = {}
        self._by_fold: dict[str, str] = {}
        for symbol in declared.order or ():
            self._add(symbol, None)

    def column(self, symbol: str, stated: int | None = None) -> int:
        """Column of `symbol`; `stated` is decimals the file itself gives (a `SYMBOL:DECIMALS` header)."""
        column = self._column.get(symbol)
        if column is None:
            other = self._by_fold.get(symbol.casefold())
            if other is not None and self._declared.order is not None:
                raise Problem(f"unknown asset {symbol!r} ({self._declared.source} has {other!r}; symbols are "
                              "case-sensitive)")
            if other is not None:
                raise Problem(f"assets {other!r} and {symbol!r} differ only in case")
            if self._declared.order is not None:
                listed = ", ".join(self._declared.order[:_LISTED]) + (", ..." * (len(self._declared.order) > _LISTED))
                raise Problem(f"unknown asset {symbol!r} (not in {self._declared.source}: {listed})")
            return self._add(symbol, stated)
        if stated is not None and stated != self.assets[column].decimals:
            raise Problem(f"{symbol}: file states {stated} decimals but {self._declared.source} declares "
                          f"{self.assets[column].decimals}")
        return column

    def _add(self, symbol: str, stated: int | None) -> int:
        _asset(symbol, DEFAULT_DECIMALS)  # an invalid symbol is that, whatever its decimals
        configured = self._declared.decimals.get(symbol)
        if configured is not None and stated is not None and configured != stated:
            raise Problem(f"{symbol}: file states {stated} decimals but {self._declared.source} declares "
                          f"{configured}")
        places = configured if configured is not None else stated
        if places is None:
            if self._require_declared:
                raise Problem(f"{symbol}: amounts are integer base units but {symbol}'s decimals are not declared; "
                              f"give an asset list (--assets FILE with 'symbol,decimals' rows)")
            places = DEFAULT_DECIMALS
        self.assets.append(_asset(symbol, places))
        self._column[symbol] = len(self.assets) - 1
        self._by_fold[symbol.casefold()] = symbol
        return len(self.assets) - 1
