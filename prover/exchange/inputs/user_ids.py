"""User ids as they enter the tree: NFC-normalized, visible, unique.

An id is what a user types to find their proof, so two ids that look alike must not be two people: ids are
NFC-normalized (so a precomposed and a decomposed 'é' are one id, and a duplicate), and any character that is
not visibly printed is refused: Python's non-printables (Unicode categories Cc, Cf, Cs, Co, Cn, Zl, Zp, and
every space but U+0020) plus the Default_Ignorable_Code_Point set (zero-width joiners, bidi marks, variation
selectors, Hangul fillers, tags...), some of which are letters or marks by category yet render as nothing.
"""
import re
import unicodedata

from prover.exchange.inputs.problems import Problem

MAX_USER_ID_BYTES = 256

# Unicode 15 DerivedCoreProperties.txt, Default_Ignorable_Code_Point (those not already non-printable are the
# point: U+034F, U+115F-1160, U+17B4-17B5, U+180B-180D/F, U+3164, U+FE00-FE0F, U+FFA0, U+E0100-E01EF...).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def normalize_user_id(raw: object) -> str:
    """The id to commit to, or `Problem` saying which rule `raw` breaks."""
    if not isinstance(raw, str):
        raise Problem(f"id must be a string, found {raw!r}")
    user_id = raw if raw.isascii() else unicodedata.normalize("NFC", raw)
    if not user_id or user_id.isspace():
        raise Problem(f"empty id {raw!r}")
    hidden = _first_hidden(user_id)
    if hidden is not None:
        raise Problem(f"id {raw!r} contains a control or invisible character, U+{ord(hidden):04X} "
                      f"{unicodedata.name(hidden, '(unnamed)')}")
    if user_id != user_id.strip():
        raise Problem(f"id {raw!r} has leading or trailing whitespace")
    if len(user_id) * 4 > MAX_USER_ID_BYTES and len(user_id.encode()) > MAX_USER_ID_BYTES:
        raise Problem(f"id longer than {MAX_USER_ID_BYTES} UTF-8 bytes")
    return user_id


def _first_hidden(user_id: str) -> str | None:
    if user_id.isprintable():
        if user_id.isascii():
            return None
        found = _INVISIBLE.search(user_id)
        return found.group() if found else None
    return next(c for c in user_id if not c.isprintable())
