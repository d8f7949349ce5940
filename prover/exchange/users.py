"""Read the exchange's users file (CSV or OKX-style JSON) into a validated table of base-unit balances.

The liabilities proof is only as sound as these checks: every balance leaving this module is an integer in
[0, 2^63), every id is unique and printable, and any doubt is an error naming the file and line.
"""
import csv
import io
import json
import os
import re
from dataclasses import dataclass
from itertools import compress
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from prover.exchange.solvency_trace import exact_totals
from verifier.errors import InputError
from verifier.formats.amounts import BALANCE_BOUND, AmountError, parse_amount

DEFAULT_DECIMALS = 8
MAX_DECIMALS = 18  # at 18 decimals 2^63 base units is only 9.2 units; more would leave no usable range
MAX_USER_ID_BYTES = 256
_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")


class UsersFileError(InputError):
    """A users file that cannot become a table; the message starts with 'FILE:LINE:'."""


class _Problem(Exception):
    """What is wrong with one line or record; the reader adds the file and line."""


@dataclass(frozen=True)
class Asset:
    symbol: str
    decimals: int = DEFAULT_DECIMALS

    def __post_init__(self):
        if not isinstance(self.symbol, str) or not _SYMBOL.fullmatch(self.symbol):
            raise ValueError(f"invalid asset symbol {self.symbol!r}")
        if type(self.decimals) is not int or not 0 <= self.decimals <= MAX_DECIMALS:
            raise ValueError(f"{self.symbol}: decimals must be an integer in 0..{MAX_DECIMALS}, got {self.decimals!r}")


@dataclass
class UserTable:
    """Users and their balances in base units: row i of `balances` is `ids[i]`, column j is `assets[j]`.

    Construction enforces the shape and the 2^63 bound, so no table can carry an out-of-range balance; ids are
    checked by the readers (unique, printable, at most 256 UTF-8 bytes).
    """

    assets: list[Asset]
    ids: list[str]
    balances: np.ndarray

    def __post_init__(self):
        expected_shape = (len(self.ids), len(self.assets))
        if self.balances.dtype != np.uint64 or self.balances.shape != expected_shape:
            raise ValueError(
                f"balances must be uint64 of shape {expected_shape}, got {self.balances.dtype} {self.balances.shape}"
            )
        if self.balances.max(initial=0) >= BALANCE_BOUND:
            raise ValueError("a balance is 2^63 base units or more")

    def totals(self) -> list[int]:
        """Per-asset liabilities as exact ints."""
        return list(exact_totals(self.balances))


def read_users(
    path: str | os.PathLike,
    assets: Sequence[str] | None = None,
    decimals: Mapping[str, int] | None = None,
) -> UserTable:
    """Read a users file: '.json' as OKX-style JSON, anything else as CSV.

    `assets`, when given, is the round's asset list: its order is the table's, and any other asset in the file
    is an error. `decimals` fixes an asset's decimals (default 8); a CSV header stating otherwise is an error.
    """
    read = read_users_json if Path(path).suffix.lower() == ".json" else read_users_csv
    return read(path, assets=assets, decimals=decimals)


def read_users_csv(
    path: str | os.PathLike,
    assets: Sequence[str] | None = None,
    decimals: Mapping[str, int] | None = None,
) -> UserTable:
    """Read `id,BTC,USDT:6,...` rows of decimal amounts in asset units; an empty cell is zero."""
    name = os.fspath(path)
    assets, decimals = _checked_arguments(assets, decimals)
    rows = csv.reader(io.StringIO(_read_text(path), newline=""), strict=True)
    try:
        header = next(rows)  # present: _read_text refused a blank file
        table_assets, columns = _parse_header(header, assets, decimals)
        scales = [table_assets[column].decimals for column in columns]
        every_cell = range(len(columns))
        users = _UsersBuilder("line")
        for row in rows:
            if len(row) != len(header):
                raise _Problem(f"expected {len(header)} columns, found {len(row)}")
            user = users.add_user(row[0], rows.line_num)
            cells = row[1:]
            try:
                for k in compress(every_cell, cells):  # only the non-empty cells, picked in C
                    users.add_balance(user, columns[k], parse_amount(cells[k], scales[k]))
            except AmountError as error:
                raise _Problem(f"{table_assets[columns[k]].symbol}: {error}") from None
        return users.build(table_assets)
    except _Problem as problem:
        raise UsersFileError(f"{name}:{rows.line_num}: {problem}") from None
    except csv.Error as error:
        raise UsersFileError(f"{name}:{rows.line_num}: malformed CSV: {error}") from None


