import functools

"""The STARK engine end to end on the toy AIRs: honest proofs verify, and every kind of cheating is rejected.

A cheating prover is a subclass whose trace breaks the statement, proved with `check=False`; the honest prover
(`check=True`) must refuse the same trace, naming the constraint and row.
"""
import os
import re
import tempfile
import weakref

import numpy as np
import pytest
from toy_airs import (
    BusAir,
    FibonacciAir,
    RangeCheckAir,
    WideRecurrenceAir,
    fibonacci_output,
    wide_recurrence_output,
)

from circuits.field import Ext, P
from circuits.logup import RANGE_BITS
from prover.engine import coefficient_store
from prover.engine import fri as prover_fri
from prover.engine import ntt
from prover.engine import quotient as prover_quotient
from prover.engine.aux_trace import UnbalancedInteractions, build_aux_trace
from prover.engine.coefficient_store import CoefficientArray, CoefficientFile
from prover.engine.commitment import CommittedPolynomials, coset_shift
from prover.engine.merkle_tree import MerkleTree
from prover.engine.prover import _with_random_rows, find_violations, prove
from prover.engine.quotient import ConstraintViolation
from verifier.stark.fri import fold_coset
from verifier.stark.params import load_preset
from verifier.stark.protocol import Protocol
from verifier.stark.verify import VerificationError, verify

# The test preset gives about 24 bits; the library's default minimum is 100.
verify = functools.partial(verify, min_security=0)

TEST = load_preset("test")
ZK = TEST.zk_rows
STEPS = 50


def rejected(air, proof, params=TEST, **kwargs) -> str:
    with pytest.raises(VerificationError) as e:
        verify(air, proof, params, **kwargs)
    return str(e.value)


def violated(air, witness=None) -> set[str]:
    """Names of every constraint the trace of `air` violates (LogUp columns built with random challenges)."""
    protocol = Protocol(air, TEST)
    active = np.asarray(air.build_main_trace(witness), dtype=np.uint64)
    main = np.zeros((protocol.main_width, protocol.trace_length), dtype=np.uint64)
    main[:, :protocol.active_rows] = active
    aux, challenges = None, [Ext(12345, 678), Ext(9, 10111213)]
    if protocol.aux_width:
        columns = build_aux_trace(protocol.logup, active, protocol.periodic, challenges, check=False)
        aux = np.zeros((2 * protocol.aux_width, protocol.trace_length), dtype=np.uint64)
        aux[:, :protocol.active_rows] = columns.transpose(0, 2, 1).reshape(-1, protocol.active_rows)
    return {name for name, _ in find_violations(protocol, main, aux, challenges)}


# ----------------------------------------------------------------------------------------------- honest proofs

@pytest.fixture(scope="module")
def fib():
    air = FibonacciAir(STEPS, fibonacci_output(STEPS), ZK)
    return air, prove(air, air.build_main_trace(None), TEST)


@pytest.fixture(scope="module")
def range_values():
    return np.random.default_rng(1).integers(0, 1 << RANGE_BITS, 300)


@pytest.fixture(scope="module")
def range_check(range_values):
    air = RangeCheckAir(len(range_values), ZK)
    return air, prove(air, air.build_main_trace(range_values), TEST)


@pytest.fixture(scope="module")
def bus_witness():
    rng = np.random.default_rng(2)
    sent = rng.integers(0, 1000, 60)
    return sent, rng.permutation(sent)


@pytest.fixture(scope="module")
def bus(bus_witness):
    air = BusAir(60, int(bus_witness[0].sum()), ZK)
    return air, prove(air, air.build_main_trace(bus_witness), TEST)


@pytest.mark.parametrize("name", ["fib", "range_check", "bus"])
def test_honest_proofs_verify(request, name):
    air, proof = request.getfixturevalue(name)
    result = verify(air, proof, TEST)
    assert result.trace_length == air.trace_length and result.proof_size == len(proof)
    assert result.params.num_queries == TEST.num_queries


