"""One row's verdict: do the row's signatures prove control of its address (SPEC §5)?

Every signature present in a row must verify; a row is `verified` (counted), `rejected` (not counted, and the
check fails) or `unverified` (a scheme this tool cannot check, such as ed25519: listed, not counted, not a failure).
"""
from dataclasses import dataclass

from verifier.reserves import bitcoin_message, networks, secp256k1
from verifier.reserves.bitcoin_address import (
    BitcoinAddress,
    decode_address,
    p2wsh_program,
)
from verifier.reserves.csvfile import ReserveRow
from verifier.reserves.evm import decode_evm_address, decode_validator_key
from verifier.reserves.hashes import hash160, sha256
from verifier.reserves.multisig import parse_multisig
from verifier.reserves.personal_message import (
    ETHEREUM_PREFIX,
    TRON_PREFIX,
    recover_account,
)
from verifier.reserves.tron import decode_tron_address

VERIFIED, REJECTED, UNVERIFIED = "verified", "rejected", "unverified"


@dataclass(frozen=True)
class Verdict:
    line: int
    status: str
    detail: str
    contract_wallet: bool = False
    legacy_message: bool = False


class Unverifiable(Exception):
    """The row may be genuine, but its signature scheme is not one this tool checks."""


def verify_row(row: ReserveRow) -> Verdict:
    if row.problem:
        return Verdict(row.line, REJECTED, row.problem)
    scheme = networks.scheme_for(row.network)
    try:
        if scheme is None:
            raise Unverifiable(f"no signature scheme known for network {row.network!r}")
        if scheme == networks.ED25519:
            raise Unverifiable(f"ed25519 signatures ({row.network}) are not supported")
        if scheme == networks.UNSUPPORTED:
            raise Unverifiable(f"{row.network} addresses and signatures are not checked by this tool")
        if row.owners and scheme != networks.EVM:
            raise ValueError("eoa owner columns are only meaningful for EVM contract wallets")
        if scheme == networks.BITCOIN:
            return Verdict(row.line, VERIFIED, _verify_bitcoin(row))
        if scheme == networks.TRON:
            return Verdict(row.line, VERIFIED, _verify_plain_account(row, TRON_PREFIX, decode_tron_address(row.address)))
        if row.owners:
            return Verdict(row.line, VERIFIED, _verify_contract_wallet(row), contract_wallet=True)
        return Verdict(row.line, VERIFIED, _verify_plain_account(row, ETHEREUM_PREFIX, decode_evm_address(row.address)))
    except Unverifiable as exc:
        return Verdict(row.line, UNVERIFIED, str(exc))
    except ValueError as exc:  # BadSignature is a ValueError too
        return Verdict(row.line, REJECTED, str(exc))


def _verify_plain_account(row: ReserveRow, prefix: bytes, account: bytes) -> str:
    return _verify_signers(row, prefix, [("the address", account)] * len(row.signatures))


def _verify_signers(row: ReserveRow, prefix: bytes, signers: list[tuple[str, bytes]]) -> str:
    """Signature i must recover account i, under either personal-message digest."""
    schemes = set()
    for index, (signature, (label, account)) in enumerate(zip(row.signatures, signers), start=1):
        scheme = recover_account(prefix, row.message, signature, account)
        if scheme is None:
            raise ValueError(f"signature{index} does not recover {label}")
        schemes.add(scheme)
    return "personal message (" + ", ".join(sorted(schemes)) + ")"


def _verify_contract_wallet(row: ReserveRow) -> str:
    """A contract (or staking) address held by EOAs: each listed owner must sign. Whether the owners really
    control the contract is on-chain state this tool does not read, and the report says so."""
    try:
        decode_evm_address(row.address)
    except ValueError:
        decode_validator_key(row.address)
    if len(row.signatures) != len(row.owners):
        raise ValueError(f"{len(row.owners)} owner(s) listed but {len(row.signatures)} signature(s)")
    owners = [(f"owner eoa{i}", decode_evm_address(owner)) for i, owner in enumerate(row.owners, start=1)]
    return "owners signed: " + _verify_signers(row, ETHEREUM_PREFIX, owners)


def _verify_bitcoin(row: ReserveRow) -> str:
    address = decode_address(row.address)
    if address.kind.startswith("witness_v"):
        raise Unverifiable(f"{address.kind} addresses need BIP-322 signatures, which are not supported")
    if address.kind == "p2wsh" or (address.kind == "p2sh" and row.script):
        return _verify_multisig(row, address)
    for index, signature in enumerate(row.signatures, start=1):
        point, compressed = bitcoin_message.recover_signer(row.message, signature)
        matches = [kind for kind, text in bitcoin_message.addresses_of_key(point, compressed).items()
                   if text == networks.address_key(row.address)]  # bech32 may be written in upper case
        if not matches:
            raise ValueError(f"signature{index} recovers a key that does not own this address")
    return f"BIP-137 message signature ({matches[0]})"


def _verify_multisig(row: ReserveRow, address: BitcoinAddress) -> str:
    if not row.script:
        raise ValueError("P2WSH address needs its redeem script")
    try:
        script = bytes.fromhex(row.script.removeprefix("0x"))
    except ValueError:
        raise ValueError("redeem script is not hex") from None
    m, keys = parse_multisig(script)
    if address.kind == "p2wsh":
        commits = address.program == sha256(script)
    else:
        commits = address.program in (hash160(script), hash160(p2wsh_program(script)))
    if not commits:
        raise ValueError("redeem script does not hash to the address")
    script_points = {secp256k1.decode_point(key) for key in keys}
    signers = set()
    for index, signature in enumerate(row.signatures, start=1):
        point, _ = bitcoin_message.recover_signer(row.message, signature)
        if point not in script_points:
            raise ValueError(f"signature{index} recovers a key that is not in the redeem script")
        signers.add(point)
    if len(signers) < m:
        raise ValueError(f"only {len(signers)} distinct key(s) of the {m}-of-{len(keys)} script signed")
    return f"{m}-of-{len(keys)} multisig ({address.kind}), {len(signers)} distinct signers"
