"""Round-bound messages: with a round's liabilities, a signature must show control during that round.

A signature over a fixed message proves only that someone controlled the address at some time, so the signed
message must name the round as the token `por-round:<round name>` (the round exactly as in public.json),
anywhere in the message with whitespace or the message's start/end on both sides, e.g.
"I control this address for proof of reserves por-round:2024-05". OKX's legacy fixed message is accepted,
because its published files use it, but each such row is listed with a warning.
"""
import re
from dataclasses import replace

from verifier.reserves.csvfile import ReserveRow
from verifier.reserves.ownership import REJECTED, Verdict

ROUND_PREFIX = "por-round:"
LEGACY_MESSAGES = frozenset({"I am an OKX address"})


def round_token(round_name: str) -> str:
    return ROUND_PREFIX + round_name


def round_message(round_name: str) -> str:
    """The message the generator signs for a round."""
    return f"I control this address for proof of reserves {round_token(round_name)}"


def names_round(message: str, round_name: str) -> bool:
    return re.search(rf"(?<!\S){re.escape(round_token(round_name))}(?!\S)", message) is not None


def legacy_warning(round_name: str, count: int) -> str:
    return (f"{count} row(s) signed OKX's legacy fixed message, which does not name round {round_name}: "
            "those signatures prove control of the address at some time, not necessarily during this round.")


def bind_to_round(rows: tuple[ReserveRow, ...], verdicts: list[Verdict], round_name: str) -> list[Verdict]:
    """Rejects every row whose message neither names the round nor is the legacy message, and marks legacy rows;
    `verdicts` are in row order, as `verify_rows` returns them."""
    return [_bind(row, verdict, round_name) for row, verdict in zip(rows, verdicts, strict=True)]


def _bind(row: ReserveRow, verdict: Verdict, round_name: str) -> Verdict:
    if verdict.status == REJECTED or names_round(row.message, round_name):
        return verdict
    if row.message in LEGACY_MESSAGES:
        return replace(verdict, legacy_message=True)
    return Verdict(row.line, REJECTED, f"message does not name round {round_name}: it must contain "
                                       f"'{round_token(round_name)}' (field 'message')")
