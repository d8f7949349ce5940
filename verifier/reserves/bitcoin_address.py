"""Bitcoin mainnet addresses: base58check (P2PKH, P2SH) and segwit bech32/bech32m (BIP-173, BIP-350)."""
from dataclasses import dataclass

import base58
import bech32m

from verifier.reserves.hashes import hash160, sha256

P2PKH_VERSION = 0x00
P2SH_VERSION = 0x05
SEGWIT_HRP = "bc"


@dataclass(frozen=True)
class BitcoinAddress:
    """A decoded address: `kind` is p2pkh, p2sh, p2wpkh, p2wsh or witness_vN; `program` is the hash it commits to."""

    kind: str
    program: bytes


def decode_address(text: str) -> BitcoinAddress:
    """Decode a mainnet address exactly (checksum, version, program length); ValueError if it does not decode."""
    if text[:3].lower() == SEGWIT_HRP + "1":
        return _decode_segwit(text)
    try:
        raw = base58.b58decode_check(text)
    except ValueError:
        raise ValueError(f"not a valid Bitcoin address: {text!r} (base58check failed)") from None
    if len(raw) != 21 or raw[0] not in (P2PKH_VERSION, P2SH_VERSION):
        raise ValueError(f"not a Bitcoin mainnet address: {text!r}")
    return BitcoinAddress("p2pkh" if raw[0] == P2PKH_VERSION else "p2sh", raw[1:])


def _decode_segwit(text: str) -> BitcoinAddress:
    try:
        version, program = bech32m.decode(SEGWIT_HRP, text)
    except bech32m.DecodeError:
        raise ValueError(f"not a valid Bitcoin address: {text!r} (bech32/bech32m checksum or program)") from None
    if version == 0:
        return BitcoinAddress("p2wpkh" if len(program) == 20 else "p2wsh", bytes(program))
    return BitcoinAddress(f"witness_v{version}", bytes(program))


def p2pkh(pubkey: bytes) -> str:
    return base58.b58encode_check(bytes([P2PKH_VERSION]) + hash160(pubkey)).decode()


def p2sh(script: bytes) -> str:
    return base58.b58encode_check(bytes([P2SH_VERSION]) + hash160(script)).decode()


def p2wpkh(pubkey: bytes) -> str:
    return bech32m.encode(SEGWIT_HRP, 0, hash160(pubkey))


def p2wsh(script: bytes) -> str:
    return bech32m.encode(SEGWIT_HRP, 0, sha256(script))


def p2wpkh_program(pubkey: bytes) -> bytes:
    """The witness program script `OP_0 <hash160(pubkey)>` that a P2SH-P2WPKH address wraps."""
    return b"\x00\x14" + hash160(pubkey)


def p2wsh_program(script: bytes) -> bytes:
    """The witness program script `OP_0 <sha256(script)>` that a P2SH-P2WSH address wraps."""
    return b"\x00\x20" + sha256(script)


def p2sh_p2wpkh(pubkey: bytes) -> str:
    return p2sh(p2wpkh_program(pubkey))
