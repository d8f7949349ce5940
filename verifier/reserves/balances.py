"""Amounts checked, not trusted: a balances snapshot exported from a node or an explorer at the snapshot height.

A reserves file states each address's amount itself; signatures prove control, not balance. A snapshot lists
what the chain says each address held, and every reserves row is compared with it: the row's address and coin
must be listed, the amount must be equal exactly, and the height must equal the row's `Snapshot Height`.
A row that differs is rejected (not counted), as is a row whose balance already backs another row.

Snapshot formats (UTF-8):
- CSV with the header `address,asset,amount,height` (columns in any order, no others), one address per line;
- JSON: a list of objects with exactly the keys `address`, `asset`, `amount`, `height`.
`asset` is the reserves row's `coin` as written there (case-insensitive: BTC, ETH-ARBITRUM, USDT-TRC20);
`amount` is a decimal string (a JSON number is refused: floats lose digits); `height` is a whole number (JSON
may also give it as a string of digits). Addresses compare in one form per address (`networks.address_key`: hex
and bech32 ignore case, a TRON address may be base58 or `41...` hex), so two spellings of one address under
one asset are a duplicate and refused; and one balance backs one reserves row only, so two rows (on two chains,
say) cannot both count the same listed balance.
"""
import csv
import io
import json
from dataclasses import dataclass
from fractions import Fraction

from verifier.reserves.amounts import format_amount, parse_amount
from verifier.reserves.csvfile import ReserveRow, read_text
from verifier.reserves.errors import ReservesInputError
from verifier.reserves.networks import address_key
from verifier.reserves.ownership import REJECTED, VERIFIED, Verdict

FIELDS = ("address", "asset", "amount", "height")


@dataclass(frozen=True)
class Balance:
    line: int
    address: str
    asset: str
    amount: Fraction
    height: int


@dataclass(frozen=True)
class BalancesSnapshot:
    path: str
    balances: dict[tuple[str, str], Balance]

    def find(self, row: ReserveRow) -> Balance | None:
        return self.balances.get(_key(row.coin, row.address))


def _key(asset: str, address: str) -> tuple[str, str]:
    return asset.strip().upper(), address_key(address.strip())


def read_balances(path: str) -> BalancesSnapshot:
    """Raises ReservesInputError naming the file, line and field of the first malformed entry."""
    text = read_text(path, " balances snapshot")
    records = _json_records(text, path) if text.lstrip().startswith("[") else _csv_records(text, path)
    balances: dict[tuple[str, str], Balance] = {}
    for line, record in records:
        balance = _balance(path, line, record)
        key = _key(balance.asset, balance.address)
        if key in balances:
            raise ReservesInputError(path, f"{balance.asset} {balance.address} is listed twice "
                                           f"(first on line {balances[key].line})", line)
        balances[key] = balance
    return BalancesSnapshot(path, balances)


def _csv_records(text: str, path: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        if sorted(header) != sorted(FIELDS):
            raise ReservesInputError(path, f"header must be {','.join(FIELDS)}, found {','.join(header) or 'nothing'}", 1)
        records = []
        for fields in reader:
            if any(field.strip() for field in fields):
                if len(fields) != len(FIELDS):
                    raise ReservesInputError(path, f"{len(fields)} fields, expected {len(FIELDS)}", reader.line_num)
                records.append((reader.line_num, dict(zip(header, fields))))
        return records
    except csv.Error as exc:
        raise ReservesInputError(path, f"malformed CSV: {exc}", reader.line_num) from None


def _json_records(text: str, path: str) -> list[tuple[int, object]]:
    """The list's elements, each with the line it starts on so that an error can name it."""
    decoder = json.JSONDecoder(object_pairs_hook=_refuse_duplicate_keys)
    records, position = [], _skip_space(text, text.index("[") + 1)
    while not text.startswith("]", position):
        line = _line_of(text, position)
        try:
            element, position = decoder.raw_decode(text, position)
        except ValueError as exc:  # JSONDecodeError, or a key given twice
            raise ReservesInputError(path, f"malformed JSON entry: {exc}", line) from None
        records.append((line, element))
        position = _skip_space(text, position)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
            if text.startswith("]", position):
                raise ReservesInputError(path, "trailing ',' before ']'", _line_of(text, position))
        elif not text.startswith("]", position):
            raise ReservesInputError(path, "expected ',' or ']' after an entry", _line_of(text, position))
    if text[position + 1:].strip():
        raise ReservesInputError(path, "text after the closing ']'", _line_of(text, position))
    return records


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _refuse_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"key {repeated[0]!r} given twice")
    return dict(pairs)


def _balance(path: str, line: int, record: object) -> Balance:
    if not isinstance(record, dict) or sorted(record) != sorted(FIELDS):
        raise ReservesInputError(path, f"each entry must be an object with exactly the keys {', '.join(FIELDS)}", line)

    def text(field: str) -> str:
        value = record[field]
        if not isinstance(value, str) or not value.strip():
            raise ReservesInputError(path, f"field '{field}' must be a non-empty string", line)
        return value.strip()

    try:
        amount = parse_amount(text("amount"))
    except ValueError as exc:
        raise ReservesInputError(path, f"field 'amount': {exc}", line) from None
    height = record["height"]
    if isinstance(height, str) and height.strip().isdigit():
        height = int(height)
    if not isinstance(height, int) or isinstance(height, bool) or height < 0:
        raise ReservesInputError(path, f"field 'height' must be a whole number, found {record['height']!r}", line)
    return Balance(line, text("address"), text("asset"), amount, height)


def compare_balances(rows: tuple[ReserveRow, ...], verdicts: list[Verdict], snapshot: BalancesSnapshot) -> list[Verdict]:
    """Rejects every row the snapshot contradicts, and every row whose balance already backs an earlier row;
    `verdicts` are in row order, as `verify_rows` returns them."""
    backs: dict[int, int] = {}  # snapshot line -> the reserves line its balance counts for
    return [_compare(row, verdict, snapshot, backs) for row, verdict in zip(rows, verdicts, strict=True)]


def _compare(row: ReserveRow, verdict: Verdict, snapshot: BalancesSnapshot, backs: dict[int, int]) -> Verdict:
    if verdict.status == REJECTED:
        return verdict
    balance = snapshot.find(row)
    problem = mismatch(row, balance, snapshot.path)
    if problem is None and verdict.status == VERIFIED:
        first = backs.setdefault(balance.line, row.line)
        if first != row.line:
            problem = (f"the balance in {snapshot.path}:{balance.line} already backs line {first}: one snapshot "
                       "balance backs one reserves row")
    return verdict if problem is None else Verdict(row.line, REJECTED, problem)


def mismatch(row: ReserveRow, balance: Balance | None, path: str) -> str | None:
    """Why the snapshot's balance (None: not listed) contradicts the row, naming the snapshot's line; None when
    it agrees."""
    if balance is None:
        return f"{row.coin} at this address is not in the balances snapshot {path}"
    where = f"{path}:{balance.line}"
    if row.amount != balance.amount:
        return (f"field 'amount' {format_amount(row.amount)} differs from the balance "
                f"{format_amount(balance.amount)} in {where}")
    if row.snapshot_height != str(balance.height):
        return (f"field 'Snapshot Height' {row.snapshot_height or '(empty)'} differs from the height "
                f"{balance.height} in {where}")
    return None
