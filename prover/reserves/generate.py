"""Synthetic, genuinely signed reserves files in OKX's layout, so the demo can show a whole reserves report.

Keys are derived from the seed (never use them for anything real). Each asset of a round is covered at the
requested reserve ratio by a mix of wallets: Bitcoin P2PKH, P2WPKH, P2SH-P2WPKH and 2-of-3 P2SH/P2WSH
multisig for BTC; EVM and TRON addresses for stablecoins; EVM plain and contract wallets for everything else.
"""
import base64
import csv
import hashlib
import io
import math
import random
from fractions import Fraction

import coincurve
from py_ecc.secp256k1 import secp256k1 as curve

from verifier.formats.public import parse_public
from verifier.reserves import (
    bitcoin_address,
    bitcoin_message,
    personal_message,
    secp256k1,
)
from verifier.reserves.amounts import format_amount
from verifier.reserves.evm import checksum_address
from verifier.reserves.liabilities import stated_liabilities
from verifier.reserves.multisig import build_multisig
from verifier.reserves.round_binding import round_message
from verifier.reserves.tron import encode_tron_address

HEADER = ["coin", "Network", "Snapshot Height", "address", "amount", "message", "signature1", "signature2",
          "redeem script/ public key", " eoa1", " eoa2"]
SNAPSHOT_HEIGHTS = {"BTC": 840000, "ETH": 20914735, "ARBITRUM": 250000000, "TRX": 66000000}
BIP137_P2PKH, BIP137_P2SH_P2WPKH, BIP137_P2WPKH = 31, 35, 39  # compressed-key header bases
STABLECOINS = {"USDT", "USDC"}


class UnknownAssetError(ValueError):
    """A ratio was given for an asset the round does not have."""


def private_key(seed: int, label: str) -> bytes:
    """A deterministic secp256k1 private key for `label` (demo only: anyone with the seed can derive it)."""
    scalar = int.from_bytes(hashlib.sha256(f"por-reserves|{seed}|{label}".encode()).digest(), "big") % (curve.N - 1)
    return (scalar + 1).to_bytes(32, "big")


def public_key(priv: bytes, compressed: bool = True) -> bytes:
    return coincurve.PrivateKey(priv).public_key.format(compressed)


def sign_digest(priv: bytes, digest: bytes) -> tuple[int, bytes]:
    """(recovery id, r || s) of a deterministic (RFC 6979) low-s libsecp256k1 signature of a 32-byte digest."""
    signature = coincurve.PrivateKey(priv).sign_recoverable(digest, hasher=None)
    return signature[64], signature[:64]


def sign_bitcoin_message(priv: bytes, message: str, header_base: int = BIP137_P2PKH) -> str:
    """A base64 BIP-137 signature; `header_base` is 27 (uncompressed), 31, 35 or 39 (compressed key types)."""
    recovery_id, rs = sign_digest(priv, bitcoin_message.message_digest(message))
    return base64.b64encode(bytes([header_base + recovery_id]) + rs).decode()


def sign_personal_message(priv: bytes, prefix: bytes, message: str, scheme: str = "keccak-prefixed") -> str:
    """A 0x-hex r || s || v signature (v = 27 + recovery id) over one of `personal_message.digests`."""
    recovery_id, rs = sign_digest(priv, personal_message.digests(prefix, message)[scheme])
    return "0x" + (rs + bytes([27 + recovery_id])).hex()


def evm_account(priv: bytes) -> bytes:
    return personal_message.keccak_address(secp256k1.decode_point(public_key(priv, compressed=False)))


def generate_reserves(public: dict, ratios: dict[str, Fraction], seed: int,
                      default_ratio: Fraction = Fraction(21, 20)) -> str:
    """CSV text covering every asset of `public` (a round's public.json) at `ratios[symbol]` (or the default)."""
    parsed = parse_public(public)
    round_name, assets = parsed.statement.round, stated_liabilities(parsed)
    unknown = set(ratios) - {asset.symbol for asset in assets}
    if unknown:
        raise UnknownAssetError(f"no such asset in round {round_name}: {', '.join(sorted(unknown))}")
    message = round_message(round_name)
    rng = random.Random(seed)
    rows = []
    for asset in assets:
        ratio = ratios.get(asset.symbol, default_ratio)
        units = math.ceil(asset.total * ratio * 10**asset.decimals)
        wallets = _wallets_for(asset.symbol)
        for wallet, share in zip(wallets, _split(units, len(wallets), rng)):
            amount = format_amount(Fraction(share, 10**asset.decimals))
            rows.append(wallet(seed, asset.symbol, message, amount))
    return _render(rows)


