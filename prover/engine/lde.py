"""Trace columns -> polynomial coefficients -> evaluations on a larger coset (the low-degree extension).

Columns are rows of a (w, n) uint64 array, base field only: extension-field columns are passed as their two
base components.
"""
import numpy as np

from circuits import field
from prover.engine import field_arrays, ntt


def interpolate(columns: np.ndarray, overwrite: bool = False) -> np.ndarray:
    """Coefficients of the polynomials of degree < n taking each column's values on the subgroup of order n;
    with `overwrite`, computed in the columns' own array (see ntt.intt)."""
    return ntt.intt(columns, overwrite)


def low_degree_extend(coeffs: np.ndarray, blowup: int, shift: int = field.GENERATOR) -> np.ndarray:
    """Evaluations of each polynomial (degree < m) at shift * w_N^j, j = 0..N-1, N = m * blowup, natural order.

    One size-N transform of the shifted, zero-padded coefficients: its first log2(blowup) layers would only
    copy, so the work equals that of blowup size-m coset transforms, without interleaving their outputs.
    """
    m = np.shape(coeffs)[-1]
    return ntt.transform(coeffs, ntt.twiddles(m * blowup), pre_scale=field_arrays.powers(shift, m), blowup=blowup)
