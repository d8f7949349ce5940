"""Exact conversion between decimal amount strings ("0.5") and integer base units (50000000 at 8 decimals).

Shared by the prover (users files, public.json) and the standalone verifier (--totals, inclusion proofs), so it
lives here rather than in prover/. Floats never touch an amount: every step is string or integer arithmetic.
"""
import operator

from verifier.errors import InputError

BALANCE_BOUND = 1 << 63
"""Every committed balance is below this many base units: the circuit range-checks it with four 16-bit limbs."""

_MAX_AMOUNT_CHARS = 100  # far beyond any real amount; keeps int() away from pathological inputs


class AmountError(InputError):
    """An amount string that is not a non-negative decimal exactly representable in base units."""


def parse_amount(text: str, decimals: int) -> int:
    """Convert a decimal string in asset units to base units, exactly.

    Accepts plain ASCII digits with at most one '.', such as "12", "0.5" or "0.00000001"; rejects signs,
    exponents, separators and blanks. Digits beyond `decimals` are allowed only when they are zeros, since
    the value is then still exact.
    """
    if decimals < 0:
        raise ValueError(f"decimals must be non-negative, got {decimals}")
    whole, dot, fraction = text.partition(".")
    # Checks inlined: this runs once per balance cell, millions of times. isdigit alone would admit '²' and
    # non-ASCII digits, and int() would also take '_' and spaces, hence isascii.
    well_formed = whole.isdigit() and whole.isascii() and (not dot or fraction.isdigit() and fraction.isascii())
    if not well_formed or len(text) > _MAX_AMOUNT_CHARS:
        raise AmountError(_describe_malformed(text))
    if len(fraction) > decimals and fraction[decimals:].strip("0"):
        raise AmountError(f"more than {decimals} decimals in {text!r}")
    return int(whole + fraction[:decimals].ljust(decimals, "0"))


def parse_canonical_amount(text: str, decimals: int) -> int:
    """`parse_amount` for the files this toolkit writes and reads back (SPEC §3): only the one canonical form is
    accepted (no leading zeros, no trailing fraction zeros, no bare '.'), so a displayed amount is the file's."""
    units = parse_amount(text, decimals)
    if text != format_amount(units, decimals):
        raise AmountError(f"{text!r} is not written canonically (as {format_amount(units, decimals)!r})")
    return units


def format_amount(base_units: int, decimals: int) -> str:
    """Render base units as the canonical decimal string: no trailing zeros, no '.' for whole amounts."""
    base_units, decimals = operator.index(base_units), operator.index(decimals)
    if decimals < 0:
        raise ValueError(f"decimals must be non-negative, got {decimals}")
    if base_units < 0:
        raise AmountError(f"negative amount {base_units}")
    whole, fraction = divmod(base_units, 10**decimals)
    if not fraction:
        return str(whole)
    return f"{whole}.{str(fraction).rjust(decimals, '0').rstrip('0')}"


def _describe_malformed(text: str) -> str:
    if text.lstrip().startswith("-"):
        return f"negative amount {text!r}"
    if len(text) > _MAX_AMOUNT_CHARS:
        return f"amount too long ({len(text)} characters)"
    return f"not a plain decimal amount {text!r}"
