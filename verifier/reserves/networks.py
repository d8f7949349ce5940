"""Which chain a row's `Network` names, which signature scheme that chain uses, which asset its `coin` counts
toward, and when two spellings of an address are the same address.

Exchanges spell one chain several ways (OKX: `BTC`, `ETH`, `TRX`, `POLY`, `AVAXC`; its docs: `Bitcoin`,
`Ethereum`, `Tron`; Binance: `BSC`, `MATIC`, `ARBITRUM`, `OPTIMISM`, and the token standards `ERC20`, `TRC20`,
`BEP20`). Each spelling maps to one canonical chain, so that the same address listed under two spellings is
recognised as one address (see `duplicates`). A name that is not in the table is refused rather than guessed.
"""
from dataclasses import dataclass

from verifier.reserves.tron import decode_tron_address

BITCOIN, EVM, TRON, ED25519 = "bitcoin", "evm", "tron", "ed25519"
UNSUPPORTED = "unsupported"  # a chain known by name whose addresses or signatures this tool does not check


@dataclass(frozen=True)
class Chain:
    name: str  # canonical, e.g. "ethereum" for ETH, ERC20 and Ethereum
    scheme: str


_CHAINS = {
    ("bitcoin", BITCOIN): {"BTC", "BITCOIN"},
    ("ethereum", EVM): {"ETH", "ETHEREUM", "ERC20", "ETHEREUM (ERC20)"},
    ("arbitrum", EVM): {"ARBITRUM", "ARBITRUM ONE", "ETH ARBITRUM"},
    ("optimism", EVM): {"OPTIMISM", "ETH OPTIMISM", "OP MAINNET"},
    ("polygon", EVM): {"POLYGON", "POLY", "MATIC", "POLYGON POS"},
    ("avalanche-c", EVM): {"AVAXC", "AVAX C", "AVAX C CHAIN", "AVALANCHE", "AVALANCHE C CHAIN"},
    ("bsc", EVM): {"BSC", "BEP20", "BNB SMART CHAIN", "BNB SMART CHAIN (BEP20)"},
    ("opbnb", EVM): {"OPBNB"},
    ("base", EVM): {"BASE"},
    ("linea", EVM): {"LINEA", "ETH LINEA"},
    ("ethereum-classic", EVM): {"ETC", "ETHEREUM CLASSIC"},
    ("zksync-era", EVM): {"ZKSYNC ERA", "ZKSYNCERA", "ZKSYNC2"},
    ("x-layer", EVM): {"X LAYER", "XLAYER"},
    ("scroll", EVM): {"SCROLL"},
    ("mantle", EVM): {"MANTLE"},
    ("tron", TRON): {"TRX", "TRON", "TRC20", "TRON (TRC20)"},
    ("ton", ED25519): {"TON", "TONCOIN"},
    ("aptos", ED25519): {"APTOS", "APT"},
    ("solana", ED25519): {"SOL", "SOLANA"},
    ("sui", ED25519): {"SUI"},
    ("polkadot", ED25519): {"DOT", "POLKADOT"},
    ("cardano", ED25519): {"ADA", "CARDANO"},
    ("stellar", ED25519): {"XLM", "STELLAR"},
    ("near", ED25519): {"NEAR"},
    ("algorand", ED25519): {"ALGO", "ALGORAND"},
    ("litecoin", UNSUPPORTED): {"LTC", "LITECOIN"},
    ("dogecoin", UNSUPPORTED): {"DOGE", "DOGECOIN"},
    ("bitcoin-cash", UNSUPPORTED): {"BCH", "BITCOIN CASH"},
    ("ripple", UNSUPPORTED): {"XRP", "RIPPLE"},
    ("eos", UNSUPPORTED): {"EOS"},
    ("filecoin", UNSUPPORTED): {"FIL", "FILECOIN"},
    ("cosmos", UNSUPPORTED): {"ATOM", "COSMOS"},
    ("zcash", UNSUPPORTED): {"ZEC", "ZCASH"},
    ("dash", UNSUPPORTED): {"DASH"},
}
_CHAIN_OF = {spelling: Chain(name, scheme) for (name, scheme), spellings in _CHAINS.items() for spelling in spellings}


def _spelling(network: str) -> str:
    """Case, '-' / '_' and runs of spaces do not matter: `ETH-ARBITRUM`, `eth_arbitrum`, `Eth Arbitrum`."""
    return " ".join(network.replace("-", " ").replace("_", " ").split()).upper()


def chain_for(network: str) -> Chain | None:
    """The canonical chain of a network name; None when the name is not a known spelling."""
    return _CHAIN_OF.get(_spelling(network))


def scheme_for(network: str) -> str | None:
    """bitcoin, evm, tron, ed25519 or unsupported for a known network name; None when unknown."""
    chain = chain_for(network)
    return chain.scheme if chain else None


def base_asset(coin: str) -> str:
    """The asset a coin column counts toward: the part before the first '-' (USDT-TRC20 -> USDT, ETH-ARBITRUM -> ETH)."""
    return coin.split("-", 1)[0].strip().upper()


def address_key(address: str) -> str:
    """An address in the one form all its spellings share: hex (EVM `0x...` in any case or EIP-55 checksum) and
    bech32 (`bc1...`, all upper or all lower case) in lower case; a TRON address as its decoded `41...` hex, so
    that the base58 `T...` and hex forms meet; any other base58 address (P2PKH, P2SH) as written, since base58
    is case-sensitive. It depends only on the address's shape, so a snapshot without a network column can use it
    too; keys that must tell chains apart carry the chain beside it."""
    text = address.strip()
    if text[:2].lower() == "0x" or text[:3].lower() == "bc1" or _is_tron_hex(text):
        return text.lower()
    if text.startswith("T"):
        try:
            return "41" + decode_tron_address(text).hex()
        except ValueError:
            pass
    return text


def _is_tron_hex(text: str) -> bool:
    return len(text) == 42 and text[:2] == "41" and all(c in "0123456789abcdefABCDEF" for c in text)