def test_standard_preset_proof_verifies():
    params = load_preset("standard")
    air = WideRecurrenceAir(100, wide_recurrence_output(100), params.zk_rows)
    proof = prove(air, air.build_main_trace(None), params)
    assert verify(air, proof, params, min_security=100).security_bits >= 100
    other = WideRecurrenceAir(100, wide_recurrence_output(100) + 1, params.zk_rows)
    rejected(other, proof, params)


def test_proofs_are_zero_knowledge_randomized(fib):
    air, proof = fib
    assert prove(air, air.build_main_trace(None), TEST) != proof  # masking rows and randomizer are fresh each time


# ----------------------------------------------------------------------------------------- wrong statements

def test_fibonacci_output_plus_one_rejected(fib):
    _, proof = fib
    rejected(FibonacciAir(STEPS, fibonacci_output(STEPS) + 1, ZK), proof)


def test_fibonacci_steps_changed_rejected(fib):
    _, proof = fib
    rejected(FibonacciAir(STEPS + 1, fibonacci_output(STEPS), ZK), proof)
    rejected(FibonacciAir(STEPS + 1, fibonacci_output(STEPS + 1), ZK), proof)


def test_bus_total_plus_one_rejected(bus, bus_witness):
    _, proof = bus
    rejected(BusAir(60, int(bus_witness[0].sum()) + 1, ZK), proof)


def test_range_row_count_changed_rejected(range_check, range_values):
    _, proof = range_check
    rejected(RangeCheckAir(len(range_values) + 1, ZK), proof)


def test_proof_for_another_air_rejected(fib, bus, range_check):
    (fib_air, fib_proof), (bus_air, bus_proof), (range_air, range_proof) = fib, bus, range_check
    rejected(bus_air, fib_proof)
    rejected(fib_air, bus_proof)
    rejected(fib_air, range_proof)
    rejected(range_air, bus_proof)


# -------------------------------------------------------------------- tampered traces: first and last rows

class FibonacciTamperedRow(FibonacciAir):
    def __init__(self, row: int, column: int):
        super().__init__(STEPS, fibonacci_output(STEPS), ZK)
        self.row, self.column = row, column

    def build_main_trace(self, witness=None):
        trace = super().build_main_trace(witness)
        trace[self.column, self.row] = (int(trace[self.column, self.row]) + 1) % P
        return trace


@pytest.mark.parametrize("row, column, constraint, failing_row", [
    (0, 1, "a' = b", 0),                      # the first row
    (-1, 0, "a' = b", -2),                    # the last active row: the final transition breaks
    (-1, 1, "b' = a + b", -2),
])
def test_tampered_trace_rejected_and_refused(row, column, constraint, failing_row):
    air = FibonacciTamperedRow(row, column)
    failing_row %= air.active_rows
    with pytest.raises(ConstraintViolation, match=rf"{re.escape(constraint)}.? fails at row {failing_row}$"):
        prove(air, air.build_main_trace(None), TEST)
    rejected(air, prove(air, air.build_main_trace(None), TEST, check=False))


@pytest.mark.parametrize("row, column, failing_rows", [(0, 0, {0}), (7, 1, {6, 7}), (-1, 1, {-2})])
def test_a_violation_anywhere_is_named_once_the_quotient_fails_its_degree_check(row, column, failing_rows):
    """The prover has no separate pass over the trace: the quotient's degree check refuses, and the trace
    recomputed from its coefficients names the first failing constraint and row."""
    air = FibonacciTamperedRow(row, column)
    rows = "|".join(str(r % air.active_rows) for r in failing_rows)
    with pytest.raises(ConstraintViolation, match=rf"fails at row ({rows})$"):
        prove(air, air.build_main_trace(None), TEST)


def test_find_violations_ignores_the_random_rows():
    air = FibonacciAir(STEPS, fibonacci_output(STEPS), ZK)
    protocol = Protocol(air, TEST)
    main = _with_random_rows(air.build_main_trace(None), air.trace_length)
    assert not find_violations(protocol, main, None, [])
    main[0, air.active_rows:] ^= 1  # the random rows are free
    assert not find_violations(protocol, main, None, [])
    main[1, 7] ^= 1
    assert find_violations(protocol, main, None, [])