def read_users_json(
    path: str | os.PathLike,
    assets: Sequence[str] | None = None,
    decimals: Mapping[str, int] | None = None,
) -> UserTable:
    """Read `[{"id": ..., "assets": {"BTC": "<integer base units>", ...}}, ...]`; a missing asset is zero."""
    name = os.fspath(path)
    assets, decimals = _checked_arguments(assets, decimals)
    text = _read_text(path)
    try:
        records = _load_json_array(text)
    except _Problem as problem:
        raise UsersFileError(f"{name}:1: {problem}") from None
    except json.JSONDecodeError as error:
        raise UsersFileError(f"{name}:{error.lineno}: invalid JSON: {error.msg}") from None
    if not records:
        raise UsersFileError(f"{name}:1: no users")

    table_assets = [_make_asset(symbol, decimals) for symbol in assets or ()]
    column_of = {asset.symbol: column for column, asset in enumerate(table_assets)}
    users = _UsersBuilder("record")
    index = 0
    try:
        for index, record in enumerate(records):
            user_id, holdings = _unpack_record(record)
            user = users.add_user(user_id, index)
            for symbol, amount in holdings.items():
                column = column_of.get(symbol)
                if column is None:
                    if assets is not None:
                        raise _unknown_asset(symbol, assets)
                    column = column_of[symbol] = len(table_assets)
                    table_assets.append(_make_asset(symbol, decimals))
                try:
                    users.add_balance(user, column, _parse_base_units(amount))
                except AmountError as error:
                    raise _Problem(f"{symbol}: {error}") from None
        return users.build(table_assets)
    except _Problem as problem:
        line = _json_record_line(text, index)
        raise UsersFileError(f"{name}:{line}: record {index}: {problem}") from None


class _UsersBuilder:
    """Collects validated users; balances are kept sparse since most users hold only a few assets."""

    def __init__(self, location_kind: str):
        self.ids: list[str] = []
        self._location_kind = location_kind
        self._first_location: dict[str, int] = {}
        self._rows: list[int] = []
        self._columns: list[int] = []
        self._values: list[int] = []

    def add_user(self, user_id: str, location: int) -> int:
        _check_user_id(user_id)
        first = self._first_location.setdefault(user_id, location)
        if first != location:
            raise _Problem(f"duplicate id {user_id!r} (first on {self._location_kind} {first})")
        self.ids.append(user_id)
        return len(self.ids) - 1

    def add_balance(self, user: int, column: int, base_units: int) -> None:
        if base_units >= BALANCE_BOUND:
            raise AmountError(f"amount of {base_units} base units is not below 2^63")
        if base_units:
            self._rows.append(user)
            self._columns.append(column)
            self._values.append(base_units)

    def build(self, assets: list[Asset]) -> UserTable:
        if not self.ids:
            raise _Problem("no users")
        if not assets:
            raise _Problem("no assets")
        balances = np.zeros((len(self.ids), len(assets)), dtype=np.uint64)
        rows, columns = np.asarray(self._rows, dtype=np.intp), np.asarray(self._columns, dtype=np.intp)
        balances[rows, columns] = np.asarray(self._values, dtype=np.uint64)
        return UserTable(assets=assets, ids=self.ids, balances=balances)


def _checked_arguments(
    assets: Sequence[str] | None, decimals: Mapping[str, int] | None
) -> tuple[list[str] | None, dict[str, int]]:
    """Refuse caller mistakes up front (they are not the file's fault): a repeated or invalid symbol, bad decimals."""
    decimals = dict(decimals or {})
    for symbol, places in decimals.items():
        Asset(symbol, places)
    if assets is None:
        return None, decimals
    if isinstance(assets, str):
        raise TypeError("assets must be a sequence of symbols, not a string")
    symbols = [Asset(symbol).symbol for symbol in assets]
    if len(set(symbols)) != len(symbols):
        raise ValueError(f"assets names a symbol twice: {symbols}")
    return symbols, decimals


