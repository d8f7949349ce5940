"""A users or asset file as text, and which users-file layout it is."""
import csv
import os
from pathlib import Path

from prover.exchange.inputs.problems import at

FORMATS = ("csv", "json", "okx-v2", "binance")
BINANCE_DEBT_PREFIX, BINANCE_EQUITY_PREFIX = "d_", "e_"


def read_text(path: str | os.PathLike) -> str:
    """The whole file as text; reading bytes first lets a UTF-8 error name its exact line."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise at(os.fspath(path), line, "not valid UTF-8") from None
    if not text.strip():
        raise at(os.fspath(path), 1, "empty file")
    return text


def detect_format(text: str) -> str:
    """The layout of a users file, from its content.

    JSON is read as OKX v2 (signed base units): today's unsigned OKX-style JSON is its subset, and a negative
    amount can only mean OKX v2 debt. A CSV header starting `rn,` or holding an `e_X`/`d_X` pair is Binance's
    (a plain users file would need assets literally named `e_X` and `d_X`; say `--format csv` for that).
    """
    if text.lstrip()[:1] in ("[", "{"):
        return "okx-v2"
    header = next(csv.reader([text.partition("\n")[0]]), [])
    if header[:1] == ["rn"]:
        return "binance"
    equity = {cell[len(BINANCE_EQUITY_PREFIX):] for cell in header if cell.startswith(BINANCE_EQUITY_PREFIX)}
    if any(cell[len(BINANCE_DEBT_PREFIX):] in equity for cell in header if cell.startswith(BINANCE_DEBT_PREFIX)):
        return "binance"
    return "csv"
