"""OKX's reserves CSV: an optional per-coin totals block, a blank line, then one row per address.

Columns are found by header name, so the 11-column layout, the 12-column staking layout (with `Type`) and
rows that leave trailing empty fields out all read the same way. Empty fields may be spelled "", null or \\N.
A row whose structure is broken stops the whole file (ReservesInputError); a row that is well-formed but whose
content is wrong (a malformed amount, a missing signature) is kept with `problem` set so it is reported as
rejected while every other row is still checked.
"""
import csv
import io
from dataclasses import dataclass
from fractions import Fraction

from verifier.reserves.amounts import parse_amount
from verifier.reserves.errors import ReservesInputError

EMPTY_SPELLINGS = {"", "null", "\\n"}
TOTALS_HEADER = ["coin", "snapshotheight", "amount"]
ROW_COLUMNS = {
    "coin", "type", "network", "snapshotheight", "address", "amount", "message",
    "signature1", "signature2", "redeemscript/publickey", "eoa1", "eoa2",
}
REQUIRED_COLUMNS = ("coin", "network", "address", "amount", "message", "signature1")


@dataclass(frozen=True)
class DeclaredTotal:
    """A totals-block line, e.g. `USDT(ALL),-,5569`: what the file claims, compared later with its rows."""

    line: int
    coin: str
    snapshot_height: str
    amount: Fraction


@dataclass(frozen=True)
class ReserveRow:
    line: int
    coin: str
    network: str
    address: str
    amount: Fraction | None
    message: str
    signatures: tuple[str, ...]
    script: str
    owners: tuple[str, ...]
    wallet_type: str = ""
    snapshot_height: str = ""
    problem: str | None = None


@dataclass(frozen=True)
class ReservesFile:
    path: str
    totals: tuple[DeclaredTotal, ...]
    rows: tuple[ReserveRow, ...]


def read_reserves(path: str) -> ReservesFile:
    return parse_reserves(read_text(path), path)


def read_text(path: str, what: str = "") -> str:
    """A UTF-8 input file (a byte-order mark allowed, newlines kept for the csv module), or ReservesInputError."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ReservesInputError(path, f"cannot read{what}: {exc}") from None


def parse_reserves(text: str, path: str = "<reserves>") -> ReservesFile:
    records = [(line, fields) for line, fields in _records(text, path)]
    totals: list[DeclaredTotal] = []
    position = 0
    if records and _header_key(records[0][1]) == TOTALS_HEADER:
        position = 1
        while position < len(records) and records[position][1] is not None:
            totals.append(_declared_total(path, *records[position]))
            position += 1
    records = [(line, fields) for line, fields in records[position:] if fields is not None]
    if not records:
        raise ReservesInputError(path, "no address rows (expected a header starting 'coin,Network,...')")
    header_line, header = records[0]
    columns = _row_columns(path, header_line, header)
    rows = tuple(_reserve_row(path, line, fields, columns) for line, fields in records[1:])
    return ReservesFile(path, tuple(totals), rows)


def _records(text: str, path: str):
    """(line number, fields) per CSV record; fields is None for a blank line (the block separator)."""
    reader = csv.reader(io.StringIO(text), strict=True)
    line = 1
    try:
        for fields in reader:
            blank = not fields or all(not f.strip() for f in fields)
            yield line, None if blank else fields
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ReservesInputError(path, f"malformed CSV: {exc}", line) from None


def _header_key(fields: list[str] | None) -> list[str] | None:
    return None if fields is None else ["".join(f.split()).lower() for f in fields]


def _declared_total(path: str, line: int, fields: list[str]) -> DeclaredTotal:
    if len(fields) != 3:
        raise ReservesInputError(path, f"totals row has {len(fields)} fields, expected 3 (coin,snapshot height,amount)", line)
    coin, height, amount = (f.strip() for f in fields)
    try:
        return DeclaredTotal(line, coin, height, parse_amount(amount))
    except ValueError as exc:
        raise ReservesInputError(path, f"totals row for {coin}: {exc}", line) from None


def _row_columns(path: str, line: int, header: list[str]) -> dict[str, int]:
    names = _header_key(header)
    unknown = [raw.strip() for raw, name in zip(header, names) if name not in ROW_COLUMNS]
    if unknown:
        raise ReservesInputError(path, f"unknown column(s) {', '.join(unknown)} in the address header", line)
    if len(set(names)) != len(names):
        raise ReservesInputError(path, "duplicate column in the address header", line)
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ReservesInputError(path, f"address header lacks column(s): {', '.join(missing)}", line)
    return {name: index for index, name in enumerate(names)}


def _reserve_row(path: str, line: int, fields: list[str], columns: dict[str, int]) -> ReserveRow:
    if len(fields) > len(columns):
        raise ReservesInputError(path, f"row has {len(fields)} fields but the header has {len(columns)}", line)

    def field(name: str) -> str:
        index = columns.get(name)
        value = fields[index].strip() if index is not None and index < len(fields) else ""
        return "" if value.lower() in EMPTY_SPELLINGS or value == '""' else value

    amount, problem = None, None
    try:
        amount = parse_amount(field("amount"))
    except ValueError as exc:
        problem = f"amount: {exc}"
    for name in ("coin", "network", "address", "message", "signature1"):
        if problem is None and not field(name):
            problem = f"empty {name}"
    return ReserveRow(
        line=line,
        coin=field("coin"),
        network=field("network"),
        address=field("address"),
        amount=amount,
        message=field("message"),
        signatures=tuple(s for s in (field("signature1"), field("signature2")) if s),
        script=field("redeemscript/publickey"),
        owners=tuple(o for o in (field("eoa1"), field("eoa2")) if o),
        wallet_type=field("type"),
        snapshot_height=field("snapshotheight"),
        problem=problem,
    )
