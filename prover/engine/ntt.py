"""Number-theoretic transforms over Goldilocks: coefficients <-> evaluations on a (coset of a) subgroup.

Every transform runs along the last axis of a (n,) or (w, n) uint64 array, n a power of two, with
natural order on both sides. One kernel does every variant: an out-of-place bit-reversal gather
(optionally scaling each coefficient on the way in, optionally zero-padding to blowup * n for the
low-degree extension), in-place radix-2 Cooley-Tukey butterflies, and an optional elementwise scaling of
the result.

Parallelism (nogil kernels on `prover.engine.threads`): batches of at least one row per thread run one transform
per thread; a single large transform is split across threads (blocks of the first log2(BLOCK) layers, then each
remaining layer's butterflies in chunks).
"""
from functools import lru_cache

import numba as nb
import numpy as np

from circuits import field
from prover.engine import field_arrays, threads
from prover.engine.field_arrays import add64, mul64, sub64

BLOCK_LOG = 12  # the first layers run inside blocks of 2^12 elements (32 KiB): they stay in L1
CHUNK = 1 << 14  # butterflies per parallel task in the remaining, array-wide layers
SERIAL_BELOW = 1 << 13  # smaller transforms never split across threads: the fork costs more than it saves

_NO_SCALE = np.empty(0, dtype=np.uint64)
_M1 = np.uint64(0x5555_5555)
_M2 = np.uint64(0x3333_3333)
_M4 = np.uint64(0x0F0F_0F0F)
_M8 = np.uint64(0x00FF_00FF)
_M16 = np.uint64(0x0000_FFFF)
_U1, _U2, _U4, _U8, _U16 = (np.uint64(s) for s in (1, 2, 4, 8, 16))


# ---------------------------------------------------------------------------------------------------------------
# twiddles


@lru_cache(maxsize=None)
def twiddles(n: int, inverse: bool = False) -> np.ndarray:
    """Layer-major twiddle table: entry h + j is w_{2h}^j (inverse roots if `inverse`), for h = 1, 2, ..., n/2.

    Each layer reads its twiddles contiguously. Because root_of_unity(n)^(n/m) = root_of_unity(m), the table
    for n starts with the table for every smaller size.
    """
    table = np.zeros(max(n, 1), dtype=np.uint64)
    if n >= 2:
        root = field.root_of_unity(n)
        table[n // 2 :] = field_arrays.powers(field.inv(root) if inverse else root, n // 2)
        h = n // 4
        while h >= 1:
            table[h : 2 * h] = table[2 * h : 4 * h : 2]  # w_{2h}^j = w_{4h}^{2j}
            h //= 2
    table.setflags(write=False)
    return table


@lru_cache(maxsize=8)
def _bit_reversal(n: int) -> np.ndarray:
    """The permutation i -> bit-reverse(i) on log2(n) bits."""
    log_n = n.bit_length() - 1
    indices = np.arange(n, dtype=np.uint64)
    reversed_ = np.zeros(n, dtype=np.uint64)
    for bit in range(log_n):
        reversed_ |= ((indices >> np.uint64(bit)) & np.uint64(1)) << np.uint64(log_n - 1 - bit)
    return reversed_.astype(np.int64)


# ---------------------------------------------------------------------------------------------------------------
# numba kernels


@nb.njit(nb.uint64(nb.uint64, nb.uint64), inline="always", cache=True)
def _bit_reverse(i, log_n):
    """The low log_n bits of i, reversed (log_n <= 32)."""
    i = ((i >> _U1) & _M1) | ((i & _M1) << _U1)
    i = ((i >> _U2) & _M2) | ((i & _M2) << _U2)
    i = ((i >> _U4) & _M4) | ((i & _M4) << _U4)
    i = ((i >> _U8) & _M8) | ((i & _M8) << _U8)
    i = ((i >> _U16) & _M16) | ((i & _M16) << _U16)
    return i >> (np.uint64(32) - log_n)


@nb.njit(cache=True)
def _log2(n):
    log_n = np.uint64(0)
    while (1 << log_n) < n:
        log_n += _U1
    return log_n


@nb.njit(cache=True)
def _butterflies(x, tw, h, lo, hi):
    """Butterflies t in [lo, hi) of the layer with half-width h; butterfly t pairs x[i], x[i + h]."""
    t = lo
    while t < hi:
        j0 = t & (h - 1)
        count = min(hi, t - j0 + h) - t
        first = 2 * t - j0
        # separate views let LLVM prove the halves disjoint and vectorize the loop (about 8x faster)
        top = x[first : first + count]
        bottom = x[first + h : first + h + count]
        twiddle = tw[h + j0 : h + j0 + count]
        for j in range(count):
            a = top[j]
            b = mul64(bottom[j], twiddle[j])
            top[j] = add64(a, b)
            bottom[j] = sub64(a, b)
        t += count


@nb.njit(cache=True)
def _first_layers(x, tw, h, lo, hi):
    """The layers of half-width h, ..., 4 (h = 1, 2 or 4) on x[lo:hi], a group of eight adjacent elements at a
    time. The groups are first transposed into eight rows (element k of group q at rows[k, q]) so that the loop
    over groups vectorizes; in place, one scalar group at a time, these layers took 38% of a coset transform."""
    groups = (hi - lo) // 8
    rows = np.empty((8, groups), dtype=np.uint64)
    for q in range(groups):
        for k in range(8):
            rows[k, q] = x[lo + 8 * q + k]
    w4, w8a, w8b, w8c = tw[3], tw[5], tw[6], tw[7]
    r0, r1, r2, r3, r4, r5, r6, r7 = rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], rows[7]
    for q in range(groups):
        x0, x1, x2, x3, x4, x5, x6, x7 = r0[q], r1[q], r2[q], r3[q], r4[q], r5[q], r6[q], r7[q]
        if h == 1:  # twiddle 1
            x0, x1 = add64(x0, x1), sub64(x0, x1)
            x2, x3 = add64(x2, x3), sub64(x2, x3)
            x4, x5 = add64(x4, x5), sub64(x4, x5)
            x6, x7 = add64(x6, x7), sub64(x6, x7)
        if h <= 2:  # twiddles 1, w_4
            x0, x2 = add64(x0, x2), sub64(x0, x2)
            x4, x6 = add64(x4, x6), sub64(x4, x6)
            b = mul64(x3, w4)
            x1, x3 = add64(x1, b), sub64(x1, b)
            b = mul64(x7, w4)
            x5, x7 = add64(x5, b), sub64(x5, b)
        x0, x4 = add64(x0, x4), sub64(x0, x4)  # twiddles 1, w_8, w_8^2, w_8^3
        b = mul64(x5, w8a)
        x1, x5 = add64(x1, b), sub64(x1, b)
        b = mul64(x6, w8b)
        x2, x6 = add64(x2, b), sub64(x2, b)
        b = mul64(x7, w8c)
        x3, x7 = add64(x3, b), sub64(x3, b)
        r0[q], r1[q], r2[q], r3[q], r4[q], r5[q], r6[q], r7[q] = x0, x1, x2, x3, x4, x5, x6, x7
    for q in range(groups):
        for k in range(8):
            x[lo + 8 * q + k] = rows[k, q]