def _read_text(path: str | os.PathLike) -> str:
    """The whole file as text; reading bytes first lets a UTF-8 error name its exact line."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UsersFileError(f"{os.fspath(path)}:{line}: not valid UTF-8") from None
    if not text.strip():
        raise UsersFileError(f"{os.fspath(path)}:1: empty file")
    return text


def _parse_header(
    header: list[str], allowed: Sequence[str] | None, decimals: Mapping[str, int]
) -> tuple[list[Asset], list[int]]:
    """The table's assets and, for each amount column of the file, the index of its asset among them."""
    if not header or header[0] != "id":
        raise _Problem(f"header must start with 'id', found {header[:1]}")
    declared: dict[str, Asset] = {}
    for cell in header[1:]:
        symbol, colon, stated = cell.partition(":")
        if colon and not (stated.isdigit() and stated.isascii()):
            raise _Problem(f"{symbol}: decimals must be a number, found {stated!r}")
        if symbol in declared:
            raise _Problem(f"asset {symbol!r} appears twice in the header")
        declared[symbol] = _make_asset(symbol, decimals, int(stated) if colon else None)
    if allowed is None:
        table_assets = list(declared.values())
    else:
        unknown = [symbol for symbol in declared if symbol not in allowed]
        if unknown:
            raise _unknown_asset(unknown[0], allowed)
        table_assets = [declared.get(symbol) or _make_asset(symbol, decimals) for symbol in allowed]
    position = {asset.symbol: j for j, asset in enumerate(table_assets)}
    return table_assets, [position[symbol] for symbol in declared]


def _make_asset(symbol: str, decimals: Mapping[str, int], stated: int | None = None) -> Asset:
    configured = decimals.get(symbol)
    if configured is not None and stated is not None and configured != stated:
        raise _Problem(f"{symbol}: file states {stated} decimals but {configured} were configured")
    if configured is None:
        configured = DEFAULT_DECIMALS if stated is None else stated
    try:
        return Asset(symbol, configured)
    except ValueError as error:
        raise _Problem(str(error)) from None


def _unknown_asset(symbol: str, allowed: Sequence[str]) -> _Problem:
    return _Problem(f"unknown asset {symbol!r} (allowed: {', '.join(allowed)})")


def _check_user_id(user_id: str) -> None:
    if not user_id or user_id.isspace():
        raise _Problem(f"empty id {user_id!r}")
    if not user_id.isprintable():
        raise _Problem(f"id {user_id!r} contains control or invisible characters")
    if user_id != user_id.strip():
        raise _Problem(f"id {user_id!r} has leading or trailing whitespace")
    if len(user_id) * 4 > MAX_USER_ID_BYTES and len(user_id.encode()) > MAX_USER_ID_BYTES:
        raise _Problem(f"id longer than {MAX_USER_ID_BYTES} UTF-8 bytes")


class _RepeatedKeys(dict):
    """A JSON object that repeated a key: json keeps the last value silently, so the reader refuses it later."""

    repeated: str


def _object_noting_repeats(pairs: list[tuple[str, object]]) -> dict:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _RepeatedKeys(obj)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.repeated = key
            break
        seen.add(key)
    return marked


def _load_json_array(text: str) -> list:
    records = json.loads(text, object_pairs_hook=_object_noting_repeats)
    if not isinstance(records, list):
        raise _Problem("expected a JSON array of users")
    return records


def _unpack_record(record: object) -> tuple[str, dict]:
    if not isinstance(record, dict) or record.keys() != {"id", "assets"}:
        raise _Problem('expected an object with exactly the keys "id" and "assets"')
    user_id, holdings = record["id"], record["assets"]
    if not isinstance(user_id, str):
        raise _Problem(f"id must be a string, found {user_id!r}")
    if not isinstance(holdings, dict):
        raise _Problem('"assets" must be an object')
    for obj in (record, holdings):
        if isinstance(obj, _RepeatedKeys):
            raise _Problem(f"key {obj.repeated!r} appears twice")
    return user_id, holdings


def _parse_base_units(amount: object) -> int:
    """A JSON amount: a string of integer base units (a JSON integer is accepted too, floats never)."""
    if type(amount) is int:
        amount = str(amount)
    if not isinstance(amount, str):
        raise AmountError(f"amount must be a string of integer base units, found {amount!r}")
    return parse_amount(amount, 0)


def _json_record_line(text: str, index: int) -> int:
    """Line on which record `index` of the top-level array starts; only run when reporting an error."""
    decoder = json.JSONDecoder()
    position = _JSON_WHITESPACE.match(text, text.index("[") + 1).end()
    for _ in range(index):
        _, position = decoder.raw_decode(text, position)
        position = _JSON_WHITESPACE.match(text, position).end() + 1  # past the comma
        position = _JSON_WHITESPACE.match(text, position).end()
    return text.count("\n", 0, position) + 1
