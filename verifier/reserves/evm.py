"""EVM addresses: 20 bytes in hex, with the EIP-55 mixed-case checksum enforced when the case is mixed."""
from verifier.reserves.hashes import keccak256


def decode_evm_address(text: str) -> bytes:
    """The 20 bytes of a 0x address; ValueError if it is not one or its EIP-55 checksum is wrong."""
    body = text[2:] if text[:2] in ("0x", "0X") else None
    if body is None or len(body) != 40:
        raise ValueError(f"not an EVM address: {text!r}")
    try:
        raw = bytes.fromhex(body)
    except ValueError:
        raise ValueError(f"not an EVM address: {text!r}") from None
    if body not in (body.lower(), body.upper()) and checksum_address(raw) != "0x" + body:
        raise ValueError(f"EVM address fails its EIP-55 checksum: {text!r}")
    return raw


def checksum_address(raw: bytes) -> str:
    """EIP-55: a hex digit is upper case when the matching nibble of keccak(lower-case hex) is >= 8."""
    lower = raw.hex()
    digest = keccak256(lower.encode()).hex()
    return "0x" + "".join(c.upper() if int(d, 16) >= 8 else c for c, d in zip(lower, digest))


def decode_validator_key(text: str) -> bytes:
    """A beacon-chain validator's 48-byte BLS public key, as staking rows list it in the address column."""
    body = text[2:] if text[:2] in ("0x", "0X") else ""
    if len(body) != 96:
        raise ValueError(f"not a validator public key: {text!r}")
    try:
        return bytes.fromhex(body)
    except ValueError:
        raise ValueError(f"not a validator public key: {text!r}") from None