@nb.njit(cache=True)
def _load_block(src, dst, tw, scale, lo, hi, reversed_input):
    """Bit-reversed (and scaled) input into dst[lo:hi], then every layer that stays inside that block.

    `scale` is the input scaling already in bit-reversed order (or empty): multiplying the gathered block by
    it is a contiguous, vectorized pass over data in cache, where scaling inside the gather would not be.

    src may be shorter than dst (by a factor b): it is zero-padded, so in bit-reversed order each run of b
    entries is one source value followed by zeros, and the first log2(b) layers only copy that value across
    the run. The copy is done here and those layers are skipped.
    """
    log_m = _log2(src.size)
    log_b = _log2(dst.size) - log_m
    if reversed_input:  # already in bit-reversed order: a contiguous copy (each value repeated 2^log_b times)
        for i in range(lo, hi):
            dst[i] = src[i >> log_b]
    else:
        for i in range(lo, hi):
            dst[i] = src[_bit_reverse(np.uint64(i) >> log_b, log_m)]
    if scale.size:
        if log_b == 0:
            block, factors = dst[lo:hi], scale[lo:hi]
            for j in range(hi - lo):
                block[j] = mul64(block[j], factors[j])
        else:
            for i in range(lo, hi):
                dst[i] = mul64(dst[i], scale[i >> log_b])
    h = 1 << log_b
    if h < 8 <= hi - lo:
        _first_layers(dst, tw, h, lo, hi)
        h = 8
    while h < hi - lo:
        _butterflies(dst, tw, h, lo // 2, hi // 2)
        h *= 2


@nb.njit(cache=True)
def _scale(src, scale, dst, lo, hi):
    """dst[lo:hi] = src[lo:hi] * scale[lo:hi]; on slices, so that LLVM vectorizes it (a scaled gather does not)."""
    a, s, d = src[lo:hi], scale[lo:hi], dst[lo:hi]
    for j in range(hi - lo):
        d[j] = mul64(a[j], s[j])


@nb.njit(cache=True)
def _first_global_layer(src, dst):
    """Half-width of the first layer spanning more than one block."""
    return max(min(dst.size, 1 << BLOCK_LOG), dst.size // src.size)


@nb.njit(cache=True)
def _transform_serial(src, dst, tw, pre_scale, post_scale, reversed_input):
    n = dst.size
    block = min(n, 1 << BLOCK_LOG)
    for lo in range(0, n, block):
        _load_block(src, dst, tw, pre_scale, lo, lo + block, reversed_input)
    h = _first_global_layer(src, dst)
    while h < n:
        _butterflies(dst, tw, h, 0, n // 2)
        h *= 2
    if post_scale.size:
        _scale(dst, post_scale, dst, 0, n)


@nb.njit(nogil=True, cache=True)
def _transform_rows(src, dst, tw, pre_scale, post_scale, reversed_input, lo, hi):
    """Rows [lo, hi): one whole transform per row."""
    for r in range(lo, hi):
        _transform_serial(src[r], dst[r], tw, pre_scale, post_scale, reversed_input)


@nb.njit(nogil=True, cache=True)
def _load_blocks(src, dst, tw, pre_scale, reversed_input, lo, hi):
    """Blocks [lo, hi) of one transform: bit-reversed load and every layer inside the block."""
    block = min(dst.size, 1 << BLOCK_LOG)
    for b in range(lo, hi):
        _load_block(src, dst, tw, pre_scale, b * block, (b + 1) * block, reversed_input)


@nb.njit(nogil=True, cache=True)
def _layer(dst, tw, h, lo, hi):
    """Butterflies [lo, hi) of the layer with half-width h."""
    _butterflies(dst, tw, h, lo, hi)


@nb.njit(nogil=True, cache=True)
def _post_scale(dst, post_scale, lo, hi):
    _scale(dst, post_scale, dst, lo, hi)


def _transform_split(src, dst, tw, pre_scale, post_scale, reversed_input) -> None:
    """One transform split across threads: blocks, then each remaining layer's butterflies in chunks."""
    n = dst.size
    block = min(n, 1 << BLOCK_LOG)
    threads.run_ranges(_load_blocks, n // block, src, dst, tw, pre_scale, reversed_input)
    h = max(block, n // src.size)
    while h < n:
        threads.run_ranges(_layer, n // 2, dst, tw, np.int64(h), align=CHUNK // 4)
        h *= 2
    if post_scale.size:
        threads.run_ranges(_post_scale, n, dst, post_scale, align=CHUNK // 4)


TILE_LOG = 4  # bit reversal swaps 16 x 16 tiles: rows of 16 contiguous words instead of single words


@nb.njit(nogil=True, cache=True)
def _bit_reverse_rows(matrix, lo, hi):
    """Rows [lo, hi) into bit-reversed order, in place. With index bits (a, b, c), a and c TILE_LOG bits each,
    (a, b, c) goes to (rev c, rev b, rev a): the 16 x 16 tile of middle b and that of middle rev b are read in
    runs of 16 contiguous words and swapped, transposed, so every cache line is used whole (a single-word swap
    misses the cache on each word of a large row: 2^19 words, 1.1-1.3 ms a row instead of 2.8-4.3 ms)."""
    log_n = _log2(matrix.shape[1])
    t = np.uint64(TILE_LOG)
    size = 1 << TILE_LOG
    if log_n < 2 * t + 1:
        for r in range(lo, hi):
            row = matrix[r]
            for i in range(row.size):
                j = _bit_reverse(np.uint64(i), log_n)
                if i < j:
                    row[i], row[j] = row[j], row[i]
        return
    middle = log_n - 2 * t
    high = middle + t
    rev = np.empty(size, dtype=np.int64)
    for j in range(size):
        rev[j] = _bit_reverse(np.uint64(j), t)
    tile, mirror = np.empty((size, size), dtype=np.uint64), np.empty((size, size), dtype=np.uint64)
    for r in range(lo, hi):
        x = matrix[r]
        for b in range(1 << middle):
            rb = _bit_reverse(np.uint64(b), middle)
            if rb < b:
                continue
            for a in range(size):
                at_b, at_rb = (a << high) | (b << t), (a << high) | (rb << t)
                for c in range(size):
                    tile[a, c] = x[at_b + c]
                    mirror[a, c] = x[at_rb + c]
            for c in range(size):
                to_rb, to_b = (rev[c] << high) | (rb << t), (rev[c] << high) | (b << t)
                for a in range(size):
                    x[to_rb + rev[a]] = tile[a, c]
                    x[to_b + rev[a]] = mirror[a, c]


# ---------------------------------------------------------------------------------------------------------------
# public API


def bit_reverse_rows(matrix: np.ndarray) -> None:
    """Permute each row of a C-contiguous (w, n) matrix into bit-reversed order, in place (its own inverse):
    done once, it saves the gather of every transform of the rows that follows (`reversed_input`)."""
    if not matrix.flags.c_contiguous or matrix.ndim != 2:
        raise ValueError("bit_reverse_rows needs a C-contiguous 2-d array")
    threads.run_ranges(_bit_reverse_rows, matrix.shape[0], matrix)


def transform(values, tw: np.ndarray, pre_scale=_NO_SCALE, post_scale=_NO_SCALE, blowup: int = 1,
              reversed_input: bool = False, out: np.ndarray | None = None) -> np.ndarray:
    """post_scale * DFT_N(pre_scale * values zero-padded to N) along the last axis, N = blowup * n.

    tw = twiddles(N, inverse) selects the direction; scales have length n (pre) and N (post), or 0 for none.
    With `reversed_input`, values are given in bit-reversed order (see `bit_reverse_rows`): the transform then
    skips its bit-reversal gather, about a third of its time at 2^17 points. `out`, a C-contiguous uint64 array
    of the result's shape, receives the result instead of a new array; it may be `values` itself only for
    reversed input without blowup (each block is then read and written in place).
    """
    values = np.ascontiguousarray(values, dtype=np.uint64)
    n = values.shape[-1]
    if n & (n - 1) or n == 0 or blowup & (blowup - 1) or blowup == 0:
        raise ValueError(f"transform needs power-of-two length and blowup, got {n} and {blowup}")
    rows = values.reshape(-1, n)
    if pre_scale.size:
        pre_scale = pre_scale[_bit_reversal(n)]
    shape = values.shape[:-1] + (n * blowup,)
    if out is None:
        out = np.empty(shape, dtype=np.uint64)
    elif out.shape != shape or out.dtype != np.uint64 or not out.flags.c_contiguous or (
            np.may_share_memory(out, values) and not (out is values and reversed_input and blowup == 1)):
        raise ValueError("transform's out must be a C-contiguous uint64 array of the result's shape, not sharing "
                         "memory with values (unless it is values, with reversed input and no blowup)")
    result, out = out, out.reshape(rows.shape[0], n * blowup)
    if n * blowup < SERIAL_BELOW or rows.shape[0] >= threads.workers():
        threads.run_ranges(_transform_rows, rows.shape[0], rows, out, tw, pre_scale, post_scale, reversed_input,
                           min_per_thread=max(1, SERIAL_BELOW // (n * blowup)))
    else:
        for r in range(rows.shape[0]):
            _transform_split(rows[r], out[r], tw, pre_scale, post_scale, reversed_input)
    return result


def ntt(coeffs) -> np.ndarray:
    """Evaluations at w_n^i, i = 0..n-1, of the polynomials with these coefficients (low degree first)."""
    n = np.shape(coeffs)[-1]
    return transform(coeffs, twiddles(n))


def intt(evals, overwrite: bool = False) -> np.ndarray:
    """Coefficients of the polynomials of degree < n taking these values at w_n^i: the inverse of ntt.

    `overwrite`: evals (a C-contiguous uint64 array) becomes the result, computed in place: no second array
    (0.8 GB at 2^16 leaves) and an in-place bit reversal instead of the transform's gather."""
    n = np.shape(evals)[-1]
    unscale = np.full(n, field.inv(n), dtype=np.uint64)
    if not overwrite:
        return transform(evals, twiddles(n, inverse=True), post_scale=unscale)
    if not (isinstance(evals, np.ndarray) and evals.dtype == np.uint64 and evals.flags.c_contiguous
            and evals.flags.writeable):
        raise ValueError("intt(overwrite=True) needs a writeable C-contiguous uint64 array")
    rows = evals.reshape(-1, n)
    bit_reverse_rows(rows)
    return transform(rows, twiddles(n, inverse=True), post_scale=unscale, reversed_input=True, out=rows
                     ).reshape(evals.shape)


def coset_ntt(coeffs, shift: int, reversed_input: bool = False, out: np.ndarray | None = None) -> np.ndarray:
    """Evaluations at shift * w_n^i: the ntt of the coefficients c_j * shift^j (given in bit-reversed order
    with `reversed_input`; into `out` if given)."""
    n = np.shape(coeffs)[-1]
    return transform(coeffs, twiddles(n), pre_scale=field_arrays.powers(shift, n), reversed_input=reversed_input,
                     out=out)


def coset_intt(evals, shift: int) -> np.ndarray:
    """Coefficients from evaluations at shift * w_n^i: the inverse of coset_ntt."""
    n = np.shape(evals)[-1]
    unscale = field_arrays.powers(field.inv(shift), n, start=field.inv(n))
    return transform(evals, twiddles(n, inverse=True), post_scale=unscale)