class BusWrongTotal(BusAir):
    """Claims total + 1 and writes it into the running sum's last active row."""

    def build_main_trace(self, pairs):
        trace = super().build_main_trace(pairs)
        trace[2, -1] = (int(trace[2, -1]) + 1) % P
        return trace


def test_last_row_boundary_refused(bus_witness):
    air = BusWrongTotal(60, int(bus_witness[0].sum()) + 1, ZK)
    with pytest.raises(ConstraintViolation, match=rf"'running sum accumulates' fails at row {air.active_rows - 2}"):
        prove(air, air.build_main_trace(bus_witness), TEST)
    rejected(air, prove(air, air.build_main_trace(bus_witness), TEST, check=False))


# ------------------------------------------------------------------------------------ lookups and buses

class RangeCheatingMultiplicities(RangeCheckAir):
    """Counts only the in-range values in the table, so out-of-range values are looked up unnoticed."""

    def build_main_trace(self, values):
        values = np.asarray(values)
        super_trace = super().build_main_trace(values[values < 1 << RANGE_BITS])
        super_trace[0, :len(values)] = values
        return super_trace


def test_value_outside_range_table_rejected(range_values):
    values = range_values.copy()
    values[5] = 1 << RANGE_BITS
    air = RangeCheatingMultiplicities(len(values), ZK)
    with pytest.raises(UnbalancedInteractions):
        prove(air, air.build_main_trace(values), TEST)
    with pytest.raises(ValueError, match="not below 2"):
        prove(RangeCheckAir(len(values), ZK), RangeCheckAir(len(values), ZK).build_main_trace(values), TEST)
    rejected(air, prove(air, air.build_main_trace(values), TEST, check=False))


def test_unbalanced_bus_rejected(bus_witness):
    sent, received = bus_witness
    received = received.copy()
    received[0] += 1
    air = BusAir(60, int(sent.sum()), ZK)
    assert violated(air, (sent, received)) == {"logup sum is zero"}
    with pytest.raises(UnbalancedInteractions):
        prove(air, air.build_main_trace((sent, received)), TEST)
    rejected(air, prove(air, air.build_main_trace((sent, received)), TEST, check=False))


def test_a_fingerprint_equal_to_the_challenge_is_refused_not_divided_by(range_values):
    """beta = gamma * v for the value v on row 0: its fraction 1 / (beta - gamma v) has no value. The helper
    columns' block inversion then zeroes that block, and the running sum's check refuses the trace."""
    air = RangeCheckAir(len(range_values), ZK)
    protocol = Protocol(air, TEST)
    active = np.asarray(air.build_main_trace(range_values), dtype=np.uint64)
    gamma = Ext(9, 10111213)
    honest = build_aux_trace(protocol.logup, active, protocol.periodic, [Ext(12345, 678), gamma])
    assert not honest[-1, -1].any()
    with pytest.raises(UnbalancedInteractions):
        build_aux_trace(protocol.logup, active, protocol.periodic, [gamma * int(active[0, 0]), gamma])


# ------------------------------------------------------------- every constraint matters: violate exactly one

class RangeCustomCounter(RangeCheckAir):
    """A range table whose counter column is given; multiplicities sit on each value's first row."""

    def __init__(self, rows, counter):
        super().__init__(rows, ZK)
        self.counter = counter

    def build_main_trace(self, values):
        trace = np.zeros((self.main_width, self.active_rows), dtype=np.uint64)
        trace[0] = values[0]  # padding rows are looked up too: they repeat a value the table holds
        trace[0, :len(values)] = values
        counter = np.asarray(self.counter(self.active_rows, self.table.span), dtype=np.uint64)
        trace[self.table.counter_column] = counter
        counts = np.bincount(np.asarray(trace[0], dtype=np.int64), minlength=1 << RANGE_BITS)
        first_rows = {int(t): i for i, t in reversed(list(enumerate(counter)))}
        for k, column in enumerate(self.table.multiplicity_columns):
            for t, i in first_rows.items():
                trace[column, i] = counts[t + k * self.table.span]
        return trace


