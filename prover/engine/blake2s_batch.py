"""BLAKE2s-256 (RFC 7693) of many equal-length messages at once, in numba code run on a few threads.

Bit-for-bit the hash of `hashlib.blake2s(prefix + message).digest()` for each row of a (n, length) byte matrix:
the prover's Merkle trees hash millions of rows, and hashlib's per-call cost (~0.5 us from Python, on one core)
would dominate proving for narrow rows. The verifier keeps hashlib: it hashes a few thousand rows.

Two compiled specializations for the prover: the rows of an LDE coset, a (w, n) column matrix hashed LANES
rows at a time across SIMD lanes, and C-contiguous rows of 64-bit words (Merkle nodes, FRI layers); rows of any
other byte length go to a byte-wise kernel. Each compiles on first use, not at import: on a fresh install the
word kernel is compiled in the background (prover.engine.kernel_cache) while the prover compiles the rest.
"""
from __future__ import annotations

import numba as nb
import numpy as np

from prover.engine import field_arrays  # noqa: F401  (says so first if the kernels are not cached yet)
from prover.engine import threads

_M32 = np.uint64(0xFFFF_FFFF)
_IV = np.array([0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19],
               dtype=np.uint64)
_SIGMA = np.array([
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
], dtype=np.int64)
_IV32 = _IV.astype(np.uint32)  # the lane kernels' 32-bit words
_PARAM_BLOCK = np.uint64(0x0101_0000 | 32)  # fanout 1, depth 1, no key, 32-byte digest
GATHER_ROWS = 1 << 10  # rows per contiguous copy of an input in any other layout
LANES = 16  # rows hashed side by side by the column kernel (8, 16, 32 measured: 16 fastest)
# Contiguous rows up to this many words (Merkle nodes: 8, FRI cosets: 16 or 32) are copied into column order for
# the lane kernel, GATHER_ROWS at a time on each thread (in cache): a 2^22-leaf tree in 0.26 s, against 0.79 s
# with one copy of each whole level first and 0.89-0.92 s per 2^20 nodes row by row.
NARROW_WORDS = 32


@nb.njit(inline="never", cache=True)
def _g(a, b, c, d, x, y):
    a = (a + b + x) & _M32
    d = d ^ a
    d = ((d >> np.uint64(16)) | (d << np.uint64(16))) & _M32
    c = (c + d) & _M32
    b = b ^ c
    b = ((b >> np.uint64(12)) | (b << np.uint64(20))) & _M32
    a = (a + b + y) & _M32
    d = d ^ a
    d = ((d >> np.uint64(8)) | (d << np.uint64(24))) & _M32
    c = (c + d) & _M32
    b = b ^ c
    b = ((b >> np.uint64(7)) | (b << np.uint64(25))) & _M32
    return a, b, c, d


@nb.njit(cache=True)
def _compress(h, m, counter, last):
    # the working vector lives in sixteen locals (registers), not an array
    v0, v1, v2, v3, v4, v5, v6, v7 = h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]
    v8, v9, v10, v11 = _IV[0], _IV[1], _IV[2], _IV[3]
    v12 = _IV[4] ^ (counter & _M32)
    v13 = _IV[5] ^ (counter >> np.uint64(32))
    v14 = _IV[6] ^ _M32 if last else _IV[6]
    v15 = _IV[7]
    for r in range(10):
        s = _SIGMA[r]
        v0, v4, v8, v12 = _g(v0, v4, v8, v12, m[s[0]], m[s[1]])
        v1, v5, v9, v13 = _g(v1, v5, v9, v13, m[s[2]], m[s[3]])
        v2, v6, v10, v14 = _g(v2, v6, v10, v14, m[s[4]], m[s[5]])
        v3, v7, v11, v15 = _g(v3, v7, v11, v15, m[s[6]], m[s[7]])
        v0, v5, v10, v15 = _g(v0, v5, v10, v15, m[s[8]], m[s[9]])
        v1, v6, v11, v12 = _g(v1, v6, v11, v12, m[s[10]], m[s[11]])
        v2, v7, v8, v13 = _g(v2, v7, v8, v13, m[s[12]], m[s[13]])
        v3, v4, v9, v14 = _g(v3, v4, v9, v14, m[s[14]], m[s[15]])
    h[0] ^= v0 ^ v8
    h[1] ^= v1 ^ v9
    h[2] ^= v2 ^ v10
    h[3] ^= v3 ^ v11
    h[4] ^= v4 ^ v12
    h[5] ^= v5 ^ v13
    h[6] ^= v6 ^ v14
    h[7] ^= v7 ^ v15


