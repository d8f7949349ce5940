"""The liabilities AIR (SPEC §1), one module per constraint family (docs/SOUNDNESS.md follows the same split).

- `statement`: the public inputs; `layout`: the trace's columns and rows;
- one Poseidon2 permutation per row (`circuits.poseidon2_air`); `row_types`: flags forcing the chunk-major row
  layout (one segment of N rows per leaf chunk), heap ids and segment ends;
- `sponge`: leaf and node hashing framed by the capacity lanes, chunks of a leaf linked by the sponge bus;
  `tree`: the Merkle bus linking leaves and nodes to the root;
- `balances`: every balance in [0, 2^63) by 16-bit limbs; `totals`: exact per-asset sums from eight per-lane
  accumulators checked at each segment's end;
- `air`: the AIR that puts them together.
"""
from circuits.solvency.air import SolvencyAir
from circuits.solvency.statement import MAX_LEAVES, Statement

__all__ = ["MAX_LEAVES", "SolvencyAir", "Statement"]
