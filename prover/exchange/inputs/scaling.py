"""Amounts at their asset's declared decimals, exactly; flooring finer precision only when asked, and counted.

Every amount goes through the shared parser (`verifier.formats.amounts.parse_amount`); this module adds what a
users file needs around it: the 2^63 cap stated with the decimals that would fit, and an explicit floor option
whose every dropped fraction is totalled per asset so the round can publish it.
"""
from dataclasses import dataclass

from verifier.formats.amounts import BALANCE_BOUND, AmountError, format_amount, parse_amount


@dataclass(frozen=True)
class Floored:
    """What `floor=True` dropped for one asset: how many amounts, and their exact sum in asset units."""

    symbol: str
    amounts: int
    dropped: str


class Scaler:
    """Converts one file's amounts; `floor` truncates digits beyond an asset's decimals instead of refusing."""

    def __init__(self, floor: bool = False):
        self.floor = floor
        self._dropped: dict[int, list[int]] = {}  # column -> [amounts, total, places of total]

    def units(self, text: str, decimals: int, column: int) -> int:
        """Base units of a decimal amount in asset units (called once per balance cell: the exact path first)."""
        try:
            units = parse_amount(text, decimals)  # exact_units inlined: this runs millions of times
        except AmountError as error:
            places = len(text.partition(".")[2])
            if places <= decimals:
                raise
            if not self.floor:
                raise AmountError(f"{error}, the decimals declared for it (flooring needs the explicit option)"
                                  ) from None
            units, lost = divmod(parse_amount(text, places), 10 ** (places - decimals))
            self._note_dropped(column, lost, places)
        return units if units < BALANCE_BOUND else capped(units, decimals)

    def floored(self, symbols: list[str]) -> tuple[Floored, ...]:
        return tuple(
            Floored(symbols[column], amounts, format_amount(total, places))
            for column, (amounts, total, places) in sorted(self._dropped.items())
        )

    def _note_dropped(self, column: int, lost: int, places: int) -> None:
        entry = self._dropped.setdefault(column, [0, 0, places])
        if places > entry[2]:
            entry[1] *= 10 ** (places - entry[2])
            entry[2] = places
        entry[0] += 1
        entry[1] += lost * 10 ** (entry[2] - places)


def exact_units(text: str, decimals: int) -> int:
    """Base units of a decimal amount in asset units, never floored (debt and collateral, whatever the option)."""
    units = parse_amount(text, decimals)
    return units if units < BALANCE_BOUND else capped(units, decimals)


def base_units(text: str, decimals: int) -> int:
    """An amount already in base units (a JSON integer string); `decimals` only serves the cap's message."""
    return capped(parse_amount(text, 0), decimals)


def capped(units: int, decimals: int) -> int:
    """`units` if below 2^63, else the error a person can act on: which decimals would fit this balance."""
    if units < BALANCE_BOUND:
        return units
    fitting = next((k for k in range(decimals, -1, -1) if units // 10 ** (decimals - k) < BALANCE_BOUND), None)
    advice = (f"at most {fitting} decimals fit this balance" if fitting is not None
              else "it does not fit at any number of decimals")
    magnitude = f"{float(units):.1e}".replace("e+", "e")
    raise AmountError(f"{format_amount(units, decimals)} at {decimals} decimals is {magnitude} base units, "
                      f"not below the 2^63 cap; {advice}")