@nb.njit(nogil=True, cache=True)
def _hash_byte_rows(prefix, rows, out, lo, hi):
    """out[i] = blake2s(prefix || rows[i]) for i in [lo, hi): any row length (compiled only if ever used)."""
    length = rows.shape[1]
    total = length + 1  # bytes of prefix || row
    blocks = (total + 63) // 64
    h = np.empty(8, dtype=np.uint64)
    m = np.empty(16, dtype=np.uint64)
    for i in range(lo, hi):
        for w in range(8):
            h[w] = _IV[w]
        h[0] ^= _PARAM_BLOCK
        for b in range(blocks):
            start = b * 64
            end = min(start + 64, total)
            for w in range(16):  # little-endian message words of bytes start..start+63 of prefix || row
                word = np.uint64(0)
                for k in range(4):
                    pos = start + 4 * w + k
                    if pos == 0:
                        byte = np.uint64(prefix)
                    elif pos < total:
                        byte = np.uint64(rows[i, pos - 1])
                    else:
                        byte = np.uint64(0)
                    word |= byte << np.uint64(8 * k)
                m[w] = word
            _compress(h, m, np.uint64(end), b == blocks - 1)
        for w in range(8):
            for k in range(4):
                out[i, 4 * w + k] = np.uint8((h[w] >> np.uint64(8 * k)) & np.uint64(0xFF))


@nb.njit(nogil=True, cache=True)
def _hash_word_rows(prefix, rows, out, lo, hi):
    """out[i] = blake2s(prefix || rows[i] as little-endian bytes) for i in [lo, hi): rows of 64-bit words.

    The one-byte prefix shifts every word by 8 bits: padded word q of prefix || row is
    (row[q - 1] >> 56) | (row[q] << 8), so message words come from two loads and shifts, not eight byte loads."""
    w = rows.shape[1]
    total = 8 * w + 1
    blocks = (total + 63) // 64
    padded = np.zeros(8 * blocks, dtype=np.uint64)
    h = np.empty(8, dtype=np.uint64)
    m = np.empty(16, dtype=np.uint64)
    s8 = np.uint64(8)
    s56 = np.uint64(56)
    s32 = np.uint64(32)
    for i in range(lo, hi):
        row = rows[i]
        padded[0] = np.uint64(prefix) | (row[0] << s8)
        for q in range(1, w):
            padded[q] = (row[q - 1] >> s56) | (row[q] << s8)
        padded[w] = row[w - 1] >> s56
        for k in range(8):
            h[k] = _IV[k]
        h[0] ^= _PARAM_BLOCK
        for b in range(blocks):
            for k in range(8):
                word = padded[8 * b + k]
                m[2 * k] = word & _M32
                m[2 * k + 1] = word >> s32
            _compress(h, m, np.uint64(min(64 * (b + 1), total)), b == blocks - 1)
        for k in range(8):
            for j in range(4):
                out[i, 4 * k + j] = np.uint8((h[k] >> np.uint64(8 * j)) & np.uint64(0xFF))


@nb.njit(inline="always", cache=True)
def _rotr32(x, n):
    return (x >> np.uint32(n)) | (x << np.uint32(32 - n))


