"""Ownership signatures: public known-answer vectors for every scheme, then every rejection SPEC §5 names."""
from dataclasses import replace
from fractions import Fraction

import pytest

from prover.reserves.generate import (
    BIP137_P2PKH,
    BIP137_P2SH_P2WPKH,
    BIP137_P2WPKH,
    evm_account,
    private_key,
    public_key,
    sign_bitcoin_message,
    sign_personal_message,
)
from verifier.reserves import bitcoin_address
from verifier.reserves.batch import verify_rows
from verifier.reserves.csvfile import ReserveRow
from verifier.reserves.evm import checksum_address
from verifier.reserves.multisig import build_multisig
from verifier.reserves.ownership import REJECTED, UNVERIFIED, VERIFIED, verify_row
from verifier.reserves.personal_message import ETHEREUM_PREFIX, TRON_PREFIX
from verifier.reserves.tron import encode_tron_address

OKX_MESSAGE = "I am an OKX address"
MESSAGE = "I control this address for proof of reserves round test"


def row(network, address, signatures, message=MESSAGE, script="", owners=(), coin=None, line=2):
    return ReserveRow(line=line, coin=coin or network, network=network, address=address, amount=Fraction(1),
                      message=message, signatures=tuple(signatures), script=script, owners=tuple(owners))


def assert_verdict(reserve_row, status, reason=""):
    verdict = verify_row(reserve_row)
    assert verdict.status == status, verdict.detail
    assert reason in verdict.detail
    return verdict


# --- Public vectors -------------------------------------------------------------------------------------------

# Bitcoin Core / Electrum signatures of "test message" by private key 0xca9781...48bb (as reproduced in
# btclib-org/btclib's tests/test_bms.py): header 27 uncompressed and header 31 compressed.
CORE_KEY = bytes.fromhex("ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb")
CORE_SIG_UNCOMPRESSED = "G/iew/NhHV9V9MdUEn/LFOftaTy1ivGPKPKyMlr8OSokNC755fAxpSThNRivwTNsyY9vPUDTRYBPc2cmGd5d4y4="
CORE_SIG_COMPRESSED = "H/iew/NhHV9V9MdUEn/LFOftaTy1ivGPKPKyMlr8OSokNC755fAxpSThNRivwTNsyY9vPUDTRYBPc2cmGd5d4y4="


def test_bitcoin_core_message_signatures():
    assert_verdict(row("BTC", "1HUBHMij46Hae75JPdWjeZ5Q7KaL7EFRSD", [CORE_SIG_UNCOMPRESSED], "test message"), VERIFIED, "p2pkh")
    assert_verdict(row("BTC", "14dD6ygPi5WXdwwBTt1FBZK3aD8uDem1FY", [CORE_SIG_COMPRESSED], "test message"), VERIFIED, "p2pkh")
    # The header's type hint is not trusted: the same compressed signature proves the key's segwit addresses.
    for address in (bitcoin_address.p2wpkh(public_key(CORE_KEY)), bitcoin_address.p2sh_p2wpkh(public_key(CORE_KEY))):
        assert_verdict(row("BTC", address, [CORE_SIG_COMPRESSED], "test message"), VERIFIED)
    # An uncompressed-key signature cannot prove the compressed key's address, nor one over another message.
    assert_verdict(row("BTC", "14dD6ygPi5WXdwwBTt1FBZK3aD8uDem1FY", [CORE_SIG_UNCOMPRESSED], "test message"), REJECTED)
    assert_verdict(row("BTC", "14dD6ygPi5WXdwwBTt1FBZK3aD8uDem1FY", [CORE_SIG_COMPRESSED], "test message!"), REJECTED)


def test_eip191_vector_from_eth_account_docs():
    # eth-account's sign_message(encode_defunct(text="I♥SF")) example.
    signature = ("0xe6ca9bba58c88611fad66a6ce8f996908195593807c4b38bd528d2cff09d4eb33e5bfbbf4d3e39b1a2fd816a7680c19eb"
                 "ebaf3a141b239934ad43cb33fcec8ce1c")
    assert_verdict(row("ETH", "0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E", [signature], "I♥SF"), VERIFIED, "length-prefixed")


# Published OKX reserves rows: okx/proof-of-reserves @ 6ffa88e7, example/okcoin_por_example.csv.
OKX_P2SH = ("3QVtn5nHRxBXX7C7sKw2qdkoGqMMwFUgwF", [
    "H/hk7JW3ARn4/WBh6AIt+oaQcEgrvO06RGePDzfYy5Ixc1KNekXv0+umB7biP9SdvQbfLS1DIx5OmjGjWmDa8jg=",
    "HznDp7BGCogDFJwfqlITeVMQmXbADHyLJ5QEGhbK3cE/NK+dBimNyAlf1d3a9tKI7rQDwniqyhvJxBQnC5wP8Vw="],
    "5221035e228cfaa97f93b9d513a961ecad3087cc7665542df0132dce857e41f74c39852103fe56807b68d32b2604697e16d56e1f2c6"
    "2603534c00d887892cefbef347678a621029d1c0bc607088f4a6cd47052acc0bc5d233ebbcfe01c0b5c26cf7750b72332f053ae")
