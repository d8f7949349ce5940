"""Export one user's inclusion proof (SPEC §3, `por-inclusion/2`) from a round's private inclusion store."""
import os
from pathlib import Path

from circuits.tree_hash import digest_from_hex
from prover.exchange.inclusion_store import read_user
from prover.exchange.round import STORE_FILE
from verifier.formats.inclusion import Entry, inclusion_document


def export_inclusion(round_dir: str | os.PathLike, user_id: str) -> dict:
    """The user's inclusion proof: the round's header, and each of their leaves (balances in every asset, zeros
    too, nonce, index, path). Raises StoreError."""
    record = read_user(Path(round_dir) / STORE_FILE, user_id)
    entries = [Entry(e.index, e.nonce, tuple(e.balances), tuple(path))
               for e, path in zip(record.entries, record.siblings)]
    return inclusion_document(record.round, record.policy, record.assets, record.leaves,
                              digest_from_hex(record.root), record.user_id, entries)
