"""Proof-size research (`por research`): how proof size, prove and verify time and security move with users,
assets and the STARK parameters, next to the published figures of other proof-of-solvency systems.

- `points`: the parameter grid and the fewest queries reaching a security target;
- `estimate`: proof size from the proof format and the protocol's shape, without proving;
- `measure`: a real proof and verification, timed, in a fresh process;
- `references`: other systems' published figures, with their sources;
- `sweep`: runs the grid; `tables` and `plots` write CSV, Markdown and PNGs.
"""
