"""The exchange's master secret and the per-user nonces derived from it.

Nonces salt each user's id commitment. Deriving them (HMAC over round and user id) instead of storing them
means a user can be re-issued the same inclusion proof, and only one 32-byte secret needs guarding.
"""
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from verifier.errors import InputError
from verifier.formats.atomic import fsync_path

MASTER_SECRET_BYTES = 32
_NONCE_DOMAIN = b"por-nonce/1\x00"
_PIECE_DOMAIN = b"por-piece/1\x00"


class SecretFileError(InputError):
    """A master-secret file that is unsafe or unreadable; the message names the file."""


def load_or_create_master_secret(path: str | os.PathLike) -> bytes:
    """Read the hex master secret at `path`, creating it (mode 0600) with fresh random bytes if absent.

    Creation is race-free and atomic: the secret is written to a private temporary file that is then hard-linked
    into place, which fails if another process got there first (its secret is then used), and never leaves a
    half-written secret behind.
    """
    path = Path(path)
    try:
        return _read_or_create_master_secret(path)
    except OSError as error:
        raise SecretFileError(f"{path}: {error.strerror or error}") from None


def user_nonce(master: bytes, round_name: str, user_id: str) -> bytes:
    """HMAC-SHA256(master, "por-nonce/1" NUL round NUL user_id): 32 bytes, the same every time it is asked."""
    if len(master) != MASTER_SECRET_BYTES:
        raise ValueError(f"master secret must be {MASTER_SECRET_BYTES} bytes, got {len(master)}")
    if "\x00" in round_name or "\x00" in user_id:
        raise ValueError("round name and user id must not contain NUL (it separates them in the nonce input)")
    message = _NONCE_DOMAIN + round_name.encode() + b"\x00" + user_id.encode()
    return hmac.new(master, message, hashlib.sha256).digest()


def piece_nonce(master: bytes, round_name: str, user_id: str, piece: int) -> bytes:
    """The nonce of a user's piece-th leaf (`por prove --split`): the user's nonce for the first, so a round without
    splitting issues the same proofs; HMAC-SHA256(master, "por-piece/1" NUL round NUL user_id NUL piece) after."""
    if piece == 0:
        return user_nonce(master, round_name, user_id)
    user_nonce(master, round_name, user_id)  # the same checks of its arguments
    message = _PIECE_DOMAIN + round_name.encode() + b"\x00" + user_id.encode() + b"\x00" + str(piece).encode()
    return hmac.new(master, message, hashlib.sha256).digest()


def _read_or_create_master_secret(path: Path) -> bytes:
    try:
        return _read_master_secret(path)
    except FileNotFoundError:
        pass
    try:
        _create_master_secret(path)
    except FileExistsError:
        pass  # another process created it between our read and our link
    return _read_master_secret(path)


def _read_master_secret(path: Path) -> bytes:
    descriptor = os.open(path, os.O_RDONLY)
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(stream.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise SecretFileError(f"{path}: not a regular file")
        if mode & 0o077:
            raise SecretFileError(
                f"{path}: permissions {stat.S_IMODE(mode):04o} let other users read or change the master secret; "
                f"run 'chmod 600 {path}'"
            )
        text = stream.read()
    try:
        secret = bytes.fromhex(text.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        secret = b""
    if len(secret) != MASTER_SECRET_BYTES:
        raise SecretFileError(f"{path}: expected {2 * MASTER_SECRET_BYTES} hex digits (a {MASTER_SECRET_BYTES}-byte secret)")
    return secret


def _create_master_secret(path: Path) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as stream:
            stream.write(secrets.token_bytes(MASTER_SECRET_BYTES).hex() + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.link(temporary, path)
    finally:
        temporary.unlink()
    fsync_path(path.parent)  # the new entry must be durable: nonces are derived from this secret
