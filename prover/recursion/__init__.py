"""The recursion prover's side: a tiny IR of verifier operations that computes its wires' values as it is written
(`circuit`), and the trace of `circuits.recursion.air.RecursionAir` filled from it (`trace`)."""
