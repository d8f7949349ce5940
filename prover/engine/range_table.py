"""The prover's side of the 16-bit range table (circuits.logup.RangeTable): its counter and multiplicities."""
import numpy as np

from circuits.logup import RANGE_BITS, RangeTable


def fill_range_table(trace, table: RangeTable, looked_up) -> None:
    """Prover side: write the counter and the multiplicity of every 16-bit value looked up into `trace`.

    `trace` is (width, active_rows); `looked_up` is an integer array of every value the lookups read.
    """
    active_rows = trace.shape[1]
    span = table.span
    counts = np.bincount(np.asarray(looked_up, dtype=np.int64).reshape(-1), minlength=1 << RANGE_BITS)
    if counts.size > 1 << RANGE_BITS:
        raise ValueError("a range-checked value is not below 2^16")
    trace[table.counter_column] = np.minimum(np.arange(active_rows, dtype=np.uint64), span - 1)
    for k, column in enumerate(table.multiplicity_columns):
        trace[column] = 0
        trace[column, :span] = counts[k * span:(k + 1) * span]
