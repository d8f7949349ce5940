"""Reserves: who controls which addresses, how much they hold, and how that compares to liabilities (SPEC §5).

The modules each do one job: `amounts` (exact decimals), `csvfile` (OKX's reserves layout), `liabilities`
(a round's public.json), the codecs and signature schemes (`bitcoin`, `multisig`, `evm`, `tron`), `ownership`
(one row's verdict), `networks` and `duplicates` (one chain per network name; each address counted once
per asset and chain), `batch` (all rows, in parallel), `balances` (amounts against a snapshot),
`round_binding` (messages must name the round) and `summary` (per-asset ratios and the verdict).
"""
