"""Exact decimal amounts: parsed into Fractions, printed back without rounding, ratios as fixed-point percents.

Floats never touch a total or a ratio: a reserve ratio that rounds 99.9999% up to 100% would hide a shortfall.
"""
from fractions import Fraction

from verifier.formats import amounts


def parse_amount(text: str) -> Fraction:
    """A non-negative decimal such as ' 5.2834' (surrounding spaces allowed), at whatever precision it is written
    in (reserves are not in base units); the shared parser's rules otherwise. ValueError if malformed."""
    text = text.strip()
    places = len(text.partition(".")[2])
    try:
        return Fraction(amounts.parse_amount(text, places), 10**places)
    except amounts.AmountError:
        raise ValueError(f"not a non-negative decimal amount: {text!r}") from None


def format_amount(value: Fraction) -> str:
    """The exact decimal string of a value with a finite expansion (every sum of parsed amounts has one)."""
    places = decimal_places(value)
    if places == 0:
        return str(value.numerator)
    scaled = value.numerator * 10**places // value.denominator
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def format_percent(ratio: Fraction, places: int = 2) -> str:
    """`ratio` as a percentage truncated (never rounded up) to `places` decimals, e.g. Fraction(26, 25) -> '104.00%'."""
    scaled = ratio.numerator * 100 * 10**places // ratio.denominator
    if places == 0:
        return f"{scaled}%"
    whole, frac = divmod(scaled, 10**places)
    return f"{whole}.{str(frac).rjust(places, '0')}%"


def format_fraction(value: Fraction) -> str:
    """A lossless 'numerator/denominator' string for JSON consumers that want the exact ratio."""
    return f"{value.numerator}/{value.denominator}"


def decimal_places(value: Fraction) -> int:
    """How many decimal places `value` needs to be written exactly (ValueError if no finite expansion)."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        raise ValueError(f"{value} has no finite decimal expansion")
    return max(twos, fives)