def _counter_from(values):
    def counter(rows, span):
        return np.array(values(span) + [values(span)[-1]] * (rows - len(values(span))))
    return counter


@pytest.mark.parametrize("constraint, counter, excluded_residue", [
    ("range counter starts at 0", _counter_from(lambda span: list(range(1, span))), 0),
    ("range counter steps by 0 or 1", _counter_from(lambda span: [0] + list(range(2, span))), 1),
    ("range counter ends at its span", _counter_from(lambda span: list(range(span - 1))), -1),
])
def test_each_range_table_constraint_matters(range_values, constraint, counter, excluded_residue):
    probe = RangeCustomCounter(len(range_values), counter)
    span = probe.table.span
    values = range_values[range_values % span != excluded_residue % span]  # values the cheat's table holds
    air = RangeCustomCounter(len(values), counter)
    assert violated(air, values) == {constraint}
    rejected(air, prove(air, air.build_main_trace(values), TEST, check=False))


class FibonacciFrom(FibonacciAir):
    """Runs the recurrence from another start and claims that run's output."""

    def __init__(self, a0, b0, tamper=None):
        self.a0, self.b0, self.tamper = a0, b0, tamper
        trace = self._run(STEPS)
        super().__init__(STEPS, int(trace[1, STEPS - 1]), ZK)

    def _run(self, rows):
        trace = np.zeros((2, rows), dtype=np.uint64)
        a, b = self.a0, self.b0
        for i in range(rows):
            trace[:, i] = a, b
            a, b = (b, (a + b) % P) if self.tamper != (i, "a") else ((b + 1) % P, (a + b) % P)
            if self.tamper == (i, "b"):
                b = (b + 1) % P
        return trace

    def build_main_trace(self, witness=None):
        return self._run(self.active_rows)


@pytest.mark.parametrize("air, constraint", [
    (lambda: FibonacciFrom(2, 1), "a starts at 1"),
    (lambda: FibonacciFrom(1, 2), "b starts at 1"),
    (lambda: FibonacciFrom(1, 1, tamper=(10, "a")), "a' = b"),
    (lambda: FibonacciFrom(1, 1, tamper=(10, "b")), "b' = a + b"),
])
def test_each_fibonacci_constraint_matters(air, constraint):
    air = air()
    assert violated(air) == {constraint}
    rejected(air, prove(air, air.build_main_trace(None), TEST, check=False))


class BusSkewedRunningSum(BusAir):
    def __init__(self, total, skew_row):
        super().__init__(60, total, ZK)
        self.skew_row = skew_row

    def build_main_trace(self, pairs):
        trace = super().build_main_trace(pairs)
        trace[2, self.skew_row:] = (trace[2, self.skew_row:] + np.uint64(1)) % np.uint64(P)
        return trace


@pytest.mark.parametrize("skew_row, constraint", [(0, "running sum starts"), (7, "running sum accumulates")])
def test_each_bus_constraint_matters(bus_witness, skew_row, constraint):
    total = int(bus_witness[0].sum()) + 1  # the claimed total follows the skewed sum
    air = BusSkewedRunningSum(total, skew_row)
    assert violated(air, bus_witness) == {constraint}
    rejected(air, prove(air, air.build_main_trace(bus_witness), TEST, check=False))


# ----------------------------------------------------------------------------------------------- FRI

