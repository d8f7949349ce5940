import hashlib
import hmac
import os
import stat

import pytest

from prover.exchange.master_secret import (
    MASTER_SECRET_BYTES,
    SecretFileError,
    load_or_create_master_secret,
    user_nonce,
)


def test_creates_a_private_random_secret_and_reads_it_back(tmp_path):
    path = tmp_path / "master.key"
    secret = load_or_create_master_secret(path)
    assert len(secret) == MASTER_SECRET_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == secret.hex() + "\n"
    assert load_or_create_master_secret(path) == secret
    assert [p.name for p in tmp_path.iterdir()] == ["master.key"]  # no temporary left behind


def test_each_new_secret_is_different(tmp_path):
    assert load_or_create_master_secret(tmp_path / "a") != load_or_create_master_secret(tmp_path / "b")


def test_creation_ignores_a_permissive_umask(tmp_path):
    previous = os.umask(0)
    try:
        load_or_create_master_secret(tmp_path / "master.key")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "master.key").stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o644])
def test_refuses_a_file_others_can_access(tmp_path, mode):
    path = tmp_path / "master.key"
    path.write_text("ab" * 32)
    path.chmod(mode)
    with pytest.raises(SecretFileError, match=f"{path}: permissions {mode:04o}.*chmod 600"):
        load_or_create_master_secret(path)


@pytest.mark.parametrize("content", ["ab" * 31, "ab" * 33, "zz" * 32, "", "ab" * 16 + "\x00" * 32, "é" * 64])
def test_refuses_a_malformed_secret_naming_the_file(tmp_path, content):
    path = tmp_path / "master.key"
    path.write_text(content, encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(SecretFileError, match=f"^{path}: expected 64 hex digits"):
        load_or_create_master_secret(path)


def test_accepts_a_hand_written_secret_with_surrounding_whitespace(tmp_path):
    path = tmp_path / "master.key"
    path.write_text("  " + "0f" * 32 + "\n\n")
    path.chmod(0o400)
    assert load_or_create_master_secret(path) == bytes([0x0F]) * 32


def test_refuses_a_directory(tmp_path):
    (tmp_path / "master.key").mkdir(mode=0o700)
    with pytest.raises(SecretFileError, match="Is a directory|not a regular file"):
        load_or_create_master_secret(tmp_path / "master.key")


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(SecretFileError, match="missing"):
        load_or_create_master_secret(tmp_path / "missing" / "master.key")


def test_nonce_is_the_documented_hmac():
    master = bytes(range(32))
    expected = hmac.new(master, b"por-nonce/1\x002024-06\x00alice", hashlib.sha256).digest()
    assert user_nonce(master, "2024-06", "alice") == expected


def test_nonce_is_stable_and_separates_rounds_users_and_secrets():
    master = bytes(32)
    nonce = user_nonce(master, "r1", "alice")
    assert len(nonce) == 32 and nonce == user_nonce(master, "r1", "alice")
    others = {user_nonce(master, "r2", "alice"), user_nonce(master, "r1", "bob"), user_nonce(b"\x01" * 32, "r1", "alice")}
    assert nonce not in others and len(others) == 3


def test_nonce_input_cannot_be_shifted_between_round_and_user():
    with pytest.raises(ValueError, match="NUL"):
        user_nonce(bytes(32), "r1\x00al", "ice")
    with pytest.raises(ValueError, match="NUL"):
        user_nonce(bytes(32), "r1", "al\x00ice")


def test_nonce_needs_a_full_length_secret():
    with pytest.raises(ValueError, match="32 bytes"):
        user_nonce(bytes(16), "r1", "alice")
