"""The margin policy's prices and haircut tiers, from the asset list (SPEC §3): Binance's
`symbol,usdt_price,loan_tiers_ratio,margin_tiers_ratio,portfolio_tiers_ratio` (amounts at 8 decimals), or
`symbol,decimals,price,<kind>_tiers_ratio...`. A tier list is `[0-10000:100,10000-20000:90,...]` (USD bands from 0,
each starting where the last ended, integer percentages), or empty: that kind of collateral counts nothing.
A price left empty (or 0) is no price: a margin round values every asset's debt, so such a list is refused
(`UnpricedAssets`, naming each line; margin_round.py adds every user who owes such an asset).

Everything converts exactly: the value unit is 10^-scale USD with the smallest scale at which every price per base
unit and every band top is an integer (16 for Binance's 8-decimal prices of 8-decimal amounts)."""
from __future__ import annotations

import csv
import io
import os
import re

from circuits.margin import Policy
from circuits.margin.policy import MAX_SCALE
from prover.exchange.inputs.assets import Asset
from prover.exchange.inputs.problems import Problem, UsersFileError, at
from prover.exchange.inputs.source import read_text

TIERS_SUFFIX = "_tiers_ratio"
PRICE_COLUMNS = ("usdt_price", "price")
_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,29})(?:\.([0-9]{1,18}))?")
_BAND = re.compile(r"([0-9.]+)-([0-9.]+):([0-9]{1,3})")


class UnpricedAssets(UsersFileError):
    """The asset list gives `symbols` (of the round's assets) no price, or 0."""

    def __init__(self, message: str, symbols: tuple[str, ...]):
        super().__init__(message)
        self.symbols = symbols


def read_margin_policy(path: str | os.PathLike, assets: list[Asset]) -> Policy:
    """The policy for `assets` (the round's order, decimals as declared) from the asset list at `path`; raises
    UnpricedAssets when some of them have no price."""
    name = os.fspath(path)
    rows = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    try:
        header = next(rows)
        price_column = next((header.index(c) for c in PRICE_COLUMNS if c in header), None)
        if price_column is None:
            raise Problem(f"the margin policy needs a price column ({' or '.join(PRICE_COLUMNS)}, USD per unit)")
        kinds = [(i, c[:-len(TIERS_SUFFIX)]) for i, c in enumerate(header) if c.endswith(TIERS_SUFFIX)]
        if not kinds:
            raise Problem(f"the margin policy needs at least one <kind>{TIERS_SUFFIX} column")
        listed = {}
        for row in rows:
            symbol = row[0]
            price = row[price_column].strip()
            listed[symbol] = (rows.line_num, _decimal(price, f"{symbol}: price") if price else (0, 0),
                              [_tiers(row[i], f"{symbol}: {kind}{TIERS_SUFFIX}") for i, kind in kinds])
    except Problem as problem:
        raise at(name, rows.line_num, problem) from None
    except csv.Error as error:
        raise at(name, rows.line_num, f"malformed CSV: {error}") from None
    missing = [a.symbol for a in assets if a.symbol not in listed]
    if missing:
        raise UsersFileError(f"{name}: no price and tiers for {', '.join(missing)}")
    entries = [listed[a.symbol] for a in assets]
    unpriced = [(a.symbol, line) for a, (line, (price, _), _) in zip(assets, entries) if not price]
    if unpriced:
        raise UnpricedAssets("\n".join(f"{name}:{line}: {symbol}: no price (empty or 0), so debt in it could not be "
                                       "valued" for symbol, line in unpriced), tuple(s for s, _ in unpriced))
    scale = max([a.decimals + places for a, (_, (_, places), _) in zip(assets, entries)]
                + [places for _, _, lists in entries for tiers in lists for (_, places), _ in tiers])
    prices, tiers = [], []
    for asset, (line, (price, places), lists) in zip(assets, entries):
        prices.append(price * 10 ** (scale - asset.decimals - places))
        tiers.append(tuple(tuple((top * 10 ** (scale - p), ratio) for (top, p), ratio in bands) for bands in lists))
    try:
        if scale > MAX_SCALE:
            raise ValueError(f"prices and bands need a value unit of 10^-{scale} USD, finer than 10^-{MAX_SCALE}")
        return Policy(scale, tuple(prices), tuple(kind for _, kind in kinds), tuple(tiers))
    except ValueError as error:
        raise UsersFileError(f"{name}: {error}") from None


def _decimal(text: str, what: str) -> tuple[int, int]:
    """A non-negative decimal as (integer, places): exactly text = integer / 10^places."""
    match = _DECIMAL.fullmatch(text)
    if not match:
        raise Problem(f"{what}: {text!r} is not a non-negative decimal number")
    fraction = (match.group(2) or "").rstrip("0")
    return int(match.group(1) + fraction), len(fraction)


def _tiers(text: str, what: str) -> tuple:
    """((top, places), ratio) per band; bands start at 0 and each where the last ended."""
    inner = text.strip()
    if inner in ("", "[]"):
        return ()
    if not (inner.startswith("[") and inner.endswith("]")):
        raise Problem(f"{what}: expected [lo-hi:percent,...], found {text!r}")
    bands, start = [], (0, 0)
    for part in inner[1:-1].split(","):
        match = _BAND.fullmatch(part.strip())
        if not match:
            raise Problem(f"{what}: band {part!r} is not lo-hi:percent")
        lo, hi = _decimal(match.group(1), what), _decimal(match.group(2), what)
        if _value(lo) != _value(start):
            raise Problem(f"{what}: band {part!r} does not start where the previous one ended")
        bands.append((hi, int(match.group(3))))
        start = hi
    return tuple(bands)


def _value(number: tuple[int, int]) -> tuple[int, int]:
    """Comparable form of (integer, places)."""
    integer, places = number
    return integer * 10 ** (MAX_SCALE - places), 0
