"""Write corpus.json: malformed and borderline inclusion proofs, each with the answer every verifier must give.

The grammar they probe is verifier/formats/strict_json.py's docstring (SPEC §3). Every case is derived from the
valid proofs of tests/page_fixtures.py (a real 16-leaf tree), so after a change to the format or the hashes,
rerun `python tests/vectors/inclusion_corpus/generate.py`: this script is the source of truth, and
tests/verifier/test_page.py fails while corpus.json differs from what it writes.

A case is {name, proof (the exact text), expected, refused_by}: expected is VALID, INVALID (a failed check:
`por-verify inclusion` exits 1) or MALFORMED (exit 2); refused_by says where: "json" (the text is not the
grammar's JSON), "format" (not an inclusion proof), "check" (a well-formed proof that does not reach the root).
"""
from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # tests/, for page_fixtures when run as a script

from page_fixtures import build_round  # noqa: E402

from verifier.formats.inclusion import inclusion_json  # noqa: E402

OUT = HERE / "corpus.json"
PUBLIC, PROOFS = build_round()
ROOT = PUBLIC["root"]
MARK = "@RAW@"
VALID, INVALID, MALFORMED = "VALID", "INVALID", "MALFORMED"
OK, BAD_JSON, BAD_FORMAT, FAILS = (VALID, None), (MALFORMED, "json"), (MALFORMED, "format"), (INVALID, "check")

ALICE = inclusion_json(PROOFS["alice"])  # one entry, index 0; BTC 0.1 (8 decimals), ETH 1.5 (18), USDT 0 (6)
BOB = inclusion_json(PROOFS["bob"])  # three entries; leaves 16
EMILIE = inclusion_json(PROOFS["émilie 😀"])


def edit(text: str, old: str, new: str) -> str:
    """`text` with its one occurrence of `old` replaced."""
    if text.count(old) != 1:
        raise ValueError(f"{old!r} occurs {text.count(old)} times")
    return text.replace(old, new)


def raw(user: str, path: tuple, token: str) -> str:
    """The user's proof with the value at `path` written as the verbatim JSON text `token`."""
    document = copy.deepcopy(PROOFS[user])
    holder = document
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = MARK
    return edit(inclusion_json(document), json.dumps(MARK), token)


def amount(symbol: str, token: str) -> str:
    """Alice's proof with one asset's amount written as `token`, in her entry and in her total alike."""
    document = copy.deepcopy(PROOFS["alice"])
    document["balances"][symbol] = document["entries"][0]["balances"][symbol] = MARK
    return inclusion_json(document).replace(json.dumps(MARK), token)


def changed(user: str, change) -> str:
    document = copy.deepcopy(PROOFS[user])
    change(document)
    return inclusion_json(document)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# Bob's entry with the largest leaf index (two digits in the 16-leaf tree), written in the forms below.
