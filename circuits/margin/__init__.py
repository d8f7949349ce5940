"""The margin policy's AIR (SPEC §1 "Margin policy"): the liabilities AIR's families over per-asset slots, plus
per-leaf solvency under public prices and haircut tiers.

- `policy`: prices, collateral kinds, tiers, their limits and the band table; `statement`: the public inputs;
- `layout`: the liabilities layout widened by the margin columns; `values`: band lookups, exact value sums and
  their normalization; `air`: the AIR that puts them together.
"""
from circuits.margin.air import MarginAir
from circuits.margin.policy import Policy
from circuits.margin.statement import MarginStatement

__all__ = ["MarginAir", "MarginStatement", "Policy"]
