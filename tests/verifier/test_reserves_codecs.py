"""Address codecs, amounts and scripts against public known-answer vectors."""
from fractions import Fraction

import pytest

from verifier.reserves.amounts import format_amount, format_percent, parse_amount
from verifier.reserves.bitcoin_address import (
    decode_address,
    p2pkh,
    p2sh_p2wpkh,
    p2wpkh,
    p2wsh,
)
from verifier.reserves.evm import checksum_address, decode_evm_address
from verifier.reserves.multisig import build_multisig, parse_multisig
from verifier.reserves.networks import base_asset, scheme_for
from verifier.reserves.secp256k1 import decode_point, encode_point
from verifier.reserves.tron import decode_tron_address, encode_tron_address

# The secp256k1 generator, i.e. the public key of private key 1.
G_COMPRESSED = bytes.fromhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")


def test_single_key_addresses_of_private_key_one():
    # BIP-173's first example address is the P2WPKH of this key; the others are the well-known encodings.
    assert p2wpkh(G_COMPRESSED) == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    assert p2pkh(G_COMPRESSED) == "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
    assert p2sh_p2wpkh(G_COMPRESSED) == "3JvL6Ymt8MVWiCNHC7oWU6nLeHNJKLZGLN"
    uncompressed = encode_point(decode_point(G_COMPRESSED), compressed=False)
    assert p2pkh(uncompressed) == "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm"


def test_bip173_p2wsh_program():
    # BIP-173: script `<G> OP_CHECKSIG` as P2WSH (testnet vector re-encoded for mainnet keeps the program).
    script = bytes([0x21]) + G_COMPRESSED + bytes([0xAC])
    address = decode_address(p2wsh(script))
    assert address.kind == "p2wsh"
    assert address.program.hex() == "1863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"


@pytest.mark.parametrize("text,kind,program", [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "p2wpkh", "751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "witness_v1",
     "751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"),  # BIP-350 valid
    ("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "p2pkh", "751e76e8199196d454941c45d1b3a323f1433bd6"),
])
def test_decode_valid_addresses(text, kind, program):
    address = decode_address(text)
    assert (address.kind, address.program.hex()) == (kind, program)


@pytest.mark.parametrize("text", [
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # BIP-173: bad checksum
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # BIP-350: v1 with a bech32 checksum
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7kv8f3t4",  # BIP-173: mixed case
    "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",  # testnet, not mainnet
    "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMh",  # base58check checksum broken by one character
    "TJTc3g4AuDoPxCFmTbcTJEmQwhFrTnJGNR",  # a TRON address is not a Bitcoin one
])
def test_addresses_that_do_not_decode(text):
    with pytest.raises(ValueError):
        decode_address(text)


@pytest.mark.parametrize("address", [  # EIP-55's own examples
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
])
def test_eip55_checksums(address):
    raw = decode_evm_address(address)
    assert checksum_address(raw) == address
    assert decode_evm_address(address.lower()) == raw
    letter = next(i for i, c in enumerate(address) if i > 1 and c.isalpha())
    wrong_case = address[:letter] + address[letter].swapcase() + address[letter + 1:]
    with pytest.raises(ValueError, match="EIP-55"):
        decode_evm_address(wrong_case)


@pytest.mark.parametrize("text", ["0x1234", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xZZaeb6053f3e94c9b9a09f33669435e7ef1beaed"])
def test_evm_addresses_that_do_not_decode(text):
    with pytest.raises(ValueError):
        decode_evm_address(text)


def test_tron_address_round_trip():
    # Public OKX reserves address (okx/proof-of-reserves @ 6ffa88e7, example/okcoin_por_example.csv).
    account = decode_tron_address("TJTc3g4AuDoPxCFmTbcTJEmQwhFrTnJGNR")
    assert encode_tron_address(account) == "TJTc3g4AuDoPxCFmTbcTJEmQwhFrTnJGNR"
    with pytest.raises(ValueError):
        decode_tron_address("TJTc3g4AuDoPxCFmTbcTJEmQwhFrTnJGNS")
    with pytest.raises(ValueError):
        decode_tron_address("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH")


def test_multisig_script_round_trip_and_rejections():
    keys = [G_COMPRESSED, encode_point(decode_point(G_COMPRESSED), compressed=False)]
    script = build_multisig(1, keys)
    assert parse_multisig(script) == (1, keys)
    with pytest.raises(ValueError, match="not a standard"):
        parse_multisig(b"\x00\x14" + bytes(20))
    with pytest.raises(ValueError, match="n"):
        parse_multisig(script[:-2] + bytes([0x53, 0xAE]))  # claims 3 keys, holds 2
    with pytest.raises(ValueError):
        parse_multisig(bytes([0x51, 0x21]) + b"\x02" + bytes(32) + bytes([0x51, 0xAE]))  # x = 0 is not on the curve


def test_amounts_are_exact():
    assert parse_amount(" 5.2834") == Fraction(52834, 10000)
    total = parse_amount("0.058959708849230328") + parse_amount("0.148960774325814037")
    assert format_amount(total) == "0.207920483175044365"
    assert format_amount(Fraction(13)) == "13"
    for bad in ("-1", "1e5", "1,5", "", "NaN", "0x10", "1.2.3"):
        with pytest.raises(ValueError):
            parse_amount(bad)


def test_percent_is_truncated_never_rounded_up():
    assert format_percent(Fraction(26, 25)) == "104.00%"
    assert format_percent(Fraction(999999, 1000000)) == "99.99%"
    assert format_percent(Fraction(2, 3)) == "66.66%"
    assert format_percent(Fraction(1)) == "100.00%"


def test_networks_and_assets():
    assert [scheme_for(n) for n in ("BTC", "eth", "Arbitrum One", "TRX", "TON", "APTOS", "SOL", "FOO")] == [
        "bitcoin", "evm", "evm", "tron", "ed25519", "ed25519", "ed25519", None]
    assert [base_asset(c) for c in ("USDT-TRC20", "ETH-ARBITRUM", "USDT-POLY", "BTC")] == ["USDT", "ETH", "USDT", "BTC"]
