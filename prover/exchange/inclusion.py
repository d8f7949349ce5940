"""Export one user's inclusion proof (SPEC §3) from a round's private inclusion store."""
import json
import os
from pathlib import Path

from circuits.tree_hash import digest_to_hex
from prover.exchange.inclusion_store import read_user
from prover.exchange.round import STORE_FILE
from verifier.formats.amounts import format_amount

INCLUSION_FORMAT = "por-inclusion/1"


def export_inclusion(round_dir: str | os.PathLike, user_id: str) -> dict:
    """The user's inclusion proof: balances in every asset of the round (zeros too), nonce, leaf index, path.

    `decimals` (symbol -> decimals, in the balances' order) goes beyond SPEC §3 so that the proof can be
    checked against a bare published root, without the round's public.json. Raises StoreError.
    """
    record = read_user(Path(round_dir) / STORE_FILE, user_id)
    return {
        "format": INCLUSION_FORMAT,
        "round": record.round,
        "root": record.root,
        "user_id": record.user_id,
        "nonce": record.nonce.hex(),
        "balances": {symbol: format_amount(units, decimals)
                     for (symbol, decimals), units in zip(record.assets, record.balances)},
        "decimals": dict(record.assets),
        "index": record.index,
        "siblings": [digest_to_hex(s) for s in record.siblings],
    }



def inclusion_json(proof: dict) -> str:
    """The inclusion proof as the file users receive: compact JSON (about 1.8 KB for 2^16 leaves and 22 assets)."""
    return json.dumps(proof, separators=(",", ":")) + "\n"
