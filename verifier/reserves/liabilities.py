"""Per-asset liabilities from a round's public.json (SPEC §3); only `format`, `round` and `assets` are read."""
import json
from dataclasses import dataclass
from fractions import Fraction

from verifier.reserves.amounts import decimal_places, parse_amount
from verifier.reserves.errors import ReservesInputError

PUBLIC_FORMAT = "por-public/1"


@dataclass(frozen=True)
class Liability:
    symbol: str
    decimals: int
    total: Fraction


@dataclass(frozen=True)
class Liabilities:
    round: str
    assets: tuple[Liability, ...]


def read_liabilities(path: str) -> Liabilities:
    try:
        with open(path, encoding="utf-8") as handle:
            public = json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReservesInputError(path, f"cannot read public.json: {exc}") from None
    return liabilities_from_public(public, path)


def liabilities_from_public(public: object, path: str = "public.json") -> Liabilities:
    if not isinstance(public, dict) or public.get("format") != PUBLIC_FORMAT:
        raise ReservesInputError(path, f"field 'format' must be {PUBLIC_FORMAT!r}")
    round_name = public.get("round")
    if not isinstance(round_name, str) or not round_name:
        raise ReservesInputError(path, "field 'round' must be a non-empty string")
    assets = public.get("assets")
    if not isinstance(assets, list) or not assets:
        raise ReservesInputError(path, "field 'assets' must be a non-empty list")
    parsed = tuple(_liability(path, index, entry) for index, entry in enumerate(assets))
    symbols = [asset.symbol for asset in parsed]
    if len(set(symbols)) != len(symbols):
        raise ReservesInputError(path, "field 'assets' lists a symbol twice")
    return Liabilities(round_name, parsed)


def _liability(path: str, index: int, entry: object) -> Liability:
    where = f"assets[{index}]"
    if not isinstance(entry, dict):
        raise ReservesInputError(path, f"{where} must be an object")
    symbol, decimals, total = entry.get("symbol"), entry.get("decimals"), entry.get("total")
    if not isinstance(symbol, str) or not symbol.strip():
        raise ReservesInputError(path, f"{where}.symbol must be a non-empty string")
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 36:
        raise ReservesInputError(path, f"{where}.decimals must be an integer from 0 to 36")
    if not isinstance(total, str):
        raise ReservesInputError(path, f"{where}.total must be a decimal string")
    try:
        amount = parse_amount(total)
    except ValueError as exc:
        raise ReservesInputError(path, f"{where}.total: {exc}") from None
    if decimal_places(amount) > decimals:
        raise ReservesInputError(path, f"{where}.total {total!r} has more than {decimals} decimal places")
    return Liability(symbol.strip().upper(), decimals, amount)
