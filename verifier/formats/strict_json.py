"""Read the JSON documents a verifier is handed (public.json, inclusion proofs, published totals) strictly.

The grammar (SPEC §3), one for every reader: this module and the offline page's tokenizer
(verifier/page/strict_json.js) implement it, and tests/vectors/inclusion_corpus/ holds the cases on which they
must answer alike.

- Text: UTF-8 JSON (RFC 8259) with nothing before or after the one value but JSON whitespace (space, tab, LF,
  CR): no byte-order mark, no NBSP or other Unicode blanks, no comments, no trailing commas, no second value.
  A string holds no raw control character (below U+0020); an escape is one of RFC 8259's (\\uXXXX decoded, so
  "\\u0061" is "a").
- Objects: a key given twice in one object, at any depth, is refused, even with the same value, and whether
  written alike or as different escapes of one string. Nesting (objects and arrays) is at most 64 deep.
- Numbers: NaN, Infinity and -Infinity are not JSON and are refused. A number written without fraction or
  exponent is an integer, exact at any size (no rounding at 2^53), in canonical form: no '+', no leading zero
  (JSON's own rule), no sign on zero ('-0' is refused), at most 100 digits. A number written with a fraction or
  an exponent is never an integer, whatever its value: where a format wants an integer (an index, a leaf count,
  decimals), 475.0, 475e0 and 4.75e2 are refused like "475".
- Amounts are decimal strings, never JSON numbers, in the one canonical form of their value at the asset's
  decimals (`amounts.parse_canonical_amount`): ASCII digits, no sign, no leading zero ("0" or "0.5", not
  "00.5" or ".5"), no exponent, and a fraction only when the value has one, with no trailing zero at all ("1.5",
  not "1.50" even at 8 decimals; "1", not "1." or "1.0") and no more digits than the asset's decimals; at most
  100 characters.

Python's json module alone would keep the last of two equal keys, accept NaN and Infinity, read -0 as 0 and
recurse until the interpreter's stack gives out; the hooks below close each of these.
"""
import json
import os

from verifier.errors import InputError

MAX_BYTES = 1 << 20
MAX_DEPTH = 64
MAX_INTEGER_DIGITS = 100


def read_json_file(path: str | os.PathLike) -> object:
    name = os.fspath(path)
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise InputError(f"{name}: cannot read: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: larger than {MAX_BYTES} bytes")
    return loads(data, name)


def loads(data: bytes | str, name: str) -> object:
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text, object_pairs_hook=_refuse_repeated_keys, parse_constant=_refuse_constant,
                           parse_int=_canonical_integer)
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{name}: invalid JSON at line {error.lineno}: {error.msg}") from None
    except RecursionError:
        raise InputError(f"{name}: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:
        raise InputError(f"{name}: {error}") from None
    if _depth(value) > MAX_DEPTH:
        raise InputError(f"{name}: nested deeper than {MAX_DEPTH} levels")
    return value


def _refuse_repeated_keys(pairs: list[tuple[str, object]]) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"key {repeated!r} appears twice in one object")
    return obj


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _canonical_integer(token: str) -> int:
    """JSON's integer syntax is already checked (no '+', no leading zero); this adds the sign on zero and size."""
    if token == "-0":
        raise ValueError("-0 is not a canonical integer (zero has no sign)")
    if len(token.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"an integer of more than {MAX_INTEGER_DIGITS} digits")
    return int(token)


def _depth(value: object) -> int:
    """How deeply arrays and objects nest in a parsed value (a scalar is 0), without recursing."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node)
                         if isinstance(child, (dict, list)))
    return deepest
