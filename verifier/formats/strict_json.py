"""Read the small JSON documents a verifier is handed (public.json, inclusion proofs, published totals) strictly.

Python's json module silently keeps the last of two equal keys and accepts NaN and Infinity; either would let
two readers of one file see different values, so both are refused, as is anything far larger than such a file.
"""
import json
import os

from verifier.errors import InputError

MAX_BYTES = 1 << 20


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
        return json.loads(text, object_pairs_hook=_refuse_repeated_keys, parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{name}: invalid JSON at line {error.lineno}: {error.msg}") from None
    except ValueError as error:
        raise InputError(f"{name}: {error}") from None


def _refuse_repeated_keys(pairs: list[tuple[str, object]]) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"key {repeated!r} appears twice in one object")
    return obj


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")
