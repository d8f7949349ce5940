"""libsecp256k1 (coincurve, the hot path) against py_ecc (pure Python): the same key, or the same refusal,
for genuine, random and edge-case signatures and for compressed public keys."""
import hashlib
import random

import pytest
from py_ecc.secp256k1 import secp256k1 as curve

from prover.reserves.generate import sign_digest
from verifier.reserves import secp256k1

N, P = curve.N, curve.P


def under(backend: str, function, *args, monkeypatch):
    """`function(*args)` with the given backend: the point it returns, or the name of the error it raised."""
    monkeypatch.setenv(secp256k1.BACKEND_VARIABLE, backend)
    try:
        return function(*args)
    except ValueError as error:
        return type(error).__name__


def both(function, *args, monkeypatch):
    results = [under(backend, function, *args, monkeypatch=monkeypatch) for backend in secp256k1.BACKENDS]
    assert results[0] == results[1], (args, results)
    return results[0]


def test_genuine_signatures_recover_the_signer_with_both(monkeypatch):
    rng = random.Random(1)
    for _ in range(40):
        priv = rng.randrange(1, N).to_bytes(32, "big")
        digest = rng.randbytes(32)
        recovery_id, rs = sign_digest(priv, digest)
        r, s = int.from_bytes(rs[:32], "big"), int.from_bytes(rs[32:], "big")
        assert both(secp256k1.recover, digest, recovery_id, r, s, monkeypatch=monkeypatch) == curve.privtopub(priv)
        # The other recovery id gives a different key (or none), never the signer.
        assert both(secp256k1.recover, digest, 1 - recovery_id, r, s, monkeypatch=monkeypatch) != curve.privtopub(priv)


def test_random_signatures_agree(monkeypatch):
    """Random (r, s) pairs: about half have no curve point with x = r; the rest recover some key."""
    rng = random.Random(2)
    outcomes = {"point": 0, "refused": 0}
    for _ in range(150):
        result = both(secp256k1.recover, rng.randbytes(32), rng.randrange(2), rng.randrange(1, N),
                      rng.randrange(1, N), monkeypatch=monkeypatch)
        outcomes["refused" if result == "BadSignature" else "point"] += 1
    assert outcomes["point"] > 40 and outcomes["refused"] > 40


def _no_point_x() -> int:
    """The smallest x with no point on the curve (x^3 + 7 is not a square mod p)."""
    return next(x for x in range(1, 100) if pow(x**3 + 7, (P - 1) // 2, P) != 1)


def _infinity_signature() -> tuple[bytes, int, int, int]:
    """A signature whose recovery is the point at infinity: R = kG and e = s*k, so r^-1 (sR - eG) = 0."""
    k, s = 12345, 678
    x, y = curve.privtopub(k.to_bytes(32, "big"))
    assert x < N
    return ((s * k) % N).to_bytes(32, "big"), y & 1, x, s


@pytest.mark.parametrize("name,signature", [
    ("r at n - 1, s = 1", (b"\x01" * 32, 0, N - 1, 1)),
    ("high s (not normalized)", (hashlib.sha256(b"a").digest(), 1, 7 * 10**70, N - 1)),
    ("digest zero", (bytes(32), 0, 5 * 10**70, 3)),
    ("digest above n (reduced mod n)", (b"\xff" * 32, 1, 5 * 10**70, 3)),
    ("no curve point with x = r", (b"\x02" * 32, 0, _no_point_x(), 5)),
    ("recovers the point at infinity", _infinity_signature()),
])
def test_edge_cases_agree(name, signature, monkeypatch):
    both(secp256k1.recover, *signature, monkeypatch=monkeypatch)


def test_infinity_and_missing_points_are_refused(monkeypatch):
    for signature in (_infinity_signature(), (b"\x02" * 32, 0, _no_point_x(), 5)):
        assert both(secp256k1.recover, *signature, monkeypatch=monkeypatch) == "BadSignature"


@pytest.mark.parametrize("recovery_id,r,s", [(2, 5, 5), (3, 5, 5), (0, 0, 5), (0, 5, 0), (0, N, 5), (1, 5, N)])
def test_out_of_range_values_are_refused_by_both(recovery_id, r, s, monkeypatch):
    assert both(secp256k1.recover, bytes(32), recovery_id, r, s, monkeypatch=monkeypatch) == "BadSignature"


def test_compressed_keys_decode_alike(monkeypatch):
    rng = random.Random(3)
    candidates = [bytes([rng.choice((2, 3))]) + rng.randbytes(32) for _ in range(100)]
    candidates += [b"\x02" + P.to_bytes(32, "big"), b"\x03" + (P + 1).to_bytes(32, "big"), b"\x02" + bytes(32)]
    decoded = [both(secp256k1.decode_point, key, monkeypatch=monkeypatch) for key in candidates]
    assert sum(result == "ValueError" for result in decoded) > 20
    for key, point in zip(candidates, decoded):
        if point != "ValueError":
            assert secp256k1.encode_point(point, compressed=True) == key


def test_unknown_backend_is_named(monkeypatch):
    monkeypatch.setenv(secp256k1.BACKEND_VARIABLE, "openssl")
    with pytest.raises(RuntimeError, match="POR_SECP256K1='openssl'"):
        secp256k1.recover(bytes(32), 0, 5, 5)
