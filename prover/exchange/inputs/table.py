"""The table a round consumes, and the builder every reader fills it through.

The liabilities proof is only as sound as these checks: every balance in a `UserTable` is an integer in
[0, 2^63), every id is NFC-normalized, visible and unique. Debt and collateral are parsed and checked by the
readers and refused here unless the builder is for the margin policy, so no plain round can load them by accident.
"""
from dataclasses import dataclass, field

import numpy as np

from prover.exchange.inputs.assets import Asset
from prover.exchange.inputs.problems import Problem
from prover.exchange.inputs.scaling import Floored
from prover.exchange.inputs.user_ids import normalize_user_id
from prover.exchange.solvency_trace import exact_totals
from verifier.formats.amounts import BALANCE_BOUND, format_amount


@dataclass
class MarginBooks:
    """Debt and collateral in base units beside a table's equity (its `balances`): `debt` (N, A), `collateral`
    kind -> (N, A) for the collateral kinds the file uses; `locations[i]`: where user i is in the file (a line, or
    a record for JSON: `location_kind`)."""

    debt: np.ndarray
    collateral: dict[str, np.ndarray]
    locations: list[int]
    location_kind: str

    def where(self, name: str, user: int) -> str:
        """File and place of a user, for messages."""
        if self.location_kind == "line":
            return f"{name}:{self.locations[user]}"
        return f"{name}: {self.location_kind} {self.locations[user]}"


@dataclass
class UserTable:
    """Users and their balances in base units: row i of `balances` is `ids[i]`, column j is `assets[j]`.

    Construction enforces the shape and the 2^63 bound, so no table can carry an out-of-range balance. `floored`
    lists, per asset, what an explicit floor option dropped (empty when amounts were exact), for public.json.
    """

    assets: list[Asset]
    ids: list[str]
    balances: np.ndarray
    floored: tuple[Floored, ...] = field(default=())
    margin: MarginBooks | None = None  # only when read for the margin policy

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


class UsersBuilder:
    """Collects validated users; balances are kept sparse since most users hold only a few assets."""

    def __init__(self, location_kind: str, margin: bool = False):
        self.ids: list[str] = []
        self.margin = margin
        self._locations: list[int] = []
        self._margin: list[tuple[int, int, str, int]] = []  # (user, column, "debt" or a collateral kind, units)
        self._location_kind = location_kind
        self._first: dict[str, tuple[int, str]] = {}  # normalized id -> (location, id as written)
        self._rows: list[int] = []
        self._columns: list[int] = []
        self._values: list[int] = []

    def add_user(self, raw_id: object, location: int) -> int:
        user_id = normalize_user_id(raw_id)
        first, written = self._first.setdefault(user_id, (location, raw_id))
        if first != location:
            same = "" if written == raw_id else f", written {written!r}: equal after NFC normalization"
            raise Problem(f"duplicate id {raw_id!r} (first on {self._location_kind} {first}{same})")
        self.ids.append(user_id)
        self._locations.append(location)
        return len(self.ids) - 1

    def add_balance(self, user: int, column: int, base_units: int) -> None:
        if base_units:
            self._rows.append(user)
            self._columns.append(column)
            self._values.append(base_units)

    def add_margin(self, user: int, column: int, kind: str, label: str, base_units: int, decimals: int,
                   field_name: str) -> None:
        """Debt (`kind` "debt") or collateral of a kind: refused unless building for the margin policy."""
        if not base_units:
            return
        if not self.margin:
            raise Problem(f"{label} of {format_amount(base_units, decimals)} ({field_name}) needs the margin policy "
                          "(--policy margin); the plain policy loads only equity-only rows")
        if base_units >= BALANCE_BOUND:
            raise Problem(f"{label} of {format_amount(base_units, decimals)} ({field_name}) is 2^63 base units or more")
        self._margin.append((user, column, kind, base_units))

    def build(self, assets: list[Asset], floored: tuple[Floored, ...] = ()) -> UserTable:
        if not self.ids:
            raise Problem("no users")
        if not assets:
            raise Problem("no assets")
        balances = np.zeros((len(self.ids), len(assets)), dtype=np.uint64)
        rows, columns = np.asarray(self._rows, dtype=np.intp), np.asarray(self._columns, dtype=np.intp)
        balances[rows, columns] = np.asarray(self._values, dtype=np.uint64)
        books = None
        if self.margin:
            books = MarginBooks(np.zeros_like(balances), {}, self._locations, self._location_kind)
            for user, column, kind, units in self._margin:
                target = books.debt if kind == "debt" else books.collateral.setdefault(kind, np.zeros_like(balances))
                target[user, column] = units
        return UserTable(assets=assets, ids=self.ids, balances=balances, floored=floored, margin=books)