@pytest.mark.parametrize("log_arity", [1, 2, 3, 4])
def test_prover_fold_matches_verifier_fold(log_arity):
    arity, size = 1 << log_arity, 256
    rng = np.random.default_rng(log_arity)
    values = rng.integers(0, P, (size, 2), dtype=np.uint64)
    shift, beta = 7 ** 5 % P, Ext(int(values[0, 0]) ^ 1, int(values[0, 1]) ^ 2)
    folded = prover_fri.fold(values, arity, shift, beta)
    m = size // arity
    w = pow(7, (P - 1) // size, P)
    for t in (0, 1, m // 2, m - 1):
        coset = [Ext(*(int(v) for v in values[t + k * m])) for k in range(arity)]
        expected = fold_coset(coset, shift * pow(w, t, P) % P, beta)
        assert Ext(int(folded[t, 0]), int(folded[t, 1])) == expected


def test_high_degree_deep_composition_rejected(monkeypatch, fib):
    """A prover whose quotient is wrong (not the constraints over the zerofier) commits to a DEEP composition
    of too high degree: FRI's checks must catch it."""
    air, _ = fib
    original = prover_quotient.quotient_values

    def wrong_quotient(*args):
        values = original(*args)
        values[::3] = values[::3] ^ np.uint64(1)  # no longer a low-degree polynomial
        return values % np.uint64(P)

    monkeypatch.setattr("prover.engine.prover.quotient_values", wrong_quotient)
    with pytest.raises(ConstraintViolation):
        prove(air, air.build_main_trace(None), TEST)
    reason = rejected(air, prove(air, air.build_main_trace(None), TEST, check=False))
    assert "FRI" in reason or "out-of-domain" in reason


def test_prover_does_not_keep_the_callers_trace():
    """prove() drops the trace once copied, so a caller that hands it over does not hold it for the whole proof
    (at 2^16 leaves, a 0.8 GB trace held to the end was the peak's largest avoidable term)."""
    air = FibonacciAir(STEPS, fibonacci_output(STEPS), ZK)
    trace = [air.build_main_trace(None)]
    alive = weakref.ref(trace[0])
    seen = []
    verify(air, prove(air, trace.pop(), TEST, progress=lambda stage: seen.append((stage, alive() is not None))), TEST)
    assert ("constraint quotient", False) in seen


def test_with_logup_columns_only_the_columns_they_read_outlive_the_trace(monkeypatch):
    """Coefficients in memory: the columns LogUp reads are copied out and the trace is dropped before the
    commitment (its coset array then takes the memory just freed), not kept until the LogUp columns are built."""
    from prover.engine import commitment

    monkeypatch.setattr(commitment, "MEMORY_BYTES", 1 << 40)
    values = [0, 1, 65535, 300, 7]
    air = RangeCheckAir(len(values), ZK)
    trace = [air.build_main_trace(values)]
    alive = weakref.ref(trace[0])
    seen = []
    verify(air, prove(air, trace.pop(), TEST, progress=lambda stage: seen.append((stage, alive() is not None))), TEST)
    assert seen[0][0].startswith("commit main trace (coefficients in memory")
    assert ("commit LogUp columns", False) in seen


def stored(coeffs: np.ndarray, store=CoefficientArray):
    """A coefficient store holding `coeffs` (natural order in)."""
    out = store(*coeffs.shape)
    out.write(0, coeffs.copy())
    return out


@pytest.fixture
def small_blocks(monkeypatch):
    """Coefficient files read back two rows of 64 at a time: blocks, and a short last one, even in small tests."""
    monkeypatch.setattr(coefficient_store, "BLOCK_BYTES", 2 * 64 * 8)


@pytest.mark.parametrize("store", [CoefficientArray, CoefficientFile])
def test_every_pass_reuses_one_coset_array(small_blocks, store):
    """The commitment's pass, later passes and the trace values all land in one array: memory written once
    (a first write to fresh pages is what keeping the LDEs cost, and they are no longer kept)."""
    coeffs = np.random.default_rng(9).integers(0, P, (3, 64), dtype=np.uint64)
    committed = CommittedPolynomials(stored(coeffs, store), 4)
    expected = [ntt.coset_ntt(coeffs, coset_shift(k, 64, 4)) for k in range(4)]
    arrays = []
    for _ in range(2):
        for k, values in committed.cosets():
            assert np.array_equal(values, expected[k])
            arrays.append(values)
    trace_values = committed.trace_values()
    assert np.array_equal(trace_values, ntt.ntt(coeffs))
    assert all(a is trace_values for a in arrays)  # one coset alive, and the same one pass after pass
    committed.release()
    assert np.array_equal(next(committed.cosets())[1], expected[0])  # released: allocated again if asked
    committed.coefficients.close()


def test_a_pass_starts_with_the_coset_the_last_one_left(monkeypatch):
    """The commitment's pass leaves its last coset in the array: the next pass yields it first, untransformed,
    and the others computed; trace values overwrite it, so the pass after them transforms every coset."""
    from prover.engine import commitment

    coeffs = np.random.default_rng(8).integers(0, P, (3, 64), dtype=np.uint64)
    expected = [ntt.coset_ntt(coeffs, coset_shift(k, 64, 4)) for k in range(4)]
    committed = CommittedPolynomials(stored(coeffs), 4)
    transforms = []
    transform = ntt.coset_ntt
    monkeypatch.setattr(commitment.ntt, "coset_ntt", lambda *a, **k: transforms.append(a[1]) or transform(*a, **k))
    assert committed.pass_order() == [3, 0, 1, 2]
    assert all(np.array_equal(values, expected[k]) for k, values in committed.cosets())
    assert len(transforms) == 3  # coset 3 was still there
    assert [k for k, _ in committed.cosets([2, 0, 1, 3])] == [2, 0, 1, 3] and len(transforms) == 6  # 2 held
    committed.trace_values()
    assert committed.pass_order() == [0, 1, 2, 3]
    assert all(np.array_equal(values, expected[k]) for k, values in committed.cosets()) and len(transforms) == 11


def test_openings_from_memory_or_a_file_are_the_lde_rows(small_blocks):
    """The queried rows are evaluated from the coefficients, in memory or read back from a file a block of rows
    at a time: both are the LDE's rows (point j: coset j mod blowup, position j div blowup), under one root."""
    coeffs = np.random.default_rng(5).integers(0, P, (3, 64), dtype=np.uint64)
    in_memory, in_file = (CommittedPolynomials(stored(coeffs, store), 8) for store in (CoefficientArray,
                                                                                       CoefficientFile))
    lde = np.concatenate([ntt.coset_ntt(coeffs, coset_shift(k, 64, 8))[:, :, None] for k in range(8)], axis=2)
    lde_rows = lde.reshape(3, -1).T
    assert in_memory.root == in_file.root == MerkleTree(lde_rows).root
    indices = [0, 1, 7, 100, 301, 511]
    powers = in_memory.point_powers(indices)
    [(rows, siblings)] = in_memory.open(indices, powers)
    assert np.array_equal(rows, lde_rows[indices]) and siblings == MerkleTree(lde_rows).siblings(indices)
    [(file_rows, file_siblings)] = in_file.open(indices, powers)
    assert np.array_equal(file_rows, rows) and file_siblings == siblings
    for committed in (in_memory, in_file):
        committed.coefficients.close()


def test_the_memory_budget_decides_where_coefficients_wait(monkeypatch):
    """In memory if four times their size fits the budget (trace, coefficients, a coset, the rest), else a file."""
    from prover.engine import commitment

    monkeypatch.setattr(commitment, "MEMORY_BYTES", 4000)
    assert commitment.in_memory(1000) and not commitment.in_memory(1001)
    monkeypatch.setattr(commitment, "MEMORY_BYTES", None)  # half of what the system has available
    monkeypatch.setattr(commitment, "available_memory", lambda: 8000)
    assert commitment.in_memory(1000) and not commitment.in_memory(1001)


def test_available_memory_is_read_from_the_system():
    from prover.engine.commitment import available_memory

    assert 0 < available_memory() < 1 << 50


def test_a_proof_in_memory_or_streamed_verifies_and_says_which(monkeypatch):
    """Budget 0, as for 2^18 leaves: the coefficients wait in temporary files; a large budget holds them in
    memory. Both verify."""
    from prover.engine import commitment

    values = [0, 1, 65535, 300, 7]
    air = RangeCheckAir(len(values), ZK)  # main and LogUp columns
    for budget, says in ((0, "commit main trace (streamed)"), (1 << 40, "commit main trace (coefficients in memory")):
        monkeypatch.setattr(commitment, "MEMORY_BYTES", budget)
        stages = []
        verify(air, prove(air, air.build_main_trace(values), TEST, progress=stages.append), TEST)
        assert stages[0].startswith(says)  # the progress display says which it did


def test_proofs_from_memory_and_from_coefficient_files_are_the_same(monkeypatch, small_blocks):
    """Same randomness, same proof, byte for byte: whether the coefficients are held in memory, or written to
    temporary files (and read back a block of rows at a time)."""
    from prover.engine import commitment
    from prover.engine import prover as prover_module

    def seeded(shape):
        return stream.integers(0, P, shape, dtype=np.uint64)

    monkeypatch.setattr(prover_module, "random_field_elements", seeded)
    values = [0, 1, 65535, 300, 7]
    air = RangeCheckAir(len(values), ZK)  # main and LogUp columns
    proofs = []
    for budget in (1 << 40, 0):
        monkeypatch.setattr(commitment, "MEMORY_BYTES", budget)
        stream = np.random.default_rng(11)
        proofs.append(prove(air, air.build_main_trace(values), TEST))
    assert proofs[0] == proofs[1]
    verify(air, proofs[1], TEST)


def open_temporary_files() -> int:
    """Descriptors this process holds on files in the temporary directory (named or not)."""
    folder = os.path.realpath(tempfile.gettempdir()) + os.sep
    targets = []
    for descriptor in os.listdir("/proc/self/fd"):
        try:
            targets.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        except OSError:
            pass
    return sum(target.startswith(folder) for target in targets)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files through Linux's /proc")
def test_coefficient_files_are_deleted_after_a_proof_and_after_a_refusal(monkeypatch, bus_witness):
    from prover.engine import commitment

    monkeypatch.setattr(commitment, "MEMORY_BYTES", 0)
    before = open_temporary_files()
    during = {}
    air = BusAir(60, int(bus_witness[0].sum()), ZK)
    proof = prove(air, air.build_main_trace(bus_witness), TEST,
                  progress=lambda stage: during.setdefault(stage, open_temporary_files()))
    assert during["constraint quotient"] == before + 2  # the main and LogUp columns' coefficients
    assert open_temporary_files() == before
    verify(air, proof, TEST)
    air = BusWrongTotal(60, int(bus_witness[0].sum()) + 1, ZK)
    during.clear()
    with pytest.raises(ConstraintViolation):
        prove(air, air.build_main_trace(bus_witness), TEST,
              progress=lambda stage: during.setdefault(stage, open_temporary_files()))
    assert during["commit LogUp columns"] == before + 1  # refused after the main trace was committed
    assert open_temporary_files() == before


def test_divisor_inverses_invert_every_divisor():
    """Row g of the quotient's divisor inverses times Z_g(x) is 1 at every point of a coset, for every-row,
    transition and boundary divisors alike."""
    from circuits.air import EVERY_ROW, TRANSITION
    from circuits.field import root_of_unity

    protocol = Protocol(BusAir(60, 100, ZK), TEST)
    keys, _ = prover_quotient.divisor_groups(protocol)
    assert EVERY_ROW in keys and TRANSITION in keys and any(isinstance(key, int) for key in keys)
    n, active = protocol.trace_length, protocol.active_rows
    shift = coset_shift(3, n, TEST.blowup)
    x = prover_quotient.domain_points(n, shift)
    out = np.empty((len(keys), n), dtype=np.uint64)
    prover_quotient._divisor_inverses(protocol, shift, x, keys, out)
    w = root_of_unity(n)
    for j in range(n):
        xj = int(x[j])
        every_row = pow(xj, n, P) - 1
        for i in range(active, n):
            every_row = every_row * pow(xj - pow(w, i, P), P - 2, P) % P
        divisors = {EVERY_ROW: every_row, TRANSITION: every_row * pow(xj - pow(w, active - 1, P), P - 2, P)}
        for g, key in enumerate(keys):
            divisor = divisors[key] if key in divisors else xj - pow(w, key, P)
            assert int(out[g, j]) * divisor % P == 1
