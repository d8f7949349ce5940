"""User ids (SPEC §3): NFC-normalized; control and invisible characters refused, so look-alikes are not two ids."""
import unicodedata

import pytest

from prover.exchange.inputs import normalize_user_id
from prover.exchange.inputs.problems import Problem


@pytest.mark.parametrize("user_id", ["alice", "O'Brien", "zo\u00eb", "\u5f20\u4f1f", "user 42", "a" * 256, "🙂"])
def test_visible_ids_are_kept(user_id):
    assert normalize_user_id(user_id) == user_id


def test_ids_are_nfc_normalized():
    decomposed = "zoe\u0308"
    assert normalize_user_id(decomposed) == "zo\u00eb" == unicodedata.normalize("NFC", decomposed)
    assert normalize_user_id("\u212b") == "\u00c5"  # ANGSTROM SIGN becomes A WITH RING ABOVE


@pytest.mark.parametrize(
    "char, name",
    [
        ("\x00", "U+0000"),  # Cc
        ("\x1b", "U+001B"),  # Cc
        ("\x7f", "U+007F"),  # Cc
        ("\u200b", "U+200B ZERO WIDTH SPACE"),  # Cf
        ("\u200c", "U+200C ZERO WIDTH NON-JOINER"),  # Cf
        ("\u200e", "U+200E LEFT-TO-RIGHT MARK"),  # Cf, bidi
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),  # Cf, bidi
        ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),  # Cf, bidi
        ("\u00ad", "U+00AD SOFT HYPHEN"),  # Cf
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),  # Cf
        ("\u2028", "U+2028 LINE SEPARATOR"),  # Zl
        ("\u2029", "U+2029 PARAGRAPH SEPARATOR"),  # Zp
        ("\u00a0", "U+00A0 NO-BREAK SPACE"),  # Zs other than U+0020
        ("\u3000", "U+3000 IDEOGRAPHIC SPACE"),  # Zs
        ("\u034f", "U+034F COMBINING GRAPHEME JOINER"),  # Mn, default-ignorable
        ("\ufe0f", "U+FE0F VARIATION SELECTOR-16"),  # Mn, default-ignorable
        ("\u3164", "U+3164 HANGUL FILLER"),  # Lo, default-ignorable
        ("\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),  # Cf, tag
        ("\ue000", "U+E000 (unnamed)"),  # Co, private use
    ],
)
def test_control_and_invisible_characters_are_refused(char, name):
    with pytest.raises(Problem, match="control or invisible character, " + name.replace("+", r"\+")
                       .replace("(", r"\(").replace(")", r"\)")):
        normalize_user_id(f"al{char}ice")


@pytest.mark.parametrize(
    "user_id, pattern",
    [
        ("", "empty id"),
        (" \t", "empty id"),
        (" alice", "leading or trailing whitespace"),
        ("alice ", "leading or trailing whitespace"),
        ("a" * 257, "longer than 256 UTF-8 bytes"),
        ("\u00e9" * 129, "longer than 256 UTF-8 bytes"),
        (7, "id must be a string"),
    ],
)
def test_other_refusals(user_id, pattern):
    with pytest.raises(Problem, match=pattern):
        normalize_user_id(user_id)


def test_look_alikes_that_are_visibly_different_are_two_ids():
    """NFC, not NFKC: a full-width 'Ａ' is a visible, different character, so it stays a different id."""
    assert normalize_user_id("\uff21lice") != normalize_user_id("Alice")
