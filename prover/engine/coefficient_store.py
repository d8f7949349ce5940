"""Where a commitment keeps its polynomials' coefficients between passes: in memory, or in a temporary file.

Both hold the rows bit-reversed, the order in which the coset transforms read them (`ntt.bit_reverse_rows`), and
hand them out a block of rows at a time. At 2^18 leaves x 22 assets the main trace's coefficients take 3.2 GiB,
as much as the LDE coset each pass computes from them, and holding both made the proof's peak. In the file they
cost one block of memory: each pass reads them back into one reused buffer (from the kernel's page cache when it
still has them, which it may reclaim under pressure and which RSS does not count). The file has no name and
goes when it is closed (or the process ends).
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import numpy as np

from prover.engine import ntt

BLOCK_BYTES = 1 << 27  # a block of rows: 8 columns of 2^21 coefficients


def block_rows(n: int) -> int:
    """Rows of n coefficients per block."""
    return max(1, BLOCK_BYTES // (8 * n))


class _Store:
    """Rows written once, natural order in, bit-reversed out; closed when the proof is done with them."""

    width: int
    n: int

    def write(self, lo: int, block: np.ndarray) -> None:
        """Store rows lo, lo+1, ... given in natural order; `block` is permuted in place on the way."""
        ntt.bit_reverse_rows(block)
        self._put(lo, block)

    def scratch(self, lo: int, rows: int) -> np.ndarray:
        """A (rows, n) array to compute rows lo, lo+1, ... in before writing them: the store's own rows when it
        is an array (`write` then copies nothing), else a buffer reused from block to block."""
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class CoefficientArray(_Store):
    """The (width, n) coefficient rows in memory."""

    def __init__(self, width: int, n: int):
        self.width, self.n = width, n
        self.coeffs = np.empty((width, n), dtype=np.uint64)

    def _put(self, lo: int, block: np.ndarray) -> None:
        target = self.coeffs[lo:lo + block.shape[0]]
        if block.ctypes.data != target.ctypes.data:  # not computed in place (in `scratch`)
            target[...] = block

    def scratch(self, lo: int, rows: int) -> np.ndarray:
        return self.coeffs[lo:lo + rows]

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        """(first row, rows) in bit-reversed order: here one block, the array itself (not to be modified)."""
        yield 0, self.coeffs

    def close(self) -> None:
        self.coeffs = None


class CoefficientFile(_Store):
    """The (width, n) coefficient rows in an unnamed temporary file."""

    def __init__(self, width: int, n: int):
        self.width, self.n = width, n
        self._file = tempfile.TemporaryFile(prefix="por-coefficients-")  # noqa: SIM115 - closed by close()
        self._scratch = None

    def scratch(self, lo: int, rows: int) -> np.ndarray:
        if self._scratch is None or self._scratch.shape[0] < rows:
            self._scratch = np.empty((rows, self.n), dtype=np.uint64)
        return self._scratch[:rows]

    def _put(self, lo: int, block: np.ndarray) -> None:
        data, offset = memoryview(block).cast("B"), lo * self.n * 8
        while data:
            written = os.pwrite(self._file.fileno(), data, offset)
            data, offset = data[written:], offset + written

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        """(first row, rows) in bit-reversed order, block_rows(n) rows at a time, read into one reused buffer: a
        caller must be done with a block before it asks for the next."""
        rows = min(block_rows(self.n), self.width)
        buffer = np.empty((rows, self.n), dtype=np.uint64)
        for lo in range(0, self.width, rows):
            block = buffer[:min(rows, self.width - lo)]
            data, offset = memoryview(block).cast("B"), lo * self.n * 8
            while data:
                read = os.preadv(self._file.fileno(), [data], offset)
                if read == 0:
                    raise EOFError("coefficient file ends early")
                data, offset = data[read:], offset + read
            yield lo, block

    def close(self) -> None:
        self._scratch = None
        self._file.close()