@nb.njit(inline="always", cache=True)
def _g_lanes(v, m, a, b, c, d, x, y):
    """_g on every lane: columns of v (16, LANES) are the working vectors, of m the message words. In 32-bit
    arithmetic (np.uint32 at every step), so a lane is a 32-bit vector element: 16 lanes per AVX-512 register,
    0.59x the time of the same loops in masked 64-bit words (2^15 rows x 204 columns, one core)."""
    for l in range(v.shape[1]):
        va, vb, vc, vd = v[a, l], v[b, l], v[c, l], v[d, l]
        va = np.uint32(va + vb + m[x, l])
        vd = _rotr32(np.uint32(vd ^ va), 16)
        vc = np.uint32(vc + vd)
        vb = _rotr32(np.uint32(vb ^ vc), 12)
        va = np.uint32(va + vb + m[y, l])
        vd = _rotr32(np.uint32(vd ^ va), 8)
        vc = np.uint32(vc + vd)
        vb = _rotr32(np.uint32(vb ^ vc), 7)
        v[a, l], v[b, l], v[c, l], v[d, l] = va, vb, vc, vd


@nb.njit(inline="always", cache=True)
def _rounds(v, m):
    """BLAKE2s's ten rounds on every lane of the working vectors v (16, LANES), message words m (16, LANES)."""
    for rnd in range(10):
        s = _SIGMA[rnd]
        _g_lanes(v, m, 0, 4, 8, 12, s[0], s[1])
        _g_lanes(v, m, 1, 5, 9, 13, s[2], s[3])
        _g_lanes(v, m, 2, 6, 10, 14, s[4], s[5])
        _g_lanes(v, m, 3, 7, 11, 15, s[6], s[7])
        _g_lanes(v, m, 0, 5, 10, 15, s[8], s[9])
        _g_lanes(v, m, 1, 6, 11, 12, s[10], s[11])
        _g_lanes(v, m, 2, 7, 8, 13, s[12], s[13])
        _g_lanes(v, m, 3, 4, 9, 14, s[14], s[15])


@nb.njit(inline="always", cache=True)
def _start_lanes(h):
    """Every lane's chaining value set to BLAKE2s-256's initial one."""
    for k in range(8):
        for lane in range(h.shape[1]):
            h[k, lane] = _IV32[k]
    for lane in range(h.shape[1]):
        h[0, lane] ^= np.uint32(_PARAM_BLOCK)


@nb.njit(inline="always", cache=True)
def _compress_lanes(h, v, m, counter, last):
    """_compress on every lane: chaining values h (8, LANES), message words m (16, LANES), v the working space
    (uint32 arrays)."""
    for k in range(8):
        for lane in range(h.shape[1]):
            v[k, lane] = h[k, lane]
            v[8 + k, lane] = _IV32[k]
    for lane in range(h.shape[1]):
        v[12, lane] ^= np.uint32(counter & _M32)
        v[13, lane] ^= np.uint32(counter >> np.uint64(32))
        if last:
            v[14, lane] ^= np.uint32(_M32)
    _rounds(v, m)
    for k in range(8):
        for lane in range(h.shape[1]):
            h[k, lane] ^= v[k, lane] ^ v[8 + k, lane]


