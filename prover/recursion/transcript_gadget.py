"""The Poseidon2 transcript (`verifier.stark.transcript.Poseidon2Transcript`) replayed on wires: the same duplex
sponge, framing, buffering and squeezing, so the circuit derives exactly the native verifier's challenges.

Labels, kinds and lengths are circuit constants; what the child proof supplies (roots, OOD values, the nonce) are
wires. The statement's prefix (params, hash, AIR, shape, public inputs) is the same for every child of a shape,
so the circuit starts from the native transcript's state after it (`from_native`): those absorptions cost no
permutation. A permutation happens exactly where the native one does: on the 8th pending element (the block
overwrites lanes 0..7, the capacity lanes 8..11 carried) and at each squeeze.

Extension values cross into the sponge as their two base coordinates (`ext_coordinates`): the coordinates are
free, `a + X * b = e` is asserted, and the permutation reads them on base ports (second coordinate 0 on the
bus), which is what makes the split unique.
"""
from __future__ import annotations

from circuits.field import Ext, P
from circuits.poseidon2 import WIDTH
from circuits.tree_hash import RATE
from prover.recursion.circuit import Circuit, Wire
from verifier.stark.transcript import (KIND_BYTES, KIND_CHALLENGE, KIND_ELEMENTS, KIND_INTS, MAX_QUERY_DOMAIN,
                                       Poseidon2Transcript, _check_query_domain, bytes_limbs)

X = Ext(0, 1)
LIMB_BITS = 32


def ext_coordinates(circuit: Circuit, e: Wire) -> tuple[Wire, Wire]:
    """(a, b) with a + X * b = e; base only once a base port reads them (the sponge does)."""
    v = circuit.value(e)
    a, b = circuit.witness(v.a), circuit.witness(v.b)
    circuit.mul_add(b, circuit.constant(X), a, into=e)
    return a, b


def assert_u32(circuit: Circuit, x: Wire) -> None:
    """x < 2^32: the high 32 bits of its canonical decomposition are zero."""
    zero = circuit.constant(0)
    for bit in circuit.bits(x)[LIMB_BITS:]:
        circuit.assert_equal(bit, zero)


def query_bits(circuit: Circuit, element: Wire, log_size: int) -> list[Wire]:
    """The low `log_size` bits of a squeezed element, refusing p - 1 (the one value whose low bits are biased:
    the native verifier rejects it, `BiasedQueryError`)."""
    circuit.assert_nonzero(circuit.sub(element, circuit.constant(P - 1)))
    return circuit.bits(element)[:log_size]


class CircuitTranscript:
    def __init__(self, circuit: Circuit, state: list[Wire], pending: list[Wire]):
        if len(state) != WIDTH or len(pending) >= RATE:
            raise ValueError(f"a transcript state is {WIDTH} lanes and fewer than {RATE} pending elements")
        self.circuit, self._state, self._pending = circuit, list(state), list(pending)

    @classmethod
    def from_native(cls, circuit: Circuit, native: Poseidon2Transcript | None = None) -> "CircuitTranscript":
        """Continue a native transcript (by default a fresh one): its state and pending block become constants."""
        native = native if native is not None else Poseidon2Transcript()
        constant = circuit.constant
        return cls(circuit, [constant(x) for x in native._state], [constant(x) for x in native._pending])

    def native(self) -> Poseidon2Transcript:
        """The native transcript the wires' values are (for the witness generator: grinding, checking a replay)."""
        native = Poseidon2Transcript.__new__(Poseidon2Transcript)
        native._state = [self.circuit.values[w.id].a for w in self._state]
        native._pending = [self.circuit.values[w.id].a for w in self._pending]
        return native

    def copy(self) -> "CircuitTranscript":
        return CircuitTranscript(self.circuit, self._state, self._pending)

    def _absorb_element(self, element: Wire) -> None:
        self._pending.append(element)
        if len(self._pending) == RATE:
            self._state = self.circuit.permute(self._pending + self._state[RATE:])
            self._pending = []

    def _message(self, kind: int, label: str, length: int, payload: list[Wire]) -> None:
        tag = label.encode()
        header = [kind, len(tag), *bytes_limbs(tag), length]
        for element in [self.circuit.constant(x) for x in header] + list(payload):
            self._absorb_element(element)

    def absorb(self, label: str, data: bytes) -> None:
        """Constant bytes (the circuit's own data, never the child's)."""
        self._message(KIND_BYTES, label, len(data), [self.circuit.constant(x) for x in bytes_limbs(data)])

    def absorb_ints(self, label: str, limbs: list[tuple[Wire, Wire]]) -> None:
        """u64 integers, each as its (low, high) 32-bit limb wires; the caller range-checks them (`assert_u32`)."""
        self._message(KIND_INTS, label, len(limbs), [x for pair in limbs for x in pair])

    def absorb_elements(self, label: str, elements: list[Wire]) -> None:
        self._message(KIND_ELEMENTS, label, len(elements), list(elements))

    def absorb_ext(self, label: str, values: list[Wire]) -> None:
        self.absorb_elements(label, [c for v in values for c in ext_coordinates(self.circuit, v)])

    def absorb_digest(self, label: str, digest: list[Wire]) -> None:
        self.absorb_elements(label, digest)

    def squeeze(self, label: str, count: int) -> list[Wire]:
        """`count` output elements of a challenge labelled `label`."""
        self._message(KIND_CHALLENGE, label, 0, [])
        constant = self.circuit.constant
        block = self._pending + [constant(1)] + [constant(0)] * (RATE - 1 - len(self._pending))
        self._state, self._pending = self.circuit.permute(block + self._state[RATE:]), []
        out = list(self._state[:RATE])
        while len(out) < count:
            self._state = self.circuit.permute(self._state)
            out += self._state[:RATE]
        return out[:count]

    def challenge_ext(self, label: str) -> Wire:
        """The extension challenge a + X * b as one wire."""
        a, b = self.squeeze(label, 2)
        return self.circuit.mul_add(b, self.circuit.constant(X), a)

    def challenge_indices(self, label: str, count: int, domain_size: int) -> list[list[Wire]]:
        """Per query, the log2(domain_size) low bits of its element (little-endian)."""
        _check_query_domain(domain_size, MAX_QUERY_DOMAIN)
        log_size = domain_size.bit_length() - 1
        return [query_bits(self.circuit, x, log_size) for x in self.squeeze(label, count)]

    def check_pow(self, nonce: tuple[Wire, Wire], bits: int) -> None:
        """Assert the nonce (low, high 32-bit limbs) passes the proof of work, then absorb it as the native
        verifier does; the limbs are range-checked so the circuit accepts exactly the nonces below 2^64."""
        for limb in nonce:
            assert_u32(self.circuit, limb)
        if bits:
            trial = self.copy()
            trial.squeeze("proof-of-work", 1)
            zero = self.circuit.constant(0)
            lanes = self.circuit.permute(list(nonce) + [zero] * (RATE - 2) + trial._state[RATE:])
            for bit in self.circuit.bits(lanes[0])[:bits]:
                self.circuit.assert_equal(bit, zero)
        self.absorb_ints("pow nonce", [tuple(nonce)])
