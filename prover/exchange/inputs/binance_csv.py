"""Binance's users CSV (`vectors/binance_sample_users.csv`): `rn,id`, then per asset `e_X` equity, `d_X` debt, the
net `X`, and the collateral pledged as `vl_X` (VIP loan), `m_X` (margin) and `pm_X` (portfolio margin), then
`total_net_balance_usdt`.

Only equity, debt and collateral are inputs. The net and total columns are derived (in Binance's own sample they
carry float artifacts such as 0.07843069000000008, and the total is 0 on most rows), so they are neither read
nor required. Debt and collateral are parsed exactly (never floored); they load only for the margin policy, whose
collateral kinds are `loan`, `margin` and `portfolio` (the asset list's `<kind>_tiers_ratio` columns).
"""
import csv
import io
from dataclasses import dataclass

from prover.exchange.inputs.assets import Columns, Declared
from prover.exchange.inputs.problems import Problem, at
from prover.exchange.inputs.scaling import Scaler, exact_units
from prover.exchange.inputs.source import BINANCE_DEBT_PREFIX, BINANCE_EQUITY_PREFIX
from prover.exchange.inputs.table import UsersBuilder, UserTable
from verifier.formats.amounts import AmountError

_MARGIN_PREFIXES = {BINANCE_DEBT_PREFIX: ("debt", "debt"), "vl_": ("loan", "VIP-loan collateral"),
                    "m_": ("margin", "margin collateral"), "pm_": ("portfolio", "portfolio-margin collateral")}
_IGNORED = ("rn", "total_net_balance_usdt")


@dataclass(frozen=True)
class _Field:
    position: int  # in the row
    column: int  # the asset's column in the table
    kind: str  # "equity", "debt" or a collateral kind
    label: str  # the kind, for messages
    name: str  # header cell, for messages


def read_users_binance(name: str, text: str, declared: Declared, scaler: Scaler, margin: bool = False) -> UserTable:
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(rows)
        table = Columns(declared)
        id_position, fields = _parse_header(header, table)
        users = UsersBuilder("line", margin)
        for row in rows:
            if len(row) != len(header):
                raise Problem(f"expected {len(header)} columns, found {len(row)}")
            user = users.add_user(row[id_position], rows.line_num)
            for spec in fields:
                cell = row[spec.position]
                if not cell:
                    continue
                asset = table.assets[spec.column]
                try:
                    if spec.kind == "equity":
                        users.add_balance(user, spec.column, scaler.units(cell, asset.decimals, spec.column))
                    else:  # exact: a debt floored to zero would load as no debt
                        users.add_margin(user, spec.column, spec.kind, spec.label, exact_units(cell, asset.decimals),
                                         asset.decimals, spec.name)
                except (AmountError, Problem) as error:
                    raise Problem(f"user {row[id_position]!r}: {asset.symbol}: {error}") from None
        return users.build(table.assets, scaler.floored([asset.symbol for asset in table.assets]))
    except Problem as problem:
        raise at(name, rows.line_num, problem) from None
    except csv.Error as error:
        raise at(name, rows.line_num, f"malformed CSV: {error}") from None


def _parse_header(header: list[str], table: Columns) -> tuple[int, list[_Field]]:
    """The id's position and every input field; an asset is defined by its `e_X` column and needs `d_X` too."""
    for cell in header:
        if header.count(cell) > 1:
            raise Problem(f"column {cell!r} appears twice")
    if "id" not in header:
        raise Problem("no 'id' column")
    assets = [cell[len(BINANCE_EQUITY_PREFIX):] for cell in header if cell.startswith(BINANCE_EQUITY_PREFIX)]
    fields = []
    for position, cell in enumerate(header):
        if cell in _IGNORED or cell == "id" or cell in assets:  # `X` alone is the derived net
            continue
        kind, label, symbol = _kind_and_symbol(cell, assets)
        fields.append(_Field(position, table.column(symbol), kind, label, cell))
    for symbol in assets:
        if BINANCE_DEBT_PREFIX + symbol not in header:
            raise Problem(f"{symbol}: no {BINANCE_DEBT_PREFIX}{symbol} column beside {BINANCE_EQUITY_PREFIX}{symbol}")
    if not assets:
        raise Problem(f"no {BINANCE_EQUITY_PREFIX}<asset> column")
    return header.index("id"), fields


def _kind_and_symbol(cell: str, assets: list[str]) -> tuple[str, str, str]:
    if cell.startswith(BINANCE_EQUITY_PREFIX):
        return "equity", "equity", cell[len(BINANCE_EQUITY_PREFIX):]
    for prefix, (kind, label) in _MARGIN_PREFIXES.items():
        if cell.startswith(prefix) and cell[len(prefix):] in assets:
            return kind, label, cell[len(prefix):]
    raise Problem(f"unknown column {cell!r} (Binance's layout has rn, id, and per asset X: e_X, d_X, X, vl_X, m_X, "
                  "pm_X, then total_net_balance_usdt)")
