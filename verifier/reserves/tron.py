"""TRON addresses: base58check of 0x41 || the 20-byte keccak account id."""
import base58

TRON_VERSION = 0x41


def decode_tron_address(text: str) -> bytes:
    """The 20-byte account id of a T... address; ValueError if it does not decode."""
    try:
        raw = base58.b58decode_check(text)
    except ValueError:
        raise ValueError(f"not a valid TRON address: {text!r} (base58check failed)") from None
    if len(raw) != 21 or raw[0] != TRON_VERSION:
        raise ValueError(f"not a TRON address: {text!r}")
    return raw[1:]


def encode_tron_address(account: bytes) -> str:
    return base58.b58encode_check(bytes([TRON_VERSION]) + account).decode()
