"""Typed, strict access to a JSON object's fields: every refusal is an InputError naming the file and the field."""
from __future__ import annotations

import re

from circuits.tree_hash import Digest, digest_from_hex
from verifier.errors import InputError
from verifier.formats.amounts import AmountError, parse_canonical_amount

MAX_DECIMALS = 18
SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


class Fields:
    """The fields of one object (exactly `keys`, plus any of `optional`) of the document `name`."""

    def __init__(self, name: str, data: object, keys: tuple[str, ...], prefix: str = "", optional: tuple = ()):
        self.name, self.data, self.prefix = name, data, prefix
        if not isinstance(data, dict):
            raise InputError(f"{name}: {prefix or 'the document'} must be a JSON object")
        missing, extra = [k for k in keys if k not in data], sorted(set(data) - set(keys) - set(optional))
        self.require(not missing, missing[0] if missing else "", "is missing")
        self.require(not extra, extra[0] if extra else "", "is not a field of this format")

    def where(self, field: str) -> str:
        return f"{self.name}: field {f'{self.prefix}.{field}' if self.prefix else field!r}"

    def require(self, condition: object, field: str, what: str) -> None:
        if not condition:
            raise InputError(f"{self.where(field)} {what}")

    def text(self, key: str) -> str:
        value = self.data[key]
        self.require(isinstance(value, str) and value and value.isprintable(), key, "must be a non-empty string")
        return value

    def integer(self, key: str) -> int:
        value = self.data[key]
        self.require(type(value) is int and value >= 0, key, "must be a non-negative integer")
        return value

    def digest(self, key: str) -> Digest:
        return parse_digest(self.data[key], self.where(key))

    def symbol(self, key: str) -> str:
        value = self.data[key]
        self.require(isinstance(value, str) and SYMBOL.fullmatch(value), key, "must be an asset symbol such as 'BTC'")
        return value

    def decimals(self, key: str) -> int:
        value = self.data[key]
        self.require(type(value) is int and 0 <= value <= MAX_DECIMALS, key, f"must be an integer in 0..{MAX_DECIMALS}")
        return value

    def amount(self, key: str, value: object, decimals: int) -> int:
        """A canonical decimal string at `decimals` decimals, as base units."""
        self.require(isinstance(value, str), key, "must be a decimal string")
        try:
            return parse_canonical_amount(value, decimals)
        except AmountError as error:
            raise InputError(f"{self.where(key)}: {error}") from None

    def assets(self, key: str, with_totals: bool) -> tuple[list[tuple[str, int]], list[int]]:
        """A non-empty list of {symbol, decimals[, total]}: symbols distinct, even ignoring case."""
        entries = self.data[key]
        self.require(isinstance(entries, list) and entries, key, "must be a non-empty list")
        assets, totals = [], []
        for j, entry in enumerate(entries):
            asset = Fields(self.name, entry, ("symbol", "decimals", "total") if with_totals else ("symbol", "decimals"),
                           f"{key}[{j}]")
            assets.append((asset.symbol("symbol"), asset.decimals("decimals")))
            if with_totals:
                totals.append(asset.amount("total", entry["total"], assets[-1][1]))
        folded = {symbol.casefold() for symbol, _ in assets}
        self.require(len(folded) == len(assets), key, "lists a symbol twice (symbols may not differ only in case)")
        return assets, totals


def parse_digest(value: object, where: str) -> Digest:
    try:
        return digest_from_hex(value)
    except ValueError as error:
        raise InputError(f"{where}: {error}") from None
