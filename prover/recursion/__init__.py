"""The recursion prover's side: a tiny IR of verifier operations that computes its wires' values as it is written
(`circuit`), the circuit's wiring as the preprocessed columns of `circuits.recursion.air.RecursionAir`
(`wiring`), their root, the circuit's verifying key, and the AIR carrying it (`keys`), and the trace (`trace`)."""
