"""The plain users CSV: `id,BTC,USDT:6,...`, decimal amounts in asset units, an empty cell for zero."""
import csv
import io
from itertools import compress

from prover.exchange.inputs.assets import Columns, Declared
from prover.exchange.inputs.problems import Problem, at
from prover.exchange.inputs.scaling import Scaler
from prover.exchange.inputs.table import UsersBuilder, UserTable
from verifier.formats.amounts import AmountError


def read_users_csv(name: str, text: str, declared: Declared, scaler: Scaler) -> UserTable:
    """A header `id,<SYMBOL>[:<DECIMALS>],...`; decimals stated there must agree with the declared ones."""
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(rows)  # present: read_text refused a blank file
        table = Columns(declared)
        columns = _parse_header(header, table)
        scales = [table.assets[column].decimals for column in columns]
        every_cell = range(len(columns))
        users = UsersBuilder("line")
        convert, add = scaler.units, users.add_balance
        for row in rows:
            if len(row) != len(header):
                raise Problem(f"expected {len(header)} columns, found {len(row)}")
            user = users.add_user(row[0], rows.line_num)
            cells = row[1:]
            try:
                for k in compress(every_cell, cells):  # only the non-empty cells, picked in C
                    add(user, columns[k], convert(cells[k], scales[k], columns[k]))
            except AmountError as error:
                raise Problem(f"user {row[0]!r}: {table.assets[columns[k]].symbol}: {error}") from None
        symbols = [asset.symbol for asset in table.assets]
        return users.build(table.assets, scaler.floored(symbols))
    except Problem as problem:
        raise at(name, rows.line_num, problem) from None
    except csv.Error as error:
        raise at(name, rows.line_num, f"malformed CSV: {error}") from None


def _parse_header(header: list[str], table: Columns) -> list[int]:
    """For each amount column of the file, the index of its asset in the table."""
    if not header or header[0] != "id":
        raise Problem(f"header must start with 'id', found {header[:1]}")
    seen: set[str] = set()
    columns = []
    for cell in header[1:]:
        symbol, colon, stated = cell.partition(":")
        if colon and not (stated.isdigit() and stated.isascii() and len(stated) <= 2):
            raise Problem(f"{symbol}: decimals must be a number, found {stated!r}")
        if symbol in seen:
            raise Problem(f"asset {symbol!r} appears twice in the header")
        seen.add(symbol)
        columns.append(table.column(symbol, int(stated) if colon else None))
    return columns
