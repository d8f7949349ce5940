"""Bitcoin message signatures (BIP-137): the digest, and the public key a signature recovers."""
import base64
import binascii

from verifier.reserves import secp256k1
from verifier.reserves.bitcoin_address import p2pkh, p2sh_p2wpkh, p2wpkh
from verifier.reserves.hashes import sha256d

MAGIC = b"Bitcoin Signed Message:\n"
HEADER_FIRST, HEADER_LAST = 27, 42
COMPRESSED_FROM = 31


def message_digest(message: str) -> bytes:
    """sha256d(varstr(magic) || varstr(message)); messages here are short, so each length is one byte or 0xfd + 2."""
    data = message.encode()
    return sha256d(_varint(len(MAGIC)) + MAGIC + _varint(len(data)) + data)


def _varint(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    return b"\xfe" + n.to_bytes(4, "little")


def recover_signer(message: str, signature_b64: str) -> tuple[secp256k1.Point, bool]:
    """The key that made a base64 BIP-137 signature, and whether the signer claimed its compressed form.

    The header's address-type hint (P2PKH / P2SH-P2WPKH / P2WPKH) is not trusted: wallets disagree on it, so
    callers try every address the key can have.
    """
    try:
        raw = base64.b64decode(signature_b64.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise secp256k1.BadSignature("signature is not valid base64") from None
    if len(raw) != 65:
        raise secp256k1.BadSignature(f"signature has {len(raw)} bytes, expected 65")
    header = raw[0]
    if not HEADER_FIRST <= header <= HEADER_LAST:
        raise secp256k1.BadSignature(f"BIP-137 header byte {header} is outside 27..42")
    recovery_id = (header - HEADER_FIRST) % 4
    r, s = int.from_bytes(raw[1:33], "big"), int.from_bytes(raw[33:], "big")
    point = secp256k1.recover(message_digest(message), recovery_id, r, s)
    return point, header >= COMPRESSED_FROM


def addresses_of_key(point: secp256k1.Point, compressed: bool) -> dict[str, str]:
    """Every single-key address the recovered key controls (segwit requires the compressed key)."""
    pubkey = secp256k1.encode_point(point, compressed)
    if not compressed:
        return {"p2pkh": p2pkh(pubkey)}
    return {"p2pkh": p2pkh(pubkey), "p2wpkh": p2wpkh(pubkey), "p2sh-p2wpkh": p2sh_p2wpkh(pubkey)}
