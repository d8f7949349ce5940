"""The recursion's shared half (docs/RECURSION.md): what an aggregation layer proves (`statement`) and, as it
lands, the verifier AIR that proves it: its chips (`chips`: Poseidon2 and Merkle step, extension arithmetic,
bits, the witness bus) and the AIR of rows of chip slots (`air`)."""