def _wallets_for(symbol: str) -> list:
    if symbol == "BTC":
        return [_btc_single(BIP137_P2PKH), _btc_single(BIP137_P2WPKH), _btc_single(BIP137_P2SH_P2WPKH),
                _btc_multisig("p2sh"), _btc_multisig("p2wsh")]
    if symbol in STABLECOINS:
        return [_evm_plain("ERC20", "ETH"), _tron("TRC20"), _evm_plain("ARBITRUM", "ARBITRUM")]
    if symbol == "TRX":
        return [_tron(None)]
    return [_evm_plain(None, "ETH"), _evm_contract(), _evm_plain("ARBITRUM", "ARBITRUM")]


def _split(units: int, parts: int, rng: random.Random) -> list[int]:
    """`units` cut into `parts` non-negative shares that add up exactly."""
    cuts = sorted(rng.randint(0, units) for _ in range(parts - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [units])]


def _row(coin, network, address, amount, message, signatures=(), script="", owners=()) -> list[str]:
    signatures, owners = list(signatures) + ["", ""], list(owners) + ["", ""]
    return [coin, network, str(SNAPSHOT_HEIGHTS[network]), address, amount, message, signatures[0], signatures[1],
            script, owners[0], owners[1]]


def _btc_single(header_base: int):
    encode = {BIP137_P2PKH: bitcoin_address.p2pkh, BIP137_P2WPKH: bitcoin_address.p2wpkh,
              BIP137_P2SH_P2WPKH: bitcoin_address.p2sh_p2wpkh}[header_base]

    def make(seed, symbol, message, amount):
        priv = private_key(seed, f"{symbol}/bip137/{header_base}")
        return _row(symbol, "BTC", encode(public_key(priv)), amount, message,
                    [sign_bitcoin_message(priv, message, header_base)])

    return make


def _btc_multisig(kind: str):
    def make(seed, symbol, message, amount):
        keys = [private_key(seed, f"{symbol}/{kind}/{i}") for i in range(3)]
        script = build_multisig(2, [public_key(k) for k in keys])
        address = bitcoin_address.p2sh(script) if kind == "p2sh" else bitcoin_address.p2wsh(script)
        signatures = [sign_bitcoin_message(keys[i], message) for i in (0, 2)]
        return _row(symbol, "BTC", address, amount, message, signatures, script.hex())

    return make


def _evm_plain(suffix: str | None, network: str):
    def make(seed, symbol, message, amount):
        priv = private_key(seed, f"{symbol}/evm/{network}")
        coin = f"{symbol}-{suffix}" if suffix else symbol
        scheme = "keccak-prefixed" if network == "ETH" else "length-prefixed"
        return _row(coin, network, checksum_address(evm_account(priv)), amount, message,
                    [sign_personal_message(priv, personal_message.ETHEREUM_PREFIX, message, scheme)])

    return make


def _evm_contract():
    def make(seed, symbol, message, amount):
        owners = [private_key(seed, f"{symbol}/contract-owner/{i}") for i in range(2)]
        contract = hashlib.sha256(f"por-reserves|{seed}|{symbol}/contract".encode()).digest()[:20]
        signatures = [sign_personal_message(k, personal_message.ETHEREUM_PREFIX, message) for k in owners]
        return _row(symbol, "ETH", checksum_address(contract), amount, message, signatures,
                    owners=[checksum_address(evm_account(k)) for k in owners])

    return make


def _tron(suffix: str | None):
    def make(seed, symbol, message, amount):
        priv = private_key(seed, f"{symbol}/tron")
        coin = f"{symbol}-{suffix}" if suffix else symbol
        return _row(coin, "TRX", encode_tron_address(evm_account(priv)), amount, message,
                    [sign_personal_message(priv, personal_message.TRON_PREFIX, message, "length-prefixed")])

    return make


def _render(rows: list[list[str]]) -> str:
    """OKX's layout: per-coin and per-asset totals, a blank line, then the address rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["coin", "snapshot height", "amount"])
    per_coin: dict[tuple[str, str], Fraction] = {}
    per_asset: dict[str, Fraction] = {}
    for row in rows:
        coin, network, amount = row[0], row[1], Fraction(row[4])
        per_coin[(coin, network)] = per_coin.get((coin, network), Fraction(0)) + amount
        asset = coin.split("-", 1)[0]
        per_asset[asset] = per_asset.get(asset, Fraction(0)) + amount
    for asset, total in per_asset.items():
        writer.writerow([f"{asset}(ALL)", "-", format_amount(total)])
    for (coin, network), total in per_coin.items():
        writer.writerow([coin, SNAPSHOT_HEIGHTS[network], format_amount(total)])
    out.write("\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()
