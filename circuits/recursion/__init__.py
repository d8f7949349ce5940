"""The recursion's shared half: what an aggregation layer proves (`statement`) and, as it lands, the verifier AIR
that proves it (docs/RECURSION.md)."""
