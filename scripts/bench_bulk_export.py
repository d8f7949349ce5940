"""Benchmark `por inclusion DIR --all`: proofs written per second, then a sample of them verified.

    python scripts/bench_bulk_export.py --users 65536 [--assets 22]   # a synthetic store (no STARK: not needed here)
    python scripts/bench_bulk_export.py --round DIR                   # a round proven by `por prove`

The synthetic store is what `por prove` writes for such users (ids committed with nonces from a master secret,
the leaf tree, the published root bound to the round's header); the proofs are checked against that root.
"""
import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from circuits.solvency import Statement
from circuits.tree_hash import digest_from_hex, digest_to_hex
from prover.exchange.bulk_export import INDEX_FILE, export_all
from prover.exchange.generate import generate_users
from prover.exchange.id_commitments import commit_user_ids
from prover.exchange.inclusion_store import read_round, write_store
from prover.exchange.master_secret import user_nonce
from prover.exchange.round import STORE_FILE
from prover.exchange.tree import leaf_digests, tree_levels
from verifier.formats.public import published_root
from verifier.solvency.inclusion import verify_inclusion

SAMPLE = 1000


def synthetic_round(users: int, assets: int, folder: Path) -> None:
    """A round directory holding only an inclusion store, as `por prove` would write it for these users."""
    table = generate_users(users, assets, seed=1)
    nonces = [user_nonce(b"\x01" * 32, "bench", user_id) for user_id in table.ids]
    n = 1 << (users - 1).bit_length()
    idc = commit_user_ids(table.ids, nonces, [0] * users, [1] * users)  # one leaf each
    idc = np.vstack([idc, np.zeros((n - users, 4), dtype=np.uint64)])
    balances = np.vstack([table.balances, np.zeros((n - users, assets), dtype=np.uint64)])
    levels = tree_levels(leaf_digests(idc, balances))
    statement = Statement("bench", tuple((a.symbol, a.decimals) for a in table.assets), n,
                          tuple(int(x) for x in levels[-1][0]), tuple(table.totals()))
    folder.mkdir()
    write_store(folder / STORE_FILE, "bench", "plain", digest_to_hex(published_root(statement, "plain")),
                list(statement.assets), table.ids, np.zeros(users, dtype=np.int64), np.arange(users), nonces,
                table.balances, levels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1 << 16)
    parser.add_argument("--assets", type=int, default=22)
    parser.add_argument("--round", help="export this round directory instead of a synthetic one")
    parser.add_argument("--tmp", default=".", help="where to write (the filesystem sets the file-creation rate)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        round_dir = Path(args.round) if args.round else Path(tmp) / "round"
        if not args.round:
            started = time.monotonic()
            synthetic_round(args.users, args.assets, round_dir)
            print(f"synthetic store: {args.users} users x {args.assets} assets in {time.monotonic() - started:.1f} s",
                  file=sys.stderr)
        root = digest_from_hex(read_round(round_dir / STORE_FILE).root)
        started = time.monotonic()
        count = export_all(round_dir, Path(tmp) / "proofs")
        seconds = time.monotonic() - started
        rows = (Path(tmp) / "proofs" / INDEX_FILE).read_text(encoding="utf-8").splitlines()[1:]
        sample = random.Random(0).sample(rows, min(SAMPLE, len(rows)))
        for row in sample:
            document = json.loads((Path(tmp) / "proofs" / row.rsplit(",", 1)[1]).read_text(encoding="utf-8"))
            verify_inclusion(document, root)
        print(f"exported {count} inclusion proofs in {seconds:.2f} s: {count / seconds:,.0f} proofs/s "
              f"({len(sample)} sampled proofs verified)")


if __name__ == "__main__":
    main()
