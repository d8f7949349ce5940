"""secp256k1 public keys: recovery from a signature and the SEC1 encodings addresses are made from.

Recovery and key decompression run in libsecp256k1 (coincurve; a recovery takes about 0.1 ms) because an
exchange publishes tens of thousands of addresses. py_ecc (pure Python, about 20 ms a recovery) stays as an
independent implementation that the tests cross-check against. POR_SECP256K1=py_ecc in the environment selects
it (benchmarks compare the two); an environment variable, unlike a module global, reaches worker processes
whatever their start method.
"""
import os

import coincurve
from py_ecc.secp256k1 import secp256k1 as curve

Point = tuple[int, int]
BACKEND_VARIABLE = "POR_SECP256K1"
BACKENDS = ("coincurve", "py_ecc")


class BadSignature(ValueError):
    """A signature that is malformed or recovers no key."""


def recover(digest: bytes, recovery_id: int, r: int, s: int) -> Point:
    """The public key that signed `digest` with (r, s); recovery ids 2 and 3 (r >= n, never seen in practice)
    are refused rather than mishandled."""
    if recovery_id not in (0, 1):
        raise BadSignature(f"unsupported recovery id {recovery_id}")
    if not (0 < r < curve.N and 0 < s < curve.N):
        raise BadSignature("r or s out of range")
    point = _RECOVER[backend()](digest, recovery_id, r, s)
    if not is_on_curve(point):
        raise BadSignature("signature recovers no valid key")
    return point


def backend() -> str:
    """The recovery implementation in use: coincurve unless POR_SECP256K1 names py_ecc."""
    name = os.environ.get(BACKEND_VARIABLE, BACKENDS[0])
    if name not in BACKENDS:
        raise RuntimeError(f"{BACKEND_VARIABLE}={name!r}: expected one of {', '.join(BACKENDS)}")
    return name


def _recover_coincurve(digest: bytes, recovery_id: int, r: int, s: int) -> Point:
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([recovery_id])
    try:
        key = coincurve.PublicKey.from_signature_and_message(signature, digest, hasher=None)
    except ValueError:
        raise BadSignature("signature recovers no valid key") from None
    return _xy(key.format(compressed=False))


def _recover_py_ecc(digest: bytes, recovery_id: int, r: int, s: int) -> Point:
    try:
        return curve.ecdsa_raw_recover(digest, (27 + recovery_id, r, s))
    except ValueError as exc:
        raise BadSignature(str(exc)) from None


_RECOVER = {"coincurve": _recover_coincurve, "py_ecc": _recover_py_ecc}


def is_on_curve(point: Point) -> bool:
    x, y = point
    return 0 < x < curve.P and 0 <= y < curve.P and (y * y - x * x * x - curve.B) % curve.P == 0


def encode_point(point: Point, compressed: bool) -> bytes:
    """SEC1 encoding: 02/03 || x when compressed, 04 || x || y otherwise."""
    x, y = point
    if compressed:
        return bytes([2 + (y & 1)]) + x.to_bytes(32, "big")
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")


def decode_point(data: bytes) -> Point:
    """Parse a SEC1 public key (33 or 65 bytes); ValueError if it is not a point on the curve."""
    if len(data) == 33 and data[0] in (2, 3):
        point = _DECOMPRESS[backend()](data)
    elif len(data) == 65 and data[0] == 4:
        point = _xy(data)
    else:
        raise ValueError("not a SEC1 public key")
    if not is_on_curve(point):
        raise ValueError("public key is not on secp256k1")
    return point


def _decompress_coincurve(data: bytes) -> Point:
    try:
        return _xy(coincurve.PublicKey(data).format(compressed=False))
    except ValueError:
        raise ValueError("public key is not on secp256k1") from None


def _decompress_python(data: bytes) -> Point:
    """y from x by the square root p + 1 / 4 gives (p = 3 mod 4); a wrong root fails is_on_curve later."""
    x = int.from_bytes(data[1:], "big")
    y = pow((x * x * x + curve.B) % curve.P, (curve.P + 1) // 4, curve.P)
    return x, y if y & 1 == data[0] & 1 else curve.P - y


_DECOMPRESS = {"coincurve": _decompress_coincurve, "py_ecc": _decompress_python}


def _xy(uncompressed: bytes) -> Point:
    """The coordinates of a 65-byte 04 || x || y key."""
    return int.from_bytes(uncompressed[1:33], "big"), int.from_bytes(uncompressed[33:], "big")


def split_rsv(signature: bytes) -> tuple[int, int, int]:
    """A 65-byte r || s || v signature as EVM and TRON wallets emit it; v may be 0/1 or 27/28."""
    if len(signature) != 65:
        raise BadSignature(f"signature has {len(signature)} bytes, expected 65")
    v = signature[64]
    recovery_id = v - 27 if v >= 27 else v
    return recovery_id, int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big")
