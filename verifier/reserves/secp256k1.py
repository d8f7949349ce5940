"""secp256k1 public keys: recovery from a signature (py_ecc) and the SEC1 encodings addresses are made from."""
from py_ecc.secp256k1 import secp256k1 as curve

Point = tuple[int, int]


class BadSignature(ValueError):
    """A signature that is malformed or recovers no key."""


def recover(digest: bytes, recovery_id: int, r: int, s: int) -> Point:
    """The public key that signed `digest` with (r, s); recovery ids 2 and 3 (r >= n, never seen in practice)
    are refused rather than mishandled."""
    if recovery_id not in (0, 1):
        raise BadSignature(f"unsupported recovery id {recovery_id}")
    if not (0 < r < curve.N and 0 < s < curve.N):
        raise BadSignature("r or s out of range")
    try:
        point = curve.ecdsa_raw_recover(digest, (27 + recovery_id, r, s))
    except ValueError as exc:
        raise BadSignature(str(exc)) from None
    if not is_on_curve(point):
        raise BadSignature("signature recovers no valid key")
    return point


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
        x = int.from_bytes(data[1:], "big")
        y = pow((x * x * x + curve.B) % curve.P, (curve.P + 1) // 4, curve.P)
        if y & 1 != data[0] & 1:
            y = curve.P - y
    elif len(data) == 65 and data[0] == 4:
        x, y = int.from_bytes(data[1:33], "big"), int.from_bytes(data[33:], "big")
    else:
        raise ValueError("not a SEC1 public key")
    if not is_on_curve((x, y)):
        raise ValueError("public key is not on secp256k1")
    return x, y


def split_rsv(signature: bytes) -> tuple[int, int, int]:
    """A 65-byte r || s || v signature as EVM and TRON wallets emit it; v may be 0/1 or 27/28."""
    if len(signature) != 65:
        raise BadSignature(f"signature has {len(signature)} bytes, expected 65")
    v = signature[64]
    recovery_id = v - 27 if v >= 27 else v
    return recovery_id, int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big")
