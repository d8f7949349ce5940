"""OKX-style users JSON, `[{"id": "...", "assets": {"BTC": "<integer base units>", ...}}, ...]`, and OKX v2's
signed form of it (`vectors/okx_v2_batch0.json`), where a negative amount is debt.

Amounts are base units, so the file alone does not say what they are worth: every asset's decimals must be
declared (an asset list), never assumed. The parse is `verifier.formats.strict_json` (a key given twice is
refused, not silently overwritten); locating an error's line is done only once there is an error.
"""
import json
import re

from prover.exchange.inputs.assets import Columns, Declared
from prover.exchange.inputs.problems import Problem, UsersFileError, at
from prover.exchange.inputs.scaling import base_units
from prover.exchange.inputs.table import UsersBuilder, UserTable
from verifier.errors import InputError
from verifier.formats import strict_json
from verifier.formats.amounts import AmountError

_WHITESPACE = re.compile(r"[ \t\n\r]*")


def read_users_okx_json(name: str, text: str, declared: Declared, signed: bool, margin: bool = False) -> UserTable:
    """`signed` reads OKX v2: a negative amount is that asset's debt (loaded only for the margin policy)."""
    try:
        records = strict_json.loads(text, name)
    except InputError:
        raise _located_parse_error(name, text) from None
    if not isinstance(records, list):
        raise at(name, 1, "expected a JSON array of users")
    try:
        table = Columns(declared, require_declared=True)
    except Problem as problem:  # an asset listed without decimals
        raise at(name, 1, problem) from None
    users = UsersBuilder("record", margin)
    for index, record in enumerate(records):
        symbol = None
        try:
            user_id, holdings = _unpack_record(record)
            user = users.add_user(user_id, index)
            for symbol, amount in holdings.items():
                column = table.column(symbol)
                try:
                    _add_amount(users, user, column, table.assets[column].decimals, amount, signed)
                except (AmountError, Problem) as error:
                    raise Problem(f"user {user_id!r}: {symbol}: {error}") from None
            symbol = None
        except Problem as problem:
            raise at(name, _line_of(text, index, symbol), f"record {index}: {problem}") from None
    try:
        return users.build(table.assets)
    except Problem as problem:
        raise at(name, 1, problem) from None


def _unpack_record(record: object) -> tuple[str, dict]:
    if not isinstance(record, dict) or record.keys() != {"id", "assets"}:
        raise Problem('expected an object with exactly the keys "id" and "assets"')
    if not isinstance(record["assets"], dict):
        raise Problem('"assets" must be an object')
    return record["id"], record["assets"]


def _add_amount(users: UsersBuilder, user: int, column: int, decimals: int, amount: object, signed: bool) -> None:
    """A string of integer base units (a JSON integer is accepted too, floats never)."""
    if type(amount) is int:
        amount = str(amount)
    if not isinstance(amount, str):
        raise AmountError(f"amount must be a string of integer base units, found {amount!r}")
    if signed and amount.startswith("-"):
        users.add_margin(user, column, "debt", "debt", base_units(amount[1:], decimals), decimals,
                         f"{amount} base units")
    elif amount.startswith("-"):
        raise AmountError(f"negative amount {amount!r} (OKX v2 debt is read with the okx-v2 format and needs the "
                          "margin policy)")
    else:
        users.add_balance(user, column, base_units(amount, decimals))


def _located_parse_error(name: str, text: str) -> UsersFileError:
    """The strict parse failed: find the line, with the plain parser (syntax) or record by record (a key twice,
    NaN), so the message reads FILE:LINE like every other refusal."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return at(name, error.lineno, f"invalid JSON: {error.msg}")
    if text.lstrip()[:1] == "[":
        for index, (start, end) in enumerate(_record_spans(text)):
            try:
                strict_json.loads(text[start:end], f"record {index}")
            except InputError as error:
                return at(name, text.count("\n", 0, start) + 1, error)
    try:
        strict_json.loads(text, "not a users array")
    except InputError as error:
        return at(name, 1, error)
    return at(name, 1, "invalid JSON")


def _record_spans(text: str):
    """(start, end) of each element of a syntactically valid top-level JSON array."""
    decoder = json.JSONDecoder()
    position = _WHITESPACE.match(text, text.index("[") + 1).end()
    while text[position] != "]":
        _, end = decoder.raw_decode(text, position)
        yield position, end
        position = _WHITESPACE.match(text, end).end()
        if text[position] == ",":
            position = _WHITESPACE.match(text, position + 1).end()


def _line_of(text: str, index: int, symbol: str | None) -> int:
    """Line of record `index`, or of its `symbol` key when that can be found (OKX v2 records span 220 lines)."""
    start, end = next(span for k, span in enumerate(_record_spans(text)) if k == index)
    if symbol is not None:
        assets_key = re.compile(r'"assets"\s*:').search(text, start, end)
        key = re.compile(re.escape(json.dumps(symbol)) + r"\s*:").search(text, assets_key.end() if assets_key else
                                                                         start, end)
        if key:
            start = key.start()
    return text.count("\n", 0, start) + 1