OKX_P2WSH = ("bc1qxmaqqg9az39uj8pxf6qckqhu2awquhlg24zg4897mv6wnj8aw97svxgu3r", [
    "H8E34uQYdLQt7ksNHU0lgvbM7RqitoAJKRjV0Bkin6GSVSXf3a5OqUy0vl5jbcli59K9JWVBCXJ/f7ALfBDTqzw=",
    "IJNLvxfSW4K2Wh52LVMV3z9v8VWgtlsJM39A9Y/Uon7gfPOWCxkn0PZFWovkReLP68JWp4f9Z/M4vR46rTc7PIw="],
    "522102597050a09e0870c5d4a75474066317f9f32933759b12a4ebf504a0200fe1e53e210245e21141fe953a5016f64ff07c2f5f51"
    "80a7fcae4971f748eb9bff67e49695af21020da39b913461ef63a3daa6c07e221901201f01334520f22bf2d0129249eacec153ae")
OKX_TRON = ("TJTc3g4AuDoPxCFmTbcTJEmQwhFrTnJGNR", "0xec5f6ae72dbee1626bae3ae76f5929f8690644fb91d0d2dbc62601fbdbe80efc"
            "5060d4093cf941bcd8977819894e939cc5987381e4484e7feabdd46aef9028641b")


@pytest.mark.parametrize("vector", [OKX_P2SH, OKX_P2WSH], ids=["p2sh", "p2wsh"])
def test_okx_published_2_of_3_multisig(vector):
    address, signatures, script = vector
    assert_verdict(row("BTC", address, signatures, OKX_MESSAGE, script), VERIFIED, "2-of-3 multisig")
    # The same key twice is one distinct key, not two.
    assert_verdict(row("BTC", address, [signatures[0]] * 2, OKX_MESSAGE, script), REJECTED, "only 1 distinct key")
    # The other address's (valid) script does not hash to this address.
    other_script = OKX_P2WSH[2] if vector is OKX_P2SH else OKX_P2SH[2]
    assert_verdict(row("BTC", address, signatures, OKX_MESSAGE, other_script), REJECTED, "does not hash")


def test_okx_published_tron_row():
    address, signature = OKX_TRON
    assert_verdict(row("TRX", address, [signature], OKX_MESSAGE), VERIFIED, "keccak-prefixed")
    assert_verdict(row("TRX", address, [signature], "I am not an OKX address"), REJECTED, "does not recover")


# --- Keys generated here, one per address type and scheme --------------------------------------------------------

@pytest.mark.parametrize("header,encode", [
    (BIP137_P2PKH, bitcoin_address.p2pkh), (BIP137_P2WPKH, bitcoin_address.p2wpkh),
    (BIP137_P2SH_P2WPKH, bitcoin_address.p2sh_p2wpkh),
])
def test_generated_bitcoin_single_key(header, encode):
    key = private_key(1, f"single/{header}")
    address = encode(public_key(key))
    assert_verdict(row("BTC", address, [sign_bitcoin_message(key, MESSAGE, header)]), VERIFIED)
    assert_verdict(row("BTC", address, [sign_bitcoin_message(key, "another message", header)]), REJECTED, "does not own")
    other = sign_bitcoin_message(private_key(1, "someone else"), MESSAGE, header)
    assert_verdict(row("BTC", address, [other]), REJECTED, "does not own")


@pytest.fixture(scope="module")
def multisig():
    keys = [private_key(2, f"multisig/{i}") for i in range(3)]
    script = build_multisig(2, [public_key(k) for k in keys])
    signatures = [sign_bitcoin_message(k, MESSAGE) for k in keys]
    return script, signatures


@pytest.mark.parametrize("encode", [bitcoin_address.p2sh, bitcoin_address.p2wsh], ids=["p2sh", "p2wsh"])
def test_generated_2_of_3(multisig, encode):
    script, signatures = multisig
    address = encode(script)
    assert_verdict(row("BTC", address, [signatures[0], signatures[2]], script=script.hex()), VERIFIED, "2 distinct")
    assert_verdict(row("BTC", address, [signatures[1], signatures[1]], script=script.hex()), REJECTED, "only 1 distinct")
    assert_verdict(row("BTC", address, [signatures[1]], script=script.hex()), REJECTED, "only 1 distinct")
    stranger = sign_bitcoin_message(private_key(2, "not in the script"), MESSAGE)
    assert_verdict(row("BTC", address, [signatures[0], stranger], script=script.hex()), REJECTED, "not in the redeem script")


def test_p2sh_wrapped_p2wsh_multisig(multisig):
    script, signatures = multisig
    address = bitcoin_address.p2sh(bitcoin_address.p2wsh_program(script))
    assert_verdict(row("BTC", address, signatures[:2], script=script.hex()), VERIFIED)


