import pytest
from hypothesis import given
from hypothesis import strategies as st

from verifier.formats.amounts import AmountError, format_amount, parse_amount

decimals_strategy = st.integers(min_value=0, max_value=18)


@given(base_units=st.integers(min_value=0, max_value=1 << 80), decimals=decimals_strategy)
def test_format_then_parse_is_identity(base_units, decimals):
    assert parse_amount(format_amount(base_units, decimals), decimals) == base_units


@given(
    whole=st.integers(min_value=0, max_value=10**12),
    fraction=st.text(alphabet="0123456789", min_size=1, max_size=8),
    trailing_zeros=st.integers(min_value=0, max_value=4),
)
def test_parse_then_format_is_canonical(whole, fraction, trailing_zeros):
    text = f"{whole}.{fraction}{'0' * trailing_zeros}"
    base_units = parse_amount(text, 8)
    assert base_units == whole * 10**8 + int(fraction.ljust(8, "0"))
    canonical = format_amount(base_units, 8)
    assert parse_amount(canonical, 8) == base_units
    assert not canonical.endswith("0") or "." not in canonical


@pytest.mark.parametrize(
    "base_units, decimals, text",
    [
        (50_000_000, 8, "0.5"),
        (1_200_000_000, 8, "12"),
        (1, 8, "0.00000001"),
        (0, 8, "0"),
        (1_000_000, 6, "1"),
        (123, 0, "123"),
        (2**63 - 1, 8, "92233720368.54775807"),
    ],
)
def test_known_formats(base_units, decimals, text):
    assert format_amount(base_units, decimals) == text
    assert parse_amount(text, decimals) == base_units


@pytest.mark.parametrize("text, base_units", [("007", 700_000_000), ("1.", None), ("1.50", 150_000_000)])
def test_parse_edge_spellings(text, base_units):
    if base_units is None:
        with pytest.raises(AmountError):
            parse_amount(text, 8)
    else:
        assert parse_amount(text, 8) == base_units


def test_extra_decimals_allowed_only_as_zeros():
    assert parse_amount("1.000000000", 8) == 100_000_000
    with pytest.raises(AmountError, match="more than 8 decimals"):
        parse_amount("0.000000001", 8)
    with pytest.raises(AmountError, match="more than 0 decimals"):
        parse_amount("1.5", 0)


@pytest.mark.parametrize("text", ["-0.5", "-1", " -3"])
def test_negative_amounts_are_named(text):
    with pytest.raises(AmountError, match="negative amount"):
        parse_amount(text, 8)


@pytest.mark.parametrize(
    "text", ["", ".", ".5", "1e5", "1E5", "+1", "1_000", " 1", "1 ", "1,5", "0x10", "²", "١", "inf", "nan", "1.2.3"]
)
def test_malformed_amounts_are_rejected(text):
    with pytest.raises(AmountError):
        parse_amount(text, 8)


def test_absurdly_long_amount_is_rejected():
    with pytest.raises(AmountError, match="too long"):
        parse_amount("9" * 5000, 8)


def test_format_rejects_negative_and_accepts_numpy_integers():
    import numpy as np

    with pytest.raises(AmountError):
        format_amount(-1, 8)
    assert format_amount(np.uint64(2**63 + 5), 8) == format_amount(2**63 + 5, 8)


def test_negative_decimals_are_rejected():
    with pytest.raises(ValueError):
        parse_amount("1", -1)
    with pytest.raises(ValueError):
        format_amount(1, -1)
