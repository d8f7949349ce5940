"""A complete, valid public.json for tests that need one without proving a round (written by the one codec)."""
from circuits.solvency import Statement
from verifier.formats.amounts import parse_amount
from verifier.formats.public import public_document
from verifier.stark.params import load_preset


def public_json(round_name: str, assets: list[tuple[str, int, str]], leaves: int = 8) -> dict:
    """public.json of a round over `assets` (symbol, decimals, total as a decimal string)."""
    statement = Statement(round_name, tuple((symbol, decimals) for symbol, decimals, _ in assets), leaves,
                          (0, 0, 0, 0), tuple(parse_amount(total, decimals) for _, decimals, total in assets))
    return public_document(statement, "plain", load_preset("test").to_json(), 24)
