"""Compile (or load) every prover kernel ahead of time by proving and verifying a tiny round, e.g. right after
`pip install`: `python -m prover.exchange.warm`. It lives above the engine because a round reaches kernels of
both the exchange (the tree's Poseidon2) and the engine."""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from prover.engine import kernel_cache


def warm() -> float:
    """Seconds taken to prove and verify an 8-user demo round at the test preset."""
    started = time.perf_counter()
    kernel_cache.announce_if_cold()
    from prover.exchange.demo import run_demo

    with tempfile.TemporaryDirectory() as tmp:
        run_demo(8, Path(tmp) / "warm", "test", progress=False, echo=lambda line: None)
    return time.perf_counter() - started


if __name__ == "__main__":
    print(f"prover kernels ready ({warm():.1f} s)", file=sys.stderr)
