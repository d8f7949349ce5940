"""Export one user's inclusion proof (SPEC §3, `por-inclusion/2`) from a round's private inclusion store."""
import json
import os
from pathlib import Path

from circuits.tree_hash import digest_from_hex
from prover.exchange.inclusion_store import UserNotInRound, read_user
from prover.exchange.margin_round import EXCLUDED_FILE
from prover.exchange.round import STORE_FILE
from verifier.formats.inclusion import Entry, inclusion_document


def export_inclusion(round_dir: str | os.PathLike, user_id: str) -> dict:
    """The user's inclusion proof: the round's header, and each of their leaves (balances in every asset, zeros
    too, nonce, index, path). Raises StoreError; for a user the margin policy left out, saying why."""
    try:
        record = read_user(Path(round_dir) / STORE_FILE, user_id)
    except UserNotInRound as error:
        why = _excluded(Path(round_dir), user_id)
        raise UserNotInRound(f"{error}: the margin policy left them out ({EXCLUDED_FILE}: {why})" if why
                             else str(error)) from None
    entries = [Entry(e.index, e.nonce, tuple(e.balances), tuple(path))
               for e, path in zip(record.entries, record.siblings)]
    return inclusion_document(record.round, record.policy, record.assets, record.leaves,
                              digest_from_hex(record.root), record.user_id, entries)


def _excluded(round_dir: Path, user_id: str) -> str | None:
    """Why the round's excluded.json (a margin round run with --exclude-refused) left the user out, if it did."""
    try:
        listed = json.loads((round_dir / EXCLUDED_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return next((entry["why"] for entry in listed if entry["user_id"] == user_id), None)
