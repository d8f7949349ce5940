"""Standard bare multisig scripts, `OP_m <pubkey>... OP_n OP_CHECKMULTISIG`, as P2SH and P2WSH redeem scripts."""
from verifier.reserves import secp256k1

OP_1, OP_16, OP_CHECKMULTISIG = 0x51, 0x60, 0xAE


def parse_multisig(script: bytes) -> tuple[int, list[bytes]]:
    """(m, public keys) of an m-of-n script; ValueError if the script is anything else."""
    if len(script) < 3 or not OP_1 <= script[0] <= OP_16 or script[-1] != OP_CHECKMULTISIG:
        raise ValueError("redeem script is not a standard m-of-n multisig")
    m = script[0] - OP_1 + 1
    keys, pos = [], 1
    while pos < len(script) - 2:
        size = script[pos]
        if size not in (33, 65) or pos + 1 + size > len(script) - 2:
            raise ValueError("redeem script holds a malformed public key push")
        keys.append(script[pos + 1 : pos + 1 + size])
        pos += 1 + size
    n_opcode = script[-2]
    if pos != len(script) - 2 or not OP_1 <= n_opcode <= OP_16 or n_opcode - OP_1 + 1 != len(keys):
        raise ValueError("redeem script's key count does not match its n")
    if m > len(keys):
        raise ValueError(f"redeem script needs {m} of only {len(keys)} keys")
    for key in keys:
        secp256k1.decode_point(key)
    return m, keys


def build_multisig(m: int, pubkeys: list[bytes]) -> bytes:
    """The script for m of the given keys, in the given order."""
    if not 1 <= m <= len(pubkeys) <= 16:
        raise ValueError("need 1 <= m <= n <= 16")
    pushes = b"".join(bytes([len(key)]) + key for key in pubkeys)
    return bytes([OP_1 + m - 1]) + pushes + bytes([OP_1 + len(pubkeys) - 1, OP_CHECKMULTISIG])