@nb.njit(nogil=True, cache=True)
def _hash_column_rows(prefix, columns, length, out, lo, hi):
    """out[i] = blake2s(prefix || the first `length` bytes of column i of `columns`, little-endian) for i in
    [lo, hi): the rows of a (w, n) column matrix, LANES at a time, one per SIMD lane (every step of the hash runs
    across the lanes; 7x the throughput of hashing row by row, 2^17 rows x 204 columns on one core). Bytes past
    `length` (at most 8w) must be zero: grinding hashes messages of any length with this one kernel. A short last
    group repeats its last row in the unused lanes."""
    w = columns.shape[0]
    total = length + 1
    blocks = (total + 63) // 64
    h = np.empty((8, LANES), np.uint32)
    v = np.empty((16, LANES), np.uint32)
    m = np.empty((16, LANES), np.uint32)
    rows = np.empty(LANES, np.int64)
    p = np.uint64(prefix)
    s8, s56, s32 = np.uint64(8), np.uint64(56), np.uint64(32)
    for start in range(lo, hi, LANES):
        for l in range(LANES):
            rows[l] = min(start + l, hi - 1)
        _start_lanes(h)
        full = start + LANES <= hi
        for b in range(blocks):
            for k in range(8):
                q = 8 * b + k
                if full and 0 < q < w:  # the common case, on contiguous lanes: vectorized loads and shifts
                    before, here = columns[q - 1, start:start + LANES], columns[q, start:start + LANES]
                    for l in range(LANES):
                        word = (before[l] >> s56) | (here[l] << s8)
                        m[2 * k, l] = np.uint32(word & _M32)
                        m[2 * k + 1, l] = np.uint32(word >> s32)
                    continue
                for l in range(LANES):
                    r = rows[l]
                    if q == 0:
                        word = p | (columns[0, r] << s8)
                    elif q < w:
                        word = (columns[q - 1, r] >> s56) | (columns[q, r] << s8)
                    elif q == w:
                        word = columns[w - 1, r] >> s56
                    else:
                        word = np.uint64(0)
                    m[2 * k, l] = np.uint32(word & _M32)
                    m[2 * k + 1, l] = np.uint32(word >> s32)
            _compress_lanes(h, v, m, np.uint64(min(64 * (b + 1), total)), b == blocks - 1)
        for l in range(min(LANES, hi - start)):
            for k in range(8):
                for j in range(4):
                    out[start + l, 4 * k + j] = np.uint8((h[k, l] >> np.uint32(8 * j)) & np.uint32(0xFF))


def _hash_range(prefix, rows, out, lo, hi):
    if rows.dtype == np.uint64 and rows.flags.c_contiguous and 0 < rows.shape[1] <= NARROW_WORDS:
        for a in range(lo, hi, GATHER_ROWS):
            b = min(hi, a + GATHER_ROWS)
            _hash_column_rows(prefix, np.ascontiguousarray(rows[a:b].T), 8 * rows.shape[1], out[a:b], 0, b - a)
    elif rows.dtype == np.uint64 and rows.flags.c_contiguous:
        _hash_word_rows(prefix, rows, out, lo, hi)
    elif rows.dtype == np.uint64 and rows.T.flags.c_contiguous:
        _hash_column_rows(prefix, rows.T, 8 * rows.shape[1], out, lo, hi)
    elif rows.dtype == np.uint8 and rows.flags.c_contiguous:
        _hash_byte_rows(prefix, rows, out, lo, hi)
    else:
        for a in range(lo, hi, GATHER_ROWS):
            b = min(hi, a + GATHER_ROWS)
            _hash_range(prefix, np.ascontiguousarray(rows[a:b]), out[a:b], 0, b - a)


def hash_rows(prefix: bytes, rows: np.ndarray) -> np.ndarray:
    """(n, 32) uint8 digests: row i's is blake2s(prefix + rows[i].tobytes()), for a one-byte prefix and a 2-d
    uint8 or little-endian uint64 array (a transposed view is fine: rows are gathered a chunk at a time)."""
    if rows.dtype not in (np.uint8, np.dtype("<u8")) or rows.ndim != 2:
        raise TypeError(f"cannot hash rows of {rows.dtype} with shape {rows.shape}")
    out = np.empty((rows.shape[0], 32), dtype=np.uint8)
    if rows.dtype == np.uint8 and rows.flags.c_contiguous and rows.shape[1] % 8 == 0 and rows.shape[1]:
        rows = rows.view(np.uint64)  # Merkle nodes (64 bytes) and other whole-word rows
    if rows.dtype != np.uint8 and rows.shape[1] == 0:
        rows = np.zeros((rows.shape[0], 0), dtype=np.uint8)
    threads.run_ranges(_hash_range, rows.shape[0], np.uint8(prefix[0]), rows, out, min_per_thread=256)
    return out