def test_p2wsh_without_script_and_taproot_rows():
    script_address = bitcoin_address.p2wsh(build_multisig(1, [public_key(private_key(3, "k"))]))
    assert_verdict(row("BTC", script_address, [CORE_SIG_COMPRESSED]), REJECTED, "needs its redeem script")
    taproot = "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y"
    assert_verdict(row("BTC", taproot, [CORE_SIG_COMPRESSED]), UNVERIFIED, "BIP-322")


@pytest.mark.parametrize("network,prefix,encode", [
    ("ETH", ETHEREUM_PREFIX, checksum_address), ("TRX", TRON_PREFIX, encode_tron_address),
])
@pytest.mark.parametrize("scheme", ["keccak-prefixed", "length-prefixed"])
def test_generated_evm_and_tron(network, prefix, encode, scheme):
    key = private_key(4, network)
    address = encode(evm_account(key))
    assert_verdict(row(network, address, [sign_personal_message(key, prefix, MESSAGE, scheme)]), VERIFIED, scheme)
    wrong_message = sign_personal_message(key, prefix, "another message", scheme)
    assert_verdict(row(network, address, [wrong_message]), REJECTED, "does not recover the address")
    other_key = sign_personal_message(private_key(4, "other"), prefix, MESSAGE, scheme)
    assert_verdict(row(network, address, [other_key]), REJECTED, "does not recover the address")
    other_chain = ETHEREUM_PREFIX if prefix == TRON_PREFIX else TRON_PREFIX
    assert_verdict(row(network, address, [sign_personal_message(key, other_chain, MESSAGE, scheme)]), REJECTED)


def test_contract_wallet_needs_every_owner():
    owners = [private_key(5, f"owner/{i}") for i in range(2)]
    owner_addresses = [checksum_address(evm_account(k)) for k in owners]
    signatures = [sign_personal_message(k, ETHEREUM_PREFIX, MESSAGE) for k in owners]
    contract = "0x57e2dcd253527a0f70c6a3de3556f6e6e163f19c"
    verdict = assert_verdict(row("ETH", contract, signatures, owners=owner_addresses), VERIFIED, "owners signed")
    assert verdict.contract_wallet
    assert_verdict(row("ETH", contract, signatures[::-1], owners=owner_addresses), REJECTED, "owner eoa1")
    assert_verdict(row("ETH", contract, signatures[:1], owners=owner_addresses), REJECTED, "2 owner(s) listed but 1")
    assert_verdict(row("ETH", "0x1234", signatures, owners=owner_addresses), REJECTED, "validator public key")
    assert_verdict(row("BTC", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", signatures, owners=owner_addresses), REJECTED, "EVM")


@pytest.mark.parametrize("network,address", [
    ("BTC", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMh"),
    ("BTC", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"),
    ("ETH", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"),
    ("TRX", "TJTc3g4AuDoPxCFmTbcTJEmQwhFrTnJGNS"),
])
def test_address_that_does_not_decode_is_rejected(network, address):
    assert_verdict(row(network, address, [CORE_SIG_COMPRESSED]), REJECTED, "address")


def test_malformed_signature_and_problem_rows_are_rejected():
    assert_verdict(row("BTC", "14dD6ygPi5WXdwwBTt1FBZK3aD8uDem1FY", ["not base64!"]), REJECTED, "base64")
    assert_verdict(row("ETH", "0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E", ["0x1234"]), REJECTED, "65")
    malformed = replace(row("ETH", "0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E", ["0x00"]), amount=None,
                        problem="amount: not a non-negative decimal amount: '-3'")
    assert_verdict(malformed, REJECTED, "amount")


@pytest.mark.parametrize("network", ["TON", "APTOS", "SOL"])
def test_ed25519_chains_are_unverified(network):
    assert_verdict(row(network, "anything", ["0x00"]), UNVERIFIED, "ed25519")


@pytest.mark.parametrize("network", ["LTC", "Dogecoin", "XRP"])
def test_chains_known_by_name_but_not_checked_are_unverified_not_refused(network):
    assert_verdict(row(network, "anything", ["0x00"]), UNVERIFIED, "not checked")


def test_batch_keeps_order_and_parallel_matches_serial():
    """(An address listed twice is refused before the batch: tests/verifier/test_reserves_duplicates.py.)"""
    key = private_key(6, "evm")
    address = checksum_address(evm_account(key))
    good = row("ETH", address, [sign_personal_message(key, ETHEREUM_PREFIX, MESSAGE)])
    rows = tuple(replace(good, line=line, coin=f"TOKEN{line}") for line in range(2, 40))
    rows += (replace(good, line=40, signatures=("0x00",)),)
    serial = verify_rows(rows, jobs=1)
    assert [v.line for v in serial] == list(range(2, 41))
    assert all(v.status == VERIFIED for v in serial[:-1]) and serial[-1].status == REJECTED
    assert verify_rows(rows, jobs=2) == serial
