"""Published figures of other proof-of-solvency systems, each with its source. None means the source we found
gives no such number: it is reported as missing, never estimated."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    system: str
    proof_system: str
    proof_bytes: int | None  # per published round
    users: int | None
    assets: int | None
    prove_s: float | None
    verify_s: float | None
    note: str
    source: str


REFERENCES = (
    Reference("OKX v1", "zk-STARK", 598_000, None, 22, None, None,
              "liabilities proof file per monthly round, down from 2.55 GB; user count not stated",
              "OKX zk-STARK proof-of-reserves developers' guide, as quoted in this project's issue 11 (the page "
              "itself was not reachable from here; tooling at https://github.com/okx/proof-of-reserves)"),
    Reference("OKX v2", "Plonky2 (batch + recursive Merkle sum tree)", None, None, None, None, None,
              "batches of 1024 accounts; the README gives global-proof verification of 3 to 30 minutes "
              "(32 GB to 8 GB of memory), since it rebuilds the circuit; no proof size published there",
              "https://github.com/okx/proof-of-reserves-v2 (README and docs/technical_spec.md)"),
    Reference("Binance", "zk-SNARK (gnark)", None, None, None, None, None,
              "batched Merkle sum tree proofs; no proof size, prove or verify time found in the announcement",
              "https://www.binance.com/en/blog/tech/how-zksnarks-improve-binances-proof-of-reserves-system-"
              "6654580406550811626"),
    Reference("Summa", "Halo2 / KZG (univariate grand sum)", None, (1 << 18) - 6, 175, 2569.2, 0.0039942,
              "AWS m7a.8xlarge, 32 cores; verify is the grand sum verification; no proof size published there",
              "Summa documentation, Benchmarks page (reproduction: "
              "https://github.com/summa-dev/summa-solvency/tree/v2/prover#benchmarks)"),
)
