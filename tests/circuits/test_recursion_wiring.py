"""The verifier AIR's wiring is the circuit's, not the prover's: every wire id, read flag, multiplicity, Merkle flag
and constant is a preprocessed column under the circuit's verifying key (prover.recursion.keys). Each cheat below
rewires an honest trace so that every constraint holds and the bus balances (a valid trace for another circuit),
commits it as a prover would, and is rejected only because its fixed columns do not open against the pinned key.
"""
from __future__ import annotations

import functools

import numpy as np
import pytest

from circuits.field import Ext
from circuits.recursion.air import RecursionAir, Shape
from prover.engine.prover import preprocessed_root, prove
from prover.recursion.circuit import Circuit, Free
from prover.recursion.keys import build_air, verifying_key, wired_air
from prover.recursion.trace import build_trace
from tests.circuits.test_recursion_chips import INDEX, honest, honest_circuit
from tests.circuits.test_solvency_air import PARAMS, lookups_balance, violated
from verifier.stark.verify import VerificationError, verify

verify = functools.partial(verify, min_security=0)  # the test preset gives about 24 bits

EXPECTED = 8


def assertion_circuit() -> Circuit:
    """A free x on the bus asserted equal to the constant 8: ext slot 0 is x = 0 * 0 + free, ext slot 1 the
    assertion 0 * 0 + x into the constant's wire; constant rows 0 (zero) and 1 (eight)."""
    c = Circuit()
    c.assert_equal(c.witness(EXPECTED), c.constant(EXPECTED))
    return c


@functools.cache
def _assertion():
    circuit = assertion_circuit()
    air = build_air(circuit, Shape(), PARAMS, PARAMS.zk_rows)
    return circuit, air, build_trace(air, circuit)


def x_is_7(air, trace) -> None:
    """The prover's own cells: the free x (and the op's output) set to 7, where the statement wants 8."""
    witness = air.ext[0]
    trace[witness.values["c"][0], 0] = trace[witness.values["out"][0], 0] = EXPECTED - 1


def constant_value(air, trace, circuit):
    """The constant 8's value cell made 7, and the assertion reading x = 7."""
    x_is_7(air, trace)
    assertion = air.ext[1]
    trace[assertion.values["c"][0], 0] = trace[assertion.values["out"][0], 0] = EXPECTED - 1
    trace[air.constant_ports[0].value[0], 1] = EXPECTED - 1


def read_flag(air, trace, circuit):
    """The assertion's read of x switched off (its operand a free 8), x's fan-out cut to match."""
    x_is_7(air, trace)
    trace[air.ext[1].reads["c"], 0] = 0
    trace[air.ext[0].out_mult, 0] = 0


def multiplicity(air, trace, circuit):
    """The assertion's consuming port (-1) switched off, and the constant's fan-out cut to match."""
    x_is_7(air, trace)
    assertion = air.ext[1]
    trace[assertion.values["c"][0], 0] = trace[assertion.values["out"][0], 0] = EXPECTED - 1
    trace[assertion.out_mult, 0] = 0
    trace[air.constant_ports[0].mult, 1] = 0


def wire_id(air, trace, circuit):
    """The assertion reads the constant's own wire instead of x's (fan-outs moved to match)."""
    x_is_7(air, trace)
    trace[air.ext[1].wires["c"], 0] = circuit.constants[Ext(EXPECTED)]
    trace[air.ext[0].out_mult, 0] = 0
    trace[air.constant_ports[0].mult, 1] = 2


CHEATS = [constant_value, read_flag, multiplicity, wire_id]


def merkle_flag(air, trace, circuit):
    """A Merkle step (index bit 0) made a plain permutation, whose capacity lanes are unconstrained: its bit no
    longer read, the bit's fan-out cut to match."""
    step = 2
    assert (INDEX >> step) & 1 == 0
    trace[air.poseidon2[0].merkle, step] = 0
    trace[air.bits[0].bit_mult[step], 0] = 0


def _rejected_by_the_key(air, trace):
    assert violated(air, trace) == set() and lookups_balance(air, trace)  # a valid trace of another wiring
    assert not np.array_equal(trace[:air.preprocessed_width], air.fixed)
    with pytest.raises(ValueError, match="preprocessed columns"):
        prove(air, trace, PARAMS)
    proof = prove(air, trace, PARAMS, check=False)
    with pytest.raises(VerificationError, match="preprocessed columns"):
        verify(air, proof, PARAMS)


@pytest.mark.parametrize("cheat", CHEATS, ids=[c.__name__ for c in CHEATS])
def test_rewiring_the_assertion_rejected(cheat):
    circuit, air, trace = _assertion()
    trace = trace.copy()
    cheat(air, trace, circuit)
    _rejected_by_the_key(air, trace)


def test_merkle_flag_rejected():
    circuit, air, trace = honest()
    merkle_flag(air, trace, circuit)
    _rejected_by_the_key(air, trace)


def test_only_the_key_stops_a_changed_constant():
    """Under the key of the forged columns the cheat proves 'x = 8' with x = 7: the pinned key is what refuses it."""
    circuit, air, trace = _assertion()
    trace = trace.copy()
    constant_value(air, trace, circuit)
    fixed = trace[:air.preprocessed_width]
    forged = RecursionAir(air.shape, air.active_rows, air.publics, PARAMS.zk_rows, fixed)
    forged = RecursionAir(air.shape, air.active_rows, air.publics, PARAMS.zk_rows, fixed,
                          preprocessed_root(forged, PARAMS))
    proof = prove(forged, trace, PARAMS)
    verify(forged, proof, PARAMS)
    with pytest.raises(VerificationError):
        verify(air, proof, PARAMS)


def test_the_honest_assertion_verifies():
    _, air, trace = _assertion()
    verify(air, prove(air, trace, PARAMS), PARAMS)


def test_the_key_is_the_circuits_shape():
    """Other witness values (another Merkle path, so other public inputs) keep the wiring and the key."""
    one, other = honest_circuit(1), honest_circuit(2)
    assert one.publics != other.publics
    assert np.array_equal(wired_air(one, Shape(), PARAMS.zk_rows).fixed, wired_air(other, Shape(), PARAMS.zk_rows).fixed)
    assert verifying_key(one, Shape(), PARAMS, PARAMS.zk_rows) == honest()[1].key


def _sum_circuit(read_twice: str) -> Circuit:
    c = Circuit()
    x, y = c.witness(2), c.witness(3)
    c.mul_add(x, y, {"x": x, "y": y}[read_twice])
    return c


def test_another_wiring_has_another_key():
    """x * y + x against x * y + y: one read of another wire."""
    keys = {verifying_key(_sum_circuit(w), Shape(), PARAMS, PARAMS.zk_rows) for w in ("x", "y")}
    assert len(keys) == 2


def test_another_constant_has_another_key():
    def circuit(k):
        c = Circuit()
        c.mul_add(c.witness(1), c.constant(k), Free.of(0))
        return c
    assert verifying_key(circuit(8), Shape(), PARAMS, PARAMS.zk_rows) != verifying_key(circuit(9), Shape(), PARAMS,
                                                                                        PARAMS.zk_rows)


def test_without_a_key_nothing_proves_or_verifies():
    circuit, air, trace = _assertion()
    bare = wired_air(circuit, Shape(), PARAMS.zk_rows)
    with pytest.raises(ValueError, match="no verifying key"):
        prove(bare, trace, PARAMS)
    with pytest.raises(VerificationError, match="no verifying key"):
        verify(bare, prove(air, trace, PARAMS), PARAMS)