_AT = max(range(len(PROOFS["bob"]["entries"])), key=lambda k: PROOFS["bob"]["entries"][k]["index"])
B = PROOFS["bob"]["entries"][_AT]["index"]
assert B >= 10, "the cases below want a two-digit index"
OTHER = next(i for i in range(PUBLIC["leaves"]) if i not in {e["index"] for e in PROOFS["bob"]["entries"]})
INDEX, LEAVES, DECIMALS = ("entries", _AT, "index"), ("leaves",), ("assets", 0, "decimals")
CASES = {
    # -- the valid proofs, and forms of them every reader must accept -------------------------------------------------
    "alice as exported": (ALICE, OK),
    "bob as exported (three entries)": (BOB, OK),
    "non-ASCII user id as exported": (EMILIE, OK),
    "pretty-printed": (json.dumps(PROOFS["bob"], indent=2, ensure_ascii=False), OK),
    "indented with tabs, CRLF line ends": (json.dumps(PROOFS["bob"], indent="\t").replace("\n", "\r\n"), OK),
    "blanks before and after": (" \t\r\n" + ALICE.strip() + "\n\n  ", OK),
    "no final newline": (ALICE.strip(), OK),
    "top-level keys reordered": (json.dumps(dict(reversed(list(PROOFS["alice"].items())))), OK),
    "entry keys reordered": (changed("bob", lambda p: p["entries"].__setitem__(
        1, dict(reversed(list(p["entries"][1].items()))))), OK),
    "user id written as escapes": (edit(EMILIE, '"émilie 😀"', '"\\u00e9milie \\ud83d\\ude00"'), OK),
    "user id escapes in upper-case hex": (edit(EMILIE, '"émilie 😀"', '"\\u00E9milie \\uD83D\\uDE00"'), OK),
    "ASCII user id with an escape": (edit(ALICE, '"alice"', '"\\u0061lice"'), OK),
    "round with an escape": (edit(ALICE, '"2026-11"', '"\\u0032026\\u002d11"'), OK),
    "key written as an escape": (edit(ALICE, '"user_id"', '"\\u0075ser_id"'), OK),
    "amount written with an escape": (amount("ETH", '"\\u0031.5"'), OK),
    # -- integers: the value is right, the form is not ------------------------------------------------------------
    "index B.0": (raw("bob", INDEX, f"{B}.0"), BAD_FORMAT),
    "index Be0": (raw("bob", INDEX, f"{B}e0"), BAD_FORMAT),
    "index BE+0": (raw("bob", INDEX, f"{B}E+0"), BAD_FORMAT),
    "index 0.Be2": (raw("bob", INDEX, f"0.{B}e2"), BAD_FORMAT),
    "index B0e-1": (raw("bob", INDEX, f"{B}0e-1"), BAD_FORMAT),
    "leaves 16.0": (raw("bob", LEAVES, "16.0"), BAD_FORMAT),
    "leaves 1.6e1": (raw("bob", LEAVES, "1.6e1"), BAD_FORMAT),
    "leaves 16e0": (raw("bob", LEAVES, "16e0"), BAD_FORMAT),
    "decimals 8.0": (raw("bob", DECIMALS, "8.0"), BAD_FORMAT),
    "decimals 8e0": (raw("bob", DECIMALS, "8e0"), BAD_FORMAT),
    "index -0": (raw("alice", ("entries", 0, "index"), "-0"), BAD_JSON),
    "index -0.0": (raw("alice", ("entries", 0, "index"), "-0.0"), BAD_FORMAT),
    "index 0.0": (raw("alice", ("entries", 0, "index"), "0.0"), BAD_FORMAT),
    "index 0e0": (raw("alice", ("entries", 0, "index"), "0e0"), BAD_FORMAT),
    "index 00": (raw("alice", ("entries", 0, "index"), "00"), BAD_JSON),
    "index 0B": (raw("bob", INDEX, f"0{B}"), BAD_JSON),
    "index +B": (raw("bob", INDEX, f"+{B}"), BAD_JSON),
    "index - B": (raw("bob", INDEX, f"- {B}"), BAD_JSON),
    "index -B": (raw("bob", INDEX, f"-{B}"), BAD_FORMAT),
    "leaves 016": (raw("bob", LEAVES, "016"), BAD_JSON),
    "decimals -0": (raw("bob", DECIMALS, "-0"), BAD_JSON),
    "index 2^53 + B": (raw("bob", INDEX, str(2**53 + B)), BAD_FORMAT),
    "index 2^64 + B": (raw("bob", INDEX, str(2**64 + B)), BAD_FORMAT),
    "leaves 2^53 + 16": (raw("bob", LEAVES, str(2**53 + 16)), BAD_FORMAT),
    "leaves 2^32 (a power of two beyond 2^31)": (raw("bob", LEAVES, str(2**32)), BAD_FORMAT),
    "decimals 2^64 + 8": (raw("bob", DECIMALS, str(2**64 + 8)), BAD_FORMAT),
    "index of 100 digits": (raw("bob", INDEX, "1" * 100), BAD_FORMAT),
    "index of 101 digits": (raw("bob", INDEX, "1" * 101), BAD_JSON),
    "index NaN": (raw("bob", INDEX, "NaN"), BAD_JSON),
    "leaves Infinity": (raw("bob", LEAVES, "Infinity"), BAD_JSON),
    "index -Infinity": (raw("bob", INDEX, "-Infinity"), BAD_JSON),
    "decimals 1e400 (infinite as a float)": (raw("bob", DECIMALS, "1e400"), BAD_FORMAT),
    "index as a string": (raw("bob", INDEX, f'"{B}"'), BAD_FORMAT),
    "leaves as a string": (raw("bob", LEAVES, '"16"'), BAD_FORMAT),
    "index true": (raw("bob", INDEX, "true"), BAD_FORMAT),
    "index null": (raw("bob", INDEX, "null"), BAD_FORMAT),
    "index [B]": (raw("bob", INDEX, f"[{B}]"), BAD_FORMAT),
    "index of another leaf": (raw("bob", INDEX, str(OTHER)), FAILS),
    # -- amounts: canonical decimal strings at the asset's decimals -----------------------------------------------
    "ETH 1.50 (18 decimals allow it, the canonical form is 1.5)": (amount("ETH", '"1.50"'), BAD_FORMAT),
    "ETH 1.5 with 18 decimals written out": (amount("ETH", '"1.500000000000000000"'), BAD_FORMAT),
    "BTC 0.10000000": (amount("BTC", '"0.10000000"'), BAD_FORMAT),
    "BTC 0.100000000 (beyond 8 decimals, zeros)": (amount("BTC", '"0.100000000"'), BAD_FORMAT),
    "BTC 0.000000001 (beyond 8 decimals)": (amount("BTC", '"0.000000001"'), BAD_FORMAT),
    "ETH 01.5": (amount("ETH", '"01.5"'), BAD_FORMAT),
    "BTC 00.1": (amount("BTC", '"00.1"'), BAD_FORMAT),
    "BTC .1": (amount("BTC", '".1"'), BAD_FORMAT),
    "USDT 0.": (amount("USDT", '"0."'), BAD_FORMAT),
    "USDT 0.0": (amount("USDT", '"0.0"'), BAD_FORMAT),
    "USDT 00": (amount("USDT", '"00"'), BAD_FORMAT),
    "USDT -0": (amount("USDT", '"-0"'), BAD_FORMAT),
    "USDT +0": (amount("USDT", '"+0"'), BAD_FORMAT),
    "USDT 0e0": (amount("USDT", '"0e0"'), BAD_FORMAT),
    "ETH 15e-1": (amount("ETH", '"15e-1"'), BAD_FORMAT),
    "BTC 1e3": (amount("BTC", '"1e3"'), BAD_FORMAT),
    "ETH 1,5": (amount("ETH", '"1,5"'), BAD_FORMAT),
    "ETH with a leading blank": (amount("ETH", '" 1.5"'), BAD_FORMAT),
    "ETH with a trailing blank": (amount("ETH", '"1.5 "'), BAD_FORMAT),
    "USDT in Arabic-Indic digits": (amount("USDT", '"\u0660"'), BAD_FORMAT),
    "USDT in full-width digits": (amount("USDT", '"\uff10"'), BAD_FORMAT),
    "USDT empty": (amount("USDT", '""'), BAD_FORMAT),
    "ETH as a JSON number": (amount("ETH", "1.5"), BAD_FORMAT),
    "USDT as the JSON integer 0": (amount("USDT", "0"), BAD_FORMAT),
    "USDT null": (amount("USDT", "null"), BAD_FORMAT),
    "BTC of 101 characters": (amount("BTC", json.dumps("1" + "0" * 100)), BAD_FORMAT),
    "BTC 2^63 base units": (amount("BTC", '"92233720368.54775808"'), FAILS),
    "BTC 2^63 - 1 base units (not alice's leaf)": (amount("BTC", '"92233720368.54775807"'), FAILS),
    "ETH changed in the entry and the total": (amount("ETH", '"1.6"'), FAILS),
    # -- keys given twice, at every level ---------------------------------------------------------------------
    "user_id twice at the top, same value": (edit(ALICE, '{"format"', '{"user_id":"alice","format"'), BAD_JSON),
    "format twice at the top": (edit(ALICE, ',"round"', ',"format":"por-inclusion/2","round"'), BAD_JSON),
    "user_id twice, once as an escape": (edit(ALICE, '{"format"', '{"\\u0075ser_id":"alice","format"'), BAD_JSON),
    "index twice in an entry": (edit(BOB, f'{{"index":{B},', f'{{"index":{B},"index":{B},'), BAD_JSON),
    "BTC twice in an entry's balances": (edit(BOB, '{"BTC":"0.25",', '{"BTC":"0.25","BTC":"0.25",'), BAD_JSON),
    "BTC twice in the total": (edit(BOB, '{"BTC":"1.5",', '{"BTC":"1.5","BTC":"1.5",'), BAD_JSON),
    "decimals twice in an asset": (edit(BOB, '"decimals":18', '"decimals":18,"decimals":18'), BAD_JSON),
    "a key twice in a value of the wrong type": (raw("bob", ("user_id",), '{"a":1,"a":2}'), BAD_JSON),
    "user_id and User_id": (edit(ALICE, '{"format"', '{"User_id":"alice","format"'), BAD_FORMAT),
    "total's keys in another order": (edit(BOB, '{"BTC":"1.5","ETH":"0.000000000000000001",',
                                           '{"ETH":"0.000000000000000001","BTC":"1.5",'), BAD_FORMAT),
    # -- blanks and bytes around the value -------------------------------------------------------------------
    "byte-order mark first": ("\ufeff" + ALICE, BAD_JSON),
    "byte-order mark last": (ALICE + "\ufeff", BAD_JSON),
    "no-break space between tokens": (edit(ALICE, '{"format"', '{\u00a0"format"'), BAD_JSON),
    "form feed between tokens": (edit(ALICE, '{"format"', '{\f"format"'), BAD_JSON),
    "vertical tab between tokens": (edit(ALICE, '{"format"', '{\v"format"'), BAD_JSON),
    "line separator U+2028 between tokens": (edit(ALICE, '{"format"', '{\u2028"format"'), BAD_JSON),
    "zero-width space between tokens": (edit(ALICE, '{"format"', '{\u200b"format"'), BAD_JSON),
    # -- user ids: escapes that decode to what the grammar or the format refuses ------------------------------
    "user id decomposed (e + combining acute)": (edit(EMILIE, '"émilie 😀"', '"e\\u0301milie 😀"'), FAILS),
    "user id with a lone surrogate": (edit(ALICE, '"alice"', '"alice\\ud83d"'), BAD_FORMAT),
    "user id with an escaped NUL": (edit(ALICE, '"alice"', '"alice\\u0000"'), BAD_FORMAT),
    "user id with an escaped DEL": (edit(ALICE, '"alice"', '"alice\\u007f"'), BAD_FORMAT),
    "user id with a zero-width space": (edit(ALICE, '"alice"', '"alice\\u200b"'), BAD_FORMAT),
    "user id with a no-break space": (edit(ALICE, '"alice"', '"alice\\u00a0"'), BAD_FORMAT),
    "user id with a raw tab": (edit(ALICE, '"alice"', '"ali\tce"'), BAD_JSON),
    "user id with an invalid escape \\x": (edit(ALICE, '"alice"', '"\\x61lice"'), BAD_JSON),
    "user id with a short \\u escape": (edit(ALICE, '"alice"', '"\\u061lice"'), BAD_JSON),
    "user id empty": (edit(ALICE, '"alice"', '""'), BAD_FORMAT),
    "another user id": (edit(ALICE, '"alice"', '"mallory"'), FAILS),
    # -- after the value ------------------------------------------------------------------------------------------
    "a letter after the value": (ALICE + "x", BAD_JSON),
    "a second object after the value": (ALICE + "{}", BAD_JSON),
    "a comma after the value": (ALICE.strip() + ",", BAD_JSON),
    "a NUL after the value": (ALICE + "\x00", BAD_JSON),
    "a comment after the value": (ALICE + "// signed", BAD_JSON),
    "a trailing comma in the object": (ALICE.strip()[:-1] + ",}", BAD_JSON),
    "a trailing comma in siblings": (edit(ALICE, '"]}]}', '",]}]}'), BAD_JSON),
    "truncated": (ALICE[:len(ALICE) // 2], BAD_JSON),
    "single-quoted key": (edit(ALICE, '"user_id"', "'user_id'"), BAD_JSON),
    # -- depth --------------------------------------------------------------------------------------------------
    "user id nested 63 deep (64 levels in all)": (raw("alice", ("user_id",), nested(63)), BAD_FORMAT),
    "user id nested 64 deep (65 levels in all)": (raw("alice", ("user_id",), nested(64)), BAD_JSON),
    "user id nested 5000 deep": (raw("alice", ("user_id",), nested(5000)), BAD_JSON),
    "20000 open brackets": ("[" * 20_000, BAD_JSON),
    # -- wrong types ------------------------------------------------------------------------------------------
    "empty text": ("", BAD_JSON),
    "only blanks": (" \n", BAD_JSON),
    "the proof inside an array": ("[" + ALICE.strip() + "]", BAD_FORMAT),
    "null": ("null", BAD_FORMAT),
    "a string": (json.dumps(ALICE), BAD_FORMAT),
    "entries as an object": (raw("alice", ("entries",), "{}"), BAD_FORMAT),
    "entries empty": (raw("alice", ("entries",), "[]"), BAD_FORMAT),
    "balances as a list": (raw("alice", ("balances",), '["0.1","1.5","0"]'), BAD_FORMAT),
    "siblings as a string": (raw("alice", ("entries", 0, "siblings"), '"00"'), BAD_FORMAT),
    "nonce in upper case": (changed("alice", lambda p: p["entries"][0].update(nonce=p["entries"][0]["nonce"].upper())),
                            BAD_FORMAT),
    "round as a number": (raw("alice", ("round",), "202611"), BAD_FORMAT),
    "assets empty": (raw("alice", ("assets",), "[]"), BAD_FORMAT),
    "decimals true": (raw("alice", ("assets", 0, "decimals"), "true"), BAD_FORMAT),
    "symbol with a blank": (raw("alice", ("assets", 0, "symbol"), '"B TC"'), BAD_FORMAT),
    "format por-inclusion/1": (raw("alice", ("format",), '"por-inclusion/1"'), BAD_FORMAT),
}


def corpus() -> dict:
    cases = []
    for name, (proof, (expected, refused_by)) in CASES.items():
        proof.encode("utf-8")  # every case is a file a user could be sent: no lone surrogate in the text itself
        cases.append({"name": name, "proof": proof, "expected": expected, "refused_by": refused_by})
    return {"about": "inclusion proofs against the published root `root`; see generate.py", "root": ROOT,
            "cases": cases}


def corpus_text() -> str:
    return json.dumps(corpus(), indent=1) + "\n"


def main() -> None:
    temporary = OUT.with_suffix(".tmp")
    temporary.write_text(corpus_text(), encoding="ascii")
    os.replace(temporary, OUT)
    print(f"{OUT}: {len(CASES)} cases")


if __name__ == "__main__":
    main()
