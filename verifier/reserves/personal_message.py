"""The "personal message" digests EVM and TRON wallets sign, keyed by a short name for the report.

Both chains use one pattern with a different prefix: OKX's files sign keccak(prefix + "32" + keccak(message)),
standard wallets sign keccak(prefix + decimal byte length + message) (EIP-191 version 0x45 on Ethereum).
"""
from verifier.reserves import secp256k1
from verifier.reserves.hashes import keccak256

ETHEREUM_PREFIX = b"\x19Ethereum Signed Message:\n"
TRON_PREFIX = b"\x19TRON Signed Message:\n"


def digests(prefix: bytes, message: str) -> dict[str, bytes]:
    """The digests a signature over `message` may be over, by scheme name."""
    data = message.encode()
    return {
        "keccak-prefixed": keccak256(prefix + b"32" + keccak256(data)),
        "length-prefixed": keccak256(prefix + str(len(data)).encode() + data),
    }


def parse_hex_signature(text: str) -> bytes:
    """A 65-byte hex signature, with or without 0x."""
    body = text.strip()
    body = body[2:] if body[:2].lower() == "0x" else body
    try:
        return bytes.fromhex(body)
    except ValueError:
        raise secp256k1.BadSignature("signature is not hex") from None


def keccak_address(point: secp256k1.Point) -> bytes:
    """The 20-byte account id EVM and TRON both derive from a key: the last 20 bytes of keccak(x || y)."""
    return keccak256(secp256k1.encode_point(point, compressed=False)[1:])[12:]


def recover_account(prefix: bytes, message: str, signature_hex: str, account: bytes) -> str | None:
    """The name of the digest scheme under which the signature recovers `account`, or None if none does."""
    recovery_id, r, s = secp256k1.split_rsv(parse_hex_signature(signature_hex))
    for name, digest in digests(prefix, message).items():
        if keccak_address(secp256k1.recover(digest, recovery_id, r, s)) == account:
            return name
    return None
