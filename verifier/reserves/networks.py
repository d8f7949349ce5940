"""Which signature scheme a row's `Network` uses, which asset its `coin` counts toward, and when two spellings
of an address are the same address."""

BITCOIN, EVM, TRON, ED25519 = "bitcoin", "evm", "tron", "ed25519"

_SCHEMES = {
    BITCOIN: {"BTC", "BITCOIN"},
    EVM: {
        "ETH", "ETHEREUM", "ERC20", "ARBITRUM", "ARBITRUM ONE", "ETH-ARBITRUM", "OPTIMISM", "ETH-OPTIMISM",
        "POLYGON", "POLY", "MATIC", "AVAXC", "AVAX-C", "AVALANCHE C-CHAIN", "BSC", "BEP20", "BNB SMART CHAIN",
        "BASE", "LINEA", "ETH-LINEA", "ETC", "ZKSYNC ERA", "X LAYER", "XLAYER", "SCROLL", "MANTLE",
    },
    TRON: {"TRX", "TRON", "TRC20"},
    ED25519: {"TON", "APTOS", "SOL", "SOLANA", "SUI", "DOT", "POLKADOT", "ADA", "CARDANO", "XLM", "STELLAR",
              "NEAR", "ALGO", "ALGORAND"},
}
_SCHEME_OF = {network: scheme for scheme, networks in _SCHEMES.items() for network in networks}


def scheme_for(network: str) -> str | None:
    """bitcoin, evm, tron or ed25519 for a known network name (case-insensitive); None when unknown."""
    return _SCHEME_OF.get(" ".join(network.split()).upper())


def base_asset(coin: str) -> str:
    """The asset a coin column counts toward: the part before the first '-' (USDT-TRC20 -> USDT, ETH-ARBITRUM -> ETH)."""
    return coin.split("-", 1)[0].strip().upper()


def address_key(address: str) -> str:
    """An address as compared for equality: hex and bech32 addresses are case-insensitive; base58 ones are not."""
    lowered = address.lower()
    return lowered if lowered.startswith(("0x", "bc1")) else address
