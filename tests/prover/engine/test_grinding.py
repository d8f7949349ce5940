"""The prover's proof-of-work search (numba BLAKE2s on every core) against the verifier's check."""
import pytest

from prover.engine.grinding import NONCES_PER_PASS, grind
from verifier.stark.transcript import Blake2sTranscript as Transcript


def _transcript(data: bytes) -> Transcript:
    t = Transcript()
    t.absorb("x", data)
    return t


@pytest.mark.parametrize("bits", [0, 1, 10, 17])  # 17: the answer usually lies beyond the first pass
def test_grinding_finds_the_first_valid_nonce(bits):
    t = _transcript(b"state")
    nonce = grind(t, bits)
    assert t.check_pow(nonce, bits)
    assert not any(t.check_pow(n, bits) for n in range(max(0, nonce - 3000), nonce))
    if bits == 10:
        assert all(not t.check_pow(n, bits) for n in range(nonce))
    if bits == 17:
        assert nonce > NONCES_PER_PASS or all(not t.check_pow(n, bits) for n in range(nonce))


def test_grinding_is_bound_to_the_transcript():
    assert grind(_transcript(b"state"), 12) != grind(_transcript(b"other state"), 12)


def test_grinding_hashes_prefixes_longer_than_one_block(monkeypatch):
    t = _transcript(b"state")
    monkeypatch.setattr(t, "pow_prefix", lambda: bytes(range(100)))  # 108 bytes with the nonce: two blocks
    nonce = grind(t, 8)
    assert t.check_pow(nonce, 8) and all(not t.check_pow(n, 8) for n in range(nonce))
