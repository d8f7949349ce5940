"""The liabilities AIR (SPEC §1), one module per constraint family (docs/SOUNDNESS.md follows the same split).

- `statement`: the public inputs; `layout`: the trace's columns and rows;
- `permutation`: one Poseidon2 permutation per row; `row_types`: flags forcing the row layout and heap ids;
- `sponge`: leaf and node hashing framed by the capacity lanes; `tree`: the Merkle bus linking them to the root;
- `balances`: every balance in [0, 2^63) by 16-bit limbs; `totals`: exact per-asset sums;
- `air`: the AIR that puts them together.
"""
from circuits.solvency.air import SolvencyAir
from circuits.solvency.statement import MAX_LEAVES, Statement

__all__ = ["MAX_LEAVES", "SolvencyAir", "Statement"]
