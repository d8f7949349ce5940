"""The hash functions the address formats are built from (pycryptodome for Keccak and RIPEMD-160)."""
import hashlib

from Crypto.Hash import RIPEMD160, keccak


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sha256d(data: bytes) -> bytes:
    """Bitcoin's double SHA-256 (message digests, base58check checksums)."""
    return sha256(sha256(data))


def hash160(data: bytes) -> bytes:
    """RIPEMD-160 of SHA-256: the 20-byte hash inside P2PKH, P2SH and P2WPKH addresses."""
    return RIPEMD160.new(sha256(data)).digest()


def keccak256(data: bytes) -> bytes:
    """Ethereum's Keccak-256 (the original padding, not NIST SHA3-256)."""
    return keccak.new(digest_bits=256, data=data).digest()
